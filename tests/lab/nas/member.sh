#!/usr/bin/env bash
# member.sh - Samba domain membership of a NAS stand-in: the steps TrueNAS takes to join an
# AD domain, in one place for `labctl join-nas|leave-nas` and the TrueNAS emulator.
#
# Runs inside a stand-in (`labctl nas-exec N`, an SSH session on it, or the emulator):
#   member.sh configure REALM WORKGROUP   write the stand-in's /etc/samba/smb.conf and $KRB5_CONFIG
#   member.sh join     net ads join as $JOIN_USER with $JOIN_PASSWORD into OU $JOIN_OU (default
#                      "AADDC Computers"), keytab, winbindd; a joined stand-in only gets winbindd
#   member.sh leave    stop Samba; with $JOIN_USER and $JOIN_PASSWORD also remove the DNS
#                      record and the computer account; forget the domain
#   member.sh start    start winbindd and wait for the trust; member.sh stop: stop Samba. With
#                      IDMAP="DOMAIN:BACKEND:LOW-HIGH ..." (the emulator: TrueNAS's idmap settings,
#                      '*' for the builtin range) smb.conf gets those idmap lines first, and when
#                      they change, winbindd restarts with its id cache flushed
#   member.sh status   prints joined=, winbindd=, trust=; status 0 when joined and trusted
# The TrueNAS emulator (--directory lab) joins and leaves as TrueNAS does: with the ticket it got
# from kinit (JOIN_CCACHE instead of JOIN_USER/JOIN_PASSWORD), and sets JOIN_NETBIOS_NAME (written
# to smb.conf first), JOIN_DNS_HOSTNAME (dnshostname=), JOIN_OU="" (no createcomputer: Samba's
# default container), JOIN_NO_DNS_UPDATES=1 (--no-dns-updates) and JOIN_NO_START=1 (no winbindd).
# Samba's state lives under $LAB_NAS_DIR/samba; labctl sets LAB_NAS_DIR and KRB5_CONFIG
# (the host may have no /etc/krb5.conf to bind over) for every process of a stand-in, SSH
# sessions included.
set -euo pipefail

die() { echo "member.sh: $*" >&2; exit 1; }
if [ -z "${LAB_NAS_DIR:-}" ] || [[ ${KRB5_CONFIG:-} != "$LAB_NAS_DIR"/* ]]; then
  die "LAB_NAS_DIR or KRB5_CONFIG is not set: run me inside a lab stand-in"
fi
# these must be the stand-in's own (bind mounts), or this script would change the host
for m in /etc/samba /run/samba/winbindd; do
  findmnt -rn "$m" >/dev/null || die "$m is not the stand-in's own (no bind mount there): refusing"
done
S=$LAB_NAS_DIR/samba

configure() {
  local realm=${1^^} workgroup=${2^^} name
  name=$(hostname -s)
  mkdir -p "$S"/{private,lock,state,cache,run,log}
  # TrueNAS's defaults where they matter: sealed LDAP, rid idmap and its ranges
  cat > /etc/samba/smb.conf <<EOF
# Samba member configuration of a NAS stand-in, written by member.sh
[global]
	netbios name = ${name^^}
	workgroup = $workgroup
	realm = $realm
	security = ads
	interfaces = lo lab0
	bind interfaces only = yes
	disable netbios = yes
	client ldap sasl wrapping = seal
	kerberos method = dedicated keytab
	dedicated keytab file = FILE:$S/private/krb5.keytab
	winbind use default domain = no
	winbind enum users = yes
	winbind enum groups = yes
	winbind expand groups = 1
	winbind nss info = template
	template shell = /bin/bash
	template homedir = /home/%U
	idmap config * : backend = tdb
	idmap config * : range = 90000001-100000000
	idmap config $workgroup : backend = rid
	idmap config $workgroup : range = 100000001-200000000
	private dir = $S/private
	lock directory = $S/lock
	state directory = $S/state
	cache directory = $S/cache
	pid directory = $S/run
	ncalrpc dir = $S/run/ncalrpc
	log file = $S/log/log.%m
	logging = file
	log level = 1
EOF
  cat > "$KRB5_CONFIG" <<EOF
[libdefaults]
	default_realm = $realm
	dns_lookup_realm = false
	dns_lookup_kdc = true
	rdns = false
[domain_realm]
	.${realm,,} = $realm
	${realm,,} = $realm
EOF
}

# the stand-in's Samba processes: Samba daemons in this network namespace (winbindd starts
# samba-dcerpcd and rpcd_* helpers, which outlive it)
samba_pids() {
  ps -e -o pid=,netns=,comm= | awk -v ns="$(stat -L -c %i /proc/self/ns/net)" \
    '$2 == ns && $3 ~ /^(winbindd|smbd|samba-dcerpcd|rpcd_.*)$/ { print $1 }'
}

winbindd_pid() {
  local p
  p=$(cat "$S/run/winbindd.pid" 2>/dev/null) && [ -n "$p" ] && grep -q winbindd "/proc/$p/comm" 2>/dev/null && echo "$p"
}

# retry SECONDS CMD...: until CMD succeeds
retry() {
  local n=$(($1 * 10)); shift
  until "$@" >/dev/null 2>&1; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1; done
}

# net_auth ARGS...: net with the join credential: the ticket cache $JOIN_CCACHE, or $JOIN_USER with
# the password from PASSWD -- never on the command line
net_auth() {
  if [ -n "${JOIN_CCACHE:-}" ]; then
    net "$@" --use-kerberos=required "--use-krb5-ccache=$JOIN_CCACHE"
  else
    : "${JOIN_USER:?JOIN_USER not set}" "${JOIN_PASSWORD:?JOIN_PASSWORD not set}"
    PASSWD=$JOIN_PASSWORD net "$@" -U "$JOIN_USER"
  fi
}

# set_netbios_name NAME: the member's NetBIOS name in smb.conf (rewritten in place)
set_netbios_name() {
  local conf
  conf=$(sed -E "s/^([[:space:]]*netbios name = ).*/\1${1^^}/" /etc/samba/smb.conf)
  printf '%s\n' "$conf" > /etc/samba/smb.conf
}

join() {
  local args=() ou=${JOIN_OU-AADDC Computers}
  [ -n "${JOIN_CCACHE:-}" ] || : "${JOIN_USER:?JOIN_USER not set}" "${JOIN_PASSWORD:?JOIN_PASSWORD not set}"
  [ -z "${JOIN_NETBIOS_NAME:-}" ] || set_netbios_name "$JOIN_NETBIOS_NAME"
  [ -z "${JOIN_DNS_HOSTNAME:-}" ] || args+=("dnshostname=$JOIN_DNS_HOSTNAME")
  [ -z "$ou" ] || args+=("createcomputer=$ou")
  [ -z "${JOIN_NO_DNS_UPDATES:-}" ] || args+=(--no-dns-updates)
  if ! net ads testjoin >/dev/null 2>&1; then
    net_auth ads join "${args[@]}" >&2
    net ads keytab create -P >&2      # Samba 4.17's join does not write the dedicated keytab
  fi
  [ -n "${JOIN_NO_START:-}" ] || start
}

# set_idmap "DOMAIN:BACKEND:LOW-HIGH ...": the idmap lines of smb.conf; status 1 when nothing changed
set_idmap() {
  local - conf entry domain backend range
  set -f  # '*' is the builtin domain, not a glob
  conf=$(grep -v '^[[:space:]]*idmap config ' /etc/samba/smb.conf)
  for entry in $1; do
    IFS=: read -r domain backend range <<< "$entry"
    conf=$(printf '%s\n\tidmap config %s : backend = %s\n\tidmap config %s : range = %s' \
      "$conf" "$domain" "$backend" "$domain" "$range")
  done
  [ "$conf" != "$(cat /etc/samba/smb.conf)" ] || return 1
  printf '%s\n' "$conf" > /etc/samba/smb.conf
}

start() {
  if [ -n "${IDMAP:-}" ] && set_idmap "$IDMAP"; then
    stop_samba
    net cache flush >/dev/null 2>&1 || true
  fi
  winbindd_pid >/dev/null || winbindd -D
  retry 10 wbinfo -p || die "winbindd does not answer"
  retry 10 wbinfo -t || die "wbinfo -t: no trust with the domain"
}

no_samba() { [ -z "$(samba_pids)" ]; }

stop_samba() {
  local pids
  mapfile -t pids < <(samba_pids)
  [ ${#pids[@]} -gt 0 ] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  retry 10 no_samba && return 0
  mapfile -t pids < <(samba_pids)
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

leave() {
  local fqdn
  stop_samba
  if [ -n "${JOIN_CCACHE:-}${JOIN_USER:-}" ] && net ads testjoin >/dev/null 2>&1; then
    # the A record the join registered (AAD DC Administrators administer DNS); best effort
    fqdn=${JOIN_DNS_HOSTNAME:-$(hostname -s).$(testparm -s --parameter-name=realm 2>/dev/null | tr '[:upper:]' '[:lower:]')}
    [ -n "${JOIN_NO_DNS_UPDATES:-}" ] || net_auth ads dns unregister "$fqdn" >&2 || true
    net_auth ads leave >&2
  fi
  rm -rf "${S:?}"/{private,lock,state,cache}/*
}

status() {
  local joined=no winbindd=no trust=no
  net ads testjoin >/dev/null 2>&1 && joined=yes
  winbindd_pid >/dev/null && winbindd=yes
  if [ $winbindd = yes ] && wbinfo -t >/dev/null 2>&1; then trust=yes; fi
  echo "joined=$joined winbindd=$winbindd trust=$trust"
  [ $joined = yes ] && [ $trust = yes ]
}

case "${1:-}" in
  configure) [ $# = 3 ] || die "usage: member.sh configure REALM WORKGROUP"; configure "$2" "$3" ;;
  join|leave|status|start) "$1" ;;
  stop) stop_samba ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
