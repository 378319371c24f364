# shellcheck shell=bash
# Helpers shared by every part of labctl: logging, change tracking, processes, namespaces.

log() { printf '[labctl %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }
need_root() { [ "$(id -u)" = 0 ] || die "run as root"; }

# what this run changed; `up` reports "no changes" when the list stays empty
CHANGES=()
changed() { CHANGES+=("$1"); }

# write_file PATH <<< content: rewrite PATH in place (namespaces that bind-mount it see the
# new content) when the content differs. No pipe into it: that runs it in a subshell, where
# `changed` is lost.
write_file() {
  local tmp
  tmp=$(mktemp)
  cat > "$tmp"
  if cmp -s "$tmp" "$1" 2>/dev/null; then rm -f "$tmp"; return 0; fi
  mkdir -p "$(dirname "$1")"
  cat "$tmp" > "$1"
  rm -f "$tmp"
  changed "wrote $1"
}

# pid_alive PIDFILE WORD: print the pid if that process runs and its command line has WORD
pid_alive() {
  local p
  [ -s "$1" ] || return 1
  p=$(tr -dc '0-9' < "$1")
  [ -n "$p" ] && [ -r "/proc/$p/cmdline" ] && tr '\0' ' ' < "/proc/$p/cmdline" | grep -q -- "$2" || return 1
  echo "$p"
}

# stop_pids SECONDS PID...: TERM, wait up to SECONDS, then KILL what is left
stop_pids() {
  local n=$(($1 * 10)) alive; shift
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  # alive: neither gone nor a zombie (exited, waiting to be reaped)
  while alive=$(ps -o pid=,stat= -p "$(IFS=,; echo "$*")" | awk '$2 !~ /^Z/ { print $1 }') && [ -n "$alive" ]; do
    n=$((n - 1))
    if [ $n = 0 ]; then
      log "still running, SIGKILL: ${alive//$'\n'/ }"
      # shellcheck disable=SC2086
      kill -KILL $alive 2>/dev/null || true
      return 0
    fi
    sleep 0.1
  done
}

wait_tcp() { # wait_tcp IP PORT SECONDS
  local n=$(($3 * 10))
  until timeout 0.5 bash -c "</dev/tcp/$1/$2" 2>/dev/null; do
    n=$((n - 1)); [ $n -gt 0 ] || return 1
    sleep 0.1
  done
}

# Mount points the lab has to create on the host (/run/samba/winbindd, /run/middleware) are
# listed, deepest first, in $LAB_DIR/host-dirs; `down` removes them again when they are
# empty and no process (of another lab) has something mounted there.
ensure_host_dir() {
  local d missing=()
  d=$(readlink -m "$1")
  while [ ! -d "$d" ]; do missing+=("$d"); d=$(dirname "$d"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  mkdir -p "$1"
  printf '%s\n' "${missing[@]}" >> "$LAB_DIR/host-dirs"
}
remove_host_dirs() {
  local d
  [ -f "$LAB_DIR/host-dirs" ] || return 0
  while read -r d; do
    grep -qs "^[^ ]* [^ ]* [^ ]* [^ ]* $d " /proc/[0-9]*/mountinfo || rmdir "$d" 2>/dev/null || true
  done < "$LAB_DIR/host-dirs"
  rm -f "$LAB_DIR/host-dirs"
}

# ns_exec NETNS HOSTNAME "SRC:DST ..." CMD...: run CMD in network namespace NETNS with
# its own host name and each SRC directory bind-mounted over DST. `ip netns exec` gives
# every call a private mount namespace (nothing shows on the host) and binds the files of
# /etc/netns/NETNS/ over /etc; every process of a DC or stand-in starts this way, so all
# of them (and SSH sessions forked by its sshd) see the same view.
ns_exec() {
  local ns=$1 name=$2 binds=$3 b; shift 3
  for b in $binds; do ensure_host_dir "${b#*:}"; done
  # shellcheck disable=SC2016 # expanded by the inner sh
  ip netns exec "$ns" unshare --uts /bin/sh -c '
    hostname "$0" || exit 1
    for b in $1; do mkdir -p "${b%%:*}" && mount --bind "${b%%:*}" "${b#*:}" || exit 1; done
    shift; exec "$@"' "$name" "$binds" "$@"
}
