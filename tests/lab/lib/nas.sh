# shellcheck shell=bash
# NAS stand-ins nas1..N: a namespace each with a Samba member configuration (not joined),
# an sshd for Ansible over SSH and the TrueNAS middleware emulator for the API. Every
# process of a stand-in starts through nas_exec, so all of them (and SSH sessions) share
# one view: /etc/netns/<ns>/ (hosts, resolv.conf, nsswitch.conf with winbind, samba/), the
# stand-in's own /var/run/middleware and winbindd socket directory, and its KRB5_CONFIG.

EMULATOR_PKG=$LAB/truenas_emulator
EMULATOR_PYTHON=${LAB_EMULATOR_PYTHON:-$EMULATOR_VENV/bin/python}
# options of the stand-ins' emulators beyond the per-stand-in ones; a change restarts them.
# --directory lab: the directory methods join and leave for real through nas/member.sh
# --rate-limit: the lab's tests log in from the one host address far more often than a fleet run does; the
# TrueNAS limit of 20 logins a minute per address is tested against the loopback emulator instead.
EMULATOR_OPTIONS=(--directory lab --rate-limit 600)

# the environment of every process of stand-in I, SSH sessions included: a NAS-like PATH
# whose first directory holds the emulator's midclt (paths have no spaces: lab.py checks)
nas_env() {
  echo "LAB_NAS_DIR=${NAS_DIR[$1]} KRB5_CONFIG=${NAS_DIR[$1]}/krb5.conf" \
       "PATH=${NAS_DIR[$1]}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

nas_exec() {
  local i=$1 vars; shift
  read -ra vars <<< "$(nas_env "$i")"
  ns_exec "${NAS_NETNS[$i]}" "${NAS_NAME[$i]}" \
    "${NAS_DIR[$i]}/middleware:/var/run/middleware ${NAS_DIR[$i]}/winbindd:/run/samba/winbindd" \
    env "${vars[@]}" "$@"
}

nas_ssh_key() {
  [ -s "$SSH_KEY" ] && return 0
  mkdir -p "$(dirname "$SSH_KEY")"
  ssh-keygen -q -t ed25519 -N '' -C "nasjoin lab $REALM" -f "$SSH_KEY"
  changed "ssh key"
}

# the stand-in's /etc: nss_winbind for it alone, and its Samba member configuration
nas_etc() {
  local i=$1 e=/etc/netns/${NAS_NETNS[$1]}
  write_file "$e/nsswitch.conf" <<< "$(sed -E 's/^(passwd|group):.*/\1: files winbind/' /etc/nsswitch.conf)"
  mkdir -p "$e/samba"
  [ -s "$e/samba/smb.conf" ] && return 0
  nas_exec "$i" "$LAB/nas/member.sh" configure "$REALM" "$NETBIOS"
  changed "member configuration of ${NAS_NAME[$i]}"
}

# The authorized keys of stand-in NETNS's root: under /run, not the lab directory, because sshd (StrictModes, kept on)
# refuses a key file below a directory others may write, such as /tmp, and a lab directory may be anywhere.
nas_keys_dir() { echo "/run/nasjoin-lab/$1"; }

nas_sshd() {
  local i=$1 d=${NAS_DIR[$1]}/ssh n=${#CHANGES[@]} p k
  k=$(nas_keys_dir "${NAS_NETNS[$i]}")
  mkdir -p "$d" "$k"
  chmod 755 /run/nasjoin-lab "$k"
  [ -s "$d/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$d/ssh_host_ed25519_key"
  write_file "$k/authorized_keys" < "$SSH_KEY.pub"
  chmod 600 "$k/authorized_keys"
  # root with the lab key only, on the stand-in's address only, as Ansible reaches a NAS
  write_file "$d/sshd_config" <<EOF
ListenAddress ${NAS_IP[$i]}:22
HostKey $d/ssh_host_ed25519_key
PidFile $d/sshd.pid
AuthorizedKeysFile $k/authorized_keys
StrictModes yes
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintMotd no
Subsystem sftp internal-sftp
SetEnv $(nas_env "$i")
EOF
  if p=$(pid_alive "$d/sshd.pid" sshd); then
    [ ${#CHANGES[@]} = "$n" ] && return 0
    stop_pids 5 "$p"
  fi
  mkdir -p /run/sshd       # sshd's privilege separation directory; stays, as any sshd needs it
  nas_exec "$i" /usr/sbin/sshd -f "$d/sshd_config" -E "${NAS_DIR[$i]}/log/sshd.log"
  wait_tcp "${NAS_IP[$i]}" 22 10 || die "sshd of ${NAS_NAME[$i]} does not answer (${NAS_DIR[$i]}/log/sshd.log)"
  changed "sshd of ${NAS_NAME[$i]}"
}

nas_emulator() {
  local i=$1 d=${NAS_DIR[$1]} p="" n
  if [ ! -f "$EMULATOR_PKG/__main__.py" ]; then
    log "${NAS_NAME[$i]}: TrueNAS emulator not started ($EMULATOR_PKG/__main__.py does not exist yet)"
    return 0
  fi
  if p=$(pid_alive "$d/emulator.pid" truenas_emulator); then
    [ "$(cat "$d/emulator.version" 2>/dev/null)" = "$TRUENAS_VERSION" ] &&
      [ "$(cat "$d/emulator.options" 2>/dev/null)" = "${EMULATOR_OPTIONS[*]}" ] && return 0
    stop_pids 10 "$p"
  fi
  assert_safe_route "${NAS_IP[$i]}"
  # a daemon in its own session (setsid -f): nothing that ends labctl's process group ends it
  PYTHONPATH=$LAB nas_exec "$i" setsid -f "$EMULATOR_PYTHON" -m truenas_emulator \
    --version "$TRUENAS_VERSION" --listen "${NAS_IP[$i]}:443" \
    --cert "${NAS_DIR[$i]}/tls/cert.pem" --key "${NAS_DIR[$i]}/tls/key.pem" \
    --socket /var/run/middleware/middlewared.sock --state-file "$d/emulator-state.json" \
    --api-keys-file "$d/api-keys.json" --resolv-conf /etc/resolv.conf \
    --control-socket "$d/control.sock" --request-log "$d/log/requests.log" --hostname "${NAS_NAME[$i]}" --interface "lab0=${NAS_IP[$i]}/24" \
    "${EMULATOR_OPTIONS[@]}" < /dev/null > "$d/log/emulator.log" 2>&1
  # ready: it prints one JSON line, with its pid
  for n in $(seq 1 300); do
    p=$(sed -n 's/^{.*"pid": *\([0-9]*\).*/\1/p' "$d/log/emulator.log")
    [ -z "$p" ] || break
    if ! ip netns pids "${NAS_NETNS[$i]}" | xargs -r ps -o args= -p | grep -q truenas_emulator ||
       [ "$n" = 300 ]; then
      tail -5 "$d/log/emulator.log" >&2; die "emulator of ${NAS_NAME[$i]} did not start"
    fi
    sleep 0.1
  done
  echo "$p" > "$d/emulator.pid"
  echo "$TRUENAS_VERSION" > "$d/emulator.version"
  echo "${EMULATOR_OPTIONS[*]}" > "$d/emulator.options"
  changed "emulator of ${NAS_NAME[$i]} ($TRUENAS_VERSION)"
}

nas_up() {
  local i=$1
  mkdir -p "${NAS_DIR[$i]}"/{middleware,winbindd,log,bin}
  [ ! -f "$EMULATOR_PKG/midclt" ] || ln -sf "$EMULATOR_PKG/midclt" "${NAS_DIR[$i]}/bin/midclt"
  nas_etc "$i"
  nas_sshd "$i"
  nas_emulator "$i"
}

# stand-ins of an earlier, larger --nas
nas_remove_surplus() {
  local ns
  for ns in $(lab_namespaces); do
    if [[ $ns =~ ^$PREFIX-nas([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -gt "$NAS_COUNT" ]; then
      ns_remove "$ns"
      changed "removed $ns"
    fi
  done
}

# nas_member N join|leave|status: nas/member.sh inside stand-in N, as the join user
nas_member() {
  local i=$1 t0
  [ -n "${NAS_NAME[$i]:-}" ] || die "no stand-in $i (the lab has $NAS_COUNT)"
  t0=$(now)
  JOIN_USER=$JOIN_USER JOIN_PASSWORD=$USER_PASS nas_exec "$i" "$LAB/nas/member.sh" "$2"
  log "${NAS_NAME[$i]}: member.sh $2 in $(since "$t0")s"
}

nas_status() {
  local i d p ok=0
  for i in $(seq 1 "$NAS_COUNT"); do
    d=${NAS_DIR[$i]}
    printf '%s %s:' "${NAS_NAME[$i]}" "${NAS_IP[$i]}"
    if p=$(pid_alive "$d/ssh/sshd.pid" sshd); then printf ' sshd %s' "$p"; else printf ' sshd DOWN'; ok=1; fi
    if p=$(pid_alive "$d/emulator.pid" truenas_emulator); then printf ' emulator %s (%s)' "$p" "$(cat "$d/emulator.version")"
    elif [ -f "$EMULATOR_PKG/__main__.py" ]; then printf ' emulator DOWN'; ok=1
    else printf ' emulator absent'; fi
    if p=$(pid_alive "$d/samba/run/winbindd.pid" winbindd); then printf ' winbindd %s\n' "$p"; else printf ' no winbindd\n'; fi
  done
  return $ok
}
