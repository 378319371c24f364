# shellcheck shell=bash
# Locked Python environments (sourced by scripts/lib.sh and the lab's install.sh). pip installs uv from
# locks/uv.txt (hashes checked); uv then makes each venv exactly what its lock in locks/ says, on the
# interpreter it names. A venv is made again when its lock or its interpreter changes.
LOCKS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../locks" && pwd)
NASJOIN_CACHE=${NASJOIN_CACHE:-$HOME/.cache/nasjoin-entra}
UV=$NASJOIN_CACHE/uv/bin/uv
export UV_PYTHON_DOWNLOADS=never   # interpreters come from this machine, never from a download

# find_python X.Y: the path of a Python X.Y (NASJOIN_PYTHON_X_Y, then pyenv's builds, the PATH, /usr/bin)
find_python() {
  local var="NASJOIN_PYTHON_${1//./_}" p
  for p in "${!var:-}" "$HOME"/.pyenv/versions/"$1".*/bin/python"$1" "$(command -v "python$1" 2>/dev/null)" \
           /usr/bin/python"$1"; do
    if [ -z "$p" ] || [ ! -x "$p" ]; then continue; fi
    if [ "$("$p" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$1" ]; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# _locked DIR STAMP: DIR was made from what STAMP says
_locked() { [ "$(cat "$1/.nasjoin-lock" 2>/dev/null)" = "$2" ]; }

# _stamp LOCK PYTHON: what a venv made from LOCK on PYTHON (its bytecode compiled) is stamped with
_stamp() { echo "$(sha256sum < "$1" | cut -c1-64) $("$2" -c 'import sys; print(sys.version.split()[0])') $2 pyc"; }

# venv_current DIR LOCK PYTHON: DIR is in step with LOCK and PYTHON
venv_current() { _locked "$1" "$(_stamp "$2" "$3")"; }

uv_ready() {
  local dir=$NASJOIN_CACHE/uv py stamp
  stamp=$(sha256sum < "$LOCKS/uv.txt" | cut -c1-64)
  _locked "$dir" "$stamp" && return 0
  py=$(find_python 3.11 || command -v python3)
  rm -rf "$dir"
  "$py" -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check --require-hashes -r "$LOCKS/uv.txt" > "$dir.log" 2>&1 ||
    { cat "$dir.log" >&2; return 1; }
  echo "$stamp" > "$dir/.nasjoin-lock"
}

# venv_sync DIR LOCK PYTHON: DIR holds exactly the packages of LOCK, on PYTHON; one maker at a time
venv_sync() {
  local dir=$1 lock=$2 py=$3 stamp fd
  stamp=$(_stamp "$lock" "$py")
  _locked "$dir" "$stamp" && return 0
  mkdir -p "$(dirname "$dir")"
  exec {fd}> "$dir.lock"
  flock "$fd"
  if ! _locked "$dir" "$stamp"; then
    uv_ready
    rm -rf "$dir"
    # the package index may not answer for a moment: then what uv has cached, if it has it all
    "$UV" venv -q --seed -p "$py" "$dir" || "$UV" venv -q --seed --offline --allow-existing -p "$py" "$dir"
    # bytecode compiled now: a Python told not to write it (PYTHONDONTWRITEBYTECODE) would otherwise compile
    # ansible-core anew in every process (import ansible.cli.playbook: 1.2 s, compiled 0.6 s)
    VIRTUAL_ENV=$dir "$UV" pip sync -q --compile-bytecode --require-hashes "$lock" ||
      VIRTUAL_ENV=$dir "$UV" pip sync -q --compile-bytecode --require-hashes --offline "$lock"
    echo "$stamp" > "$dir/.nasjoin-lock"
  fi
  exec {fd}>&-
}

# wheels_sync DIR LOCK PYTHON: DIR holds the wheels of LOCK (hashes checked), for an install with no index later
wheels_sync() {
  local dir=$1 lock=$2 py=$3 stamp
  stamp=$(_stamp "$lock" "$py")
  _locked "$dir" "$stamp" && return 0
  rm -rf "$dir" && mkdir -p "$dir"
  "$py" -m pip download -q --disable-pip-version-check --require-hashes --no-deps -r "$lock" -d "$dir" > "$dir.log" 2>&1 ||
    { cat "$dir.log" >&2; return 1; }
  echo "$stamp" > "$dir/.nasjoin-lock"
}
