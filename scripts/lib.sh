# shellcheck shell=bash
# Paths shared by the project's scripts (sourced, not run).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${NASJOIN_VENV:-$HOME/.cache/nasjoin-entra/venv}
WORK=${NASJOIN_WORK:-/tmp/nasjoin-work}
COLL=$WORK/ansible_collections/nasjoin/entra
export LC_ALL=C.UTF-8 PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH=$WORK

log() { printf '[nasjoin %s] %s\n' "$(date +%T)" "$*" >&2; }

# stage: copy the checkout (tracked and untracked, not ignored) to $COLL, where ansible-test wants it
stage() {
  rm -rf "$COLL" && mkdir -p "$COLL"
  (cd "$ROOT" && git ls-files -co --exclude-standard -z | tar --null -cf - -T -) | tar -xf - -C "$COLL"
}
