# shellcheck shell=bash
# Paths shared by the project's scripts (sourced, not run).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/venv.sh
. "$ROOT/scripts/venv.sh"
VENV=${NASJOIN_VENV:-$NASJOIN_CACHE/venv}
WORK=${NASJOIN_WORK:-/tmp/nasjoin-work}
COLL=$WORK/ansible_collections/nasjoin/entra
export LC_ALL=C.UTF-8 PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH=$WORK

log() { printf '[nasjoin %s] %s\n' "$(date +%T)" "$*" >&2; }

# matrix_cells all|others: "core python" of each cell of locks/matrix (others: all but the default, the first)
matrix_cells() { grep -v '^#' "$LOCKS/matrix" | tail -n +"$([ "$1" = others ] && echo 2 || echo 1)"; }

# tally SUMMARY WORD: the number before WORD (passed, failed, error, skipped) in a pytest summary line, or 0
tally() { local n; n=$(grep -oE "[0-9]+ $2" <<< "$1" | tail -n 1 | cut -d' ' -f1); echo "${n:-0}"; }

# stage: copy the checkout (tracked and untracked, not ignored) to $COLL, where ansible-test wants it
stage() {
  rm -rf "$COLL" && mkdir -p "$COLL"
  (cd "$ROOT" && git ls-files -co --exclude-standard -z | tar --null --ignore-failed-read -cf - -T - 2>/dev/null) | tar -xf - -C "$COLL"
}

# pip_offline VENV: ansible-test bootstraps pip into its venvs from a download; give it the offline stand-in
pip_offline() {
  local v
  v=$("$1/bin/python" -c "import re,os,ansible_test as a;p=os.path.join(os.path.dirname(a.__file__),'_internal','python_requirements.py');print(re.search(r\"pip='([0-9.]+)'\",open(p).read()).group(1).replace('.','_'))")
  mkdir -p "$HOME/.ansible/test/cache"
  cp "$ROOT/.ci/get_pip_offline.py" "$HOME/.ansible/test/cache/get_pip_$v.py"
}
