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
  apt-get -o DPkg::Lock::Timeout=600 update -q
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
  [ $made_policy = 0 ] || rm -f /usr/sbin/policy-rc.d
  cmp -s "$nss" /etc/nsswitch.conf || { log "restoring /etc/nsswitch.conf"; cp -a "$nss" /etc/nsswitch.conf; }
  rm -f "$nss"
  if [ -d /run/systemd/system ]; then   # systemd ignores policy-rc.d for enabling
    systemctl disable --now smbd nmbd winbind samba-ad-dc >/dev/null 2>&1 || true
    [ $had_ssh = 1 ] || systemctl disable --now ssh >/dev/null 2>&1 || true
  fi
  log "installed ${missing[*]} in $(since "$t0")s"
}

# The lab's Python venvs under $CACHE_DIR, each exactly its lock (scripts/venv.sh): the stand-ins'
# interpreter, with only what TrueNAS ships (locks/nas.in, derived in nas/python-packages.txt), and the
# emulator's (locks/emulator.in). Both on Debian 12's Python 3.11, as the stand-ins run it.
# shellcheck source=../../../scripts/venv.sh
. "$LAB/../../scripts/venv.sh"
VENVS=("$NAS_VENV:$LOCKS/nas-py3.11.txt" "$EMULATOR_VENV:$LOCKS/emulator-py3.11.txt")

venv_ready() { venv_current "${1%%:*}" "${1#*:}" /usr/bin/python3; } # venv_ready DIR:LOCK

venv_install() { # venv_install DIR:LOCK
  local t0
  venv_ready "$1" && return 0
  t0=$(now)
  venv_sync "${1%%:*}" "${1#*:}" /usr/bin/python3 || die "could not install ${1#*:} into ${1%%:*}"
  log "${1%%:*} ready in $(since "$t0")s"
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
