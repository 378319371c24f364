# shellcheck shell=bash
# `labctl install`: Debian packages for the DCs and stand-ins, and their Python venvs.

# samba-dsdb-modules and samba-ad-provision are only Recommends of samba, and a DC
# cannot be provisioned without them
PACKAGES=(samba samba-ad-dc samba-dsdb-modules samba-ad-provision winbind libnss-winbind
          krb5-user smbclient ldb-tools iproute2 dnsutils openssl openssh-server python3-venv nftables
          iptables)   # iptables: the NFQUEUE rule of `labctl delay` (this kernel's nft has no queue statement)

packages_missing() {
  local p
  for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done
}

apt_install() {
  local missing t0 nss had_ssh=1
  mapfile -t missing < <(packages_missing)
  [ ${#missing[@]} -gt 0 ] || return 0
  t0=$(now)
  dpkg -s openssh-server >/dev/null 2>&1 || had_ssh=0
  # libnss-winbind's postinst adds winbind to the host's /etc/nsswitch.conf, and the
  # postinsts would start smbd/nmbd/winbindd/sshd on the host: keep both from happening
  nss=$(mktemp); cp -a /etc/nsswitch.conf "$nss"
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  [ $made_policy = 0 ] || rm -f /usr/sbin/policy-rc.d
  cmp -s "$nss" /etc/nsswitch.conf || { log "restoring /etc/nsswitch.conf"; cp -a "$nss" /etc/nsswitch.conf; }
  rm -f "$nss"
  if [ -d /run/systemd/system ]; then   # systemd ignores policy-rc.d for enabling
    systemctl disable --now smbd nmbd winbind samba-ad-dc >/dev/null 2>&1 || true
    [ $had_ssh = 1 ] || systemctl disable --now ssh >/dev/null 2>&1 || true
  fi
  log "installed ${missing[*]} in $(since "$t0")s"
}

# Python venvs of the system python3 under $CACHE_DIR: the stand-ins' interpreter, with
# only what TrueNAS ships (nas/requirements.txt, derived in nas/python-packages.txt), and the
# emulator's (nas/emulator-requirements.txt)
VENVS=("$NAS_VENV:$LAB/nas/requirements.txt" "$EMULATOR_VENV:$LAB/nas/emulator-requirements.txt")

venv_ready() { # venv_ready DIR:REQUIREMENTS
  [ -x "${1%%:*}/bin/python" ] && [ "$(cat "${1%%:*}/requirements.md5" 2>/dev/null)" = "$(md5sum < "${1#*:}")" ]
}

venv_install() { # venv_install DIR:REQUIREMENTS
  local dir=${1%%:*} req=${1#*:} t0
  venv_ready "$1" && return 0
  t0=$(now)
  rm -rf "$dir"
  /usr/bin/python3 -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check -r "$req" > "$dir.log" 2>&1 ||
    die "pip install -r $req failed; see $dir.log"
  md5sum < "$req" > "$dir/requirements.md5"
  log "$dir ready in $(since "$t0")s"
}

# One install at a time on this machine: labs in other directories share the packages and venvs,
# and a second `labctl up` would otherwise remove the venv the first one is filling
lab_install() {
  local v lock
  mkdir -p "$CACHE_DIR"
  exec {lock}> "$CACHE_DIR/install.lock"
  flock "$lock"
  apt_install
  for v in "${VENVS[@]}"; do venv_install "$v"; done
  exec {lock}>&-
}

install_complete() {
  local v
  [ -z "$(packages_missing)" ] || return 1
  for v in "${VENVS[@]}"; do venv_ready "$v" || return 1; done
}
