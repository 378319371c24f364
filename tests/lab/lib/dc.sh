# shellcheck shell=bash
# The managed domain: Samba AD DCs dc1 (provisioned) and dc2 (joined to dc1), each in its
# own namespace with every path under its directory, hardened like Entra DS unless the
# switches of `up` say otherwise.

AES_ONLY="aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96"

# dc_exec I CMD...: the DC's smbd finds winbindd only at the compiled-in socket path, so
# each DC gets its own directory bind-mounted over /run/samba/winbindd
dc_exec() {
  local i=$1; shift
  ns_exec "${DC_NETNS[$i]}" "${DC_NAME[$i]}" "${DC_DIR[$i]}/run/winbindd:/run/samba/winbindd" "$@"
}

dc_pid() { pid_alive "${DC_DIR[$1]}/run/samba.pid" samba; }

# --option values that provision and join write into the DC's smb.conf
dc_options() {
  local d=${DC_DIR[$1]}
  printf -- '--option=%s\n' "interfaces = lo lab0" "bind interfaces only = yes" "disable netbios = yes" \
    "pid directory = $d/run" "ncalrpc dir = $d/run/ncalrpc" "ntp signd socket directory = $d/run/ntp_signd" \
    "log file = $d/log/samba.log" "logging = file" "log level = 1 auth_audit:2" \
    "tls keyfile = $DC_TLS_DIR/key.pem" "tls certfile = $DC_TLS_DIR/cert.pem" "tls cafile = $CA_FILE"
}

dc_provision() {
  local d=${DC_DIR[1]} t0 opts
  [ -s "$d/private/sam.ldb" ] && return 0
  t0=$(now)
  rm -rf "$d" "${DC_DIR[2]}"          # a dc2 of an earlier domain would be a stranger
  mkdir -p "$d/run/winbindd" "$d/log"
  : > "$LAB_DIR/empty-smb.conf"
  mapfile -t opts < <(dc_options 1)
  # --configfile=<empty>: else the host's smb.conf is merged in. In the DC's namespace, so
  # that provision sees the DC's resolv.conf, not the host's.
  dc_exec 1 samba-tool domain provision --configfile="$LAB_DIR/empty-smb.conf" --targetdir="$d" \
    --realm="$REALM" --domain="$NETBIOS" --server-role=dc --dns-backend=SAMBA_INTERNAL \
    --use-rfc2307 --host-name="${DC_NAME[1]}" --host-ip="${DC_IP[1]}" --adminpass="$ADMIN_PASS" \
    "${opts[@]}" > "$LAB_DIR/provision.log" 2>&1 || { tail -20 "$LAB_DIR/provision.log"; die "provision failed"; }
  # no forwarder: names outside the zone get NXDOMAIN instead of leaving the lab
  sed -i '/^[[:space:]]*dns forwarder = /d' "$d/etc/smb.conf"
  changed "provisioned $REALM"
  log "provisioned $REALM in $(since "$t0")s"
}

# dc2: `samba-tool domain join <domain> DC` against dc1, into its own directory
dc_join2() {
  local d=${DC_DIR[2]} t0 opts
  [ -s "$d/private/sam.ldb" ] && return 0
  t0=$(now)
  rm -rf "$d"; mkdir -p "$d/run/winbindd" "$d/log"
  mapfile -t opts < <(dc_options 2)
  # the join finds the domain through DNS: dc2 asks dc1 only, meanwhile
  etc_resolv "${DC_NETNS[2]}" "${DC_IP[1]}"
  # --use-rfc2307 is provision-only; the password comes from PASSWD, not argv
  PASSWD=$ADMIN_PASS dc_exec 2 samba-tool domain join "$DNS_DOMAIN" DC \
    --configfile="$LAB_DIR/empty-smb.conf" --targetdir="$d" --realm="$REALM" \
    --server="${DC_FQDN[1]}" --dns-backend=SAMBA_INTERNAL -U "$NETBIOS\\Administrator" \
    --option="netbios name = ${DC_NAME[2]^^}" --option="idmap_ldb:use rfc2307 = yes" "${opts[@]}" \
    > "$LAB_DIR/join-dc2.log" 2>&1 || { tail -20 "$LAB_DIR/join-dc2.log"; die "join of ${DC_NAME[2]} failed"; }
  etc_resolv "${DC_NETNS[2]}" "${DC_IP[2]}" "${DC_IP[1]}"
  sed -i '/^[[:space:]]*dns forwarder = /d' "$d/etc/smb.conf"
  changed "joined ${DC_NAME[2]}"
  log "${DC_NAME[2]} joined $REALM as a DC in $(since "$t0")s"
}

# conf_set SMBCONF 'parameter' [value]: set a [global] parameter, or remove it (Samba default)
conf_set() {
  sed -i "/^[[:space:]]*$2[[:space:]]*=/d" "$1"
  [ -z "${3:-}" ] || sed -i "/^\[global\]/a\\	$2 = $3" "$1"
}

# the hardening switches in force; status 0 when the DC's smb.conf changed
dc_harden() {
  local f=${DC_DIR[$1]}/etc/smb.conf before
  before=$(md5sum < "$f")
  # LDAP signing as Windows means it: simple binds only over TLS, SASL on 389 only signed
  if [ "$LDAP_SIGNING" = 1 ]; then conf_set "$f" "ldap server require strong auth" allow_sasl_over_tls
  else conf_set "$f" "ldap server require strong auth" no; fi
  if [ "$TLS12_ONLY" = 1 ]; then conf_set "$f" "tls priority" "NORMAL:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1"
  else conf_set "$f" "tls priority" "NORMAL:-VERS-SSL3.0:+VERS-TLS1.1:+VERS-TLS1.0"; fi
  # AES only: the KDC drops every account's RC4 keys; services without
  # msDS-SupportedEncryptionTypes get AES ticket keys instead of RC4 ones
  if [ "$RC4_DISABLED" = 1 ]; then
    conf_set "$f" "kdc supported enctypes" "$AES_ONLY"
    conf_set "$f" "kdc default domain supported enctypes" "$AES_ONLY"
  else
    conf_set "$f" "kdc supported enctypes"
    conf_set "$f" "kdc default domain supported enctypes"
  fi
  [ "$(md5sum < "$f")" != "$before" ]
}

dc_srv_count() { # targets of _ldap._tcp.dc._msdcs on the DNS server of DC I
  assert_safe_route "${DC_IP[$1]}"
  dig +short +time=1 +tries=2 @"${DC_IP[$1]}" "_ldap._tcp.dc._msdcs.$DNS_DOMAIN" SRV 2>/dev/null | grep -c . || true
}

# dc_start I: start the DC (again, when its settings changed) and wait until it serves
dc_start() {
  local i=$1 d=${DC_DIR[$1]} t0 p acct
  if dc_harden "$i" && dc_pid "$i" >/dev/null; then
    log "${DC_NAME[$i]}: hardening switches changed, restarting"
    dc_stop "$i"
  fi
  dc_pid "$i" >/dev/null && return 0
  t0=$(now)
  mkdir -p "$d/run/winbindd" "$d/log"
  assert_safe_route "${DC_IP[$i]}"
  KRB5_CONFIG=$KRB5_CONF dc_exec "$i" samba -D -s "$d/etc/smb.conf" -l "$d/log"
  for p in 88 53 445 389 636; do
    wait_tcp "${DC_IP[$i]}" "$p" 60 || die "port $p of ${DC_NAME[$i]} did not open (see $d/log/log.samba)"
  done
  # samba_spnupdate adds ldap/<fqdn> to the DC account shortly after start; Kerberos to
  # LDAP fails ("Server not found in database") until it has
  acct=${DC_NAME[$i]^^}
  for p in $(seq 1 300); do
    ldbsearch -H "$d/private/sam.ldb" "(&(sAMAccountName=$acct\$)(servicePrincipalName=ldap/${DC_FQDN[$i]}))" dn \
      2>/dev/null | grep -q '^dn: ' && break
    sleep 0.2
  done
  changed "started ${DC_NAME[$i]}"
  log "${DC_NAME[$i]} serves 53/88/389/445/636 after $(since "$t0")s"
}

dc_stop() { ns_stop "${DC_NETNS[$1]}"; }

# Entra-DS-shaped objects (dc/populate.py on dc1's sam.ldb), again when they changed
dc_populate() {
  local stamp=${DC_DIR[1]}/populated want t0
  want=$(cat "$LAB_DIR/directory.json" "$LAB/dc/populate.py" | md5sum)
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  t0=$(now)
  LAB_USER_PASS=$USER_PASS dc_exec 1 /usr/bin/python3 "$LAB/dc/populate.py" \
    --smbconf "${DC_DIR[1]}/etc/smb.conf" --directory "$LAB_DIR/directory.json" >&2
  echo "$want" > "$stamp"
  changed "populated"
  log "populated in $(since "$t0")s"
}

# dc_replicate TO FROM NC...: DC TO pulls the partitions NC from DC FROM, now
dc_replicate() {
  local to=$1 from=$2 nc; shift 2
  for nc in "$@"; do
    PASSWD=$ADMIN_PASS dc_exec 1 samba-tool drs replicate -s "${DC_DIR[1]}/etc/smb.conf" \
      -U "$NETBIOS\\Administrator" "${DC_FQDN[$to]}" "${DC_FQDN[$from]}" "$nc" >/dev/null ||
      die "replication ${DC_NAME[$from]} -> ${DC_NAME[$to]} of $nc failed"
  done
}

# both DCs' DNS list both DCs (dc2 registers itself on dc2; dc1 learns it by replication)
dc_wait_both_listed() {
  local i
  for i in $(seq 1 600); do
    [ "$(dc_srv_count 1)" = 2 ] && [ "$(dc_srv_count 2)" = 2 ] && return 0
    sleep 0.2
  done
  die "_ldap._tcp.dc._msdcs.$DNS_DOMAIN does not list both DCs on both DCs after 120 s"
}

# client krb5.conf for host-side tools: KDCs pinned by IP, no DNS (the host's resolver
# must never be asked for lab names)
krb5_client_conf() {
  write_file "$KRB5_CONF" <<EOF
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
[realms]
	$REALM = {
		kdc = ${DC_IP[1]}
		kdc = ${DC_IP[2]}
		admin_server = ${DC_IP[1]}
		kpasswd_server = ${DC_IP[1]}
	}
[domain_realm]
	.$DNS_DOMAIN = $REALM
	$DNS_DOMAIN = $REALM
EOF
}

dcs_up() {
  local fresh=0 n
  dc_provision
  dc_start 1
  n=${#CHANGES[@]}
  dc_populate            # before dc2's join, so dc2 gets the objects in its first replication
  [ -s "${DC_DIR[2]}/private/sam.ldb" ] || fresh=1
  dc_join2
  dc_start 2
  if [ $fresh = 1 ]; then
    # dc1 has never pulled from dc2, so dc2 never notifies dc1: dc2's own changes (its SRV
    # records, a member joined through dc2) would wait for dc1's 300 s periodic pull
    dc_replicate 1 2 "$BASE_DN" "CN=Configuration,$BASE_DN" "CN=Schema,CN=Configuration,$BASE_DN" \
      "DC=DomainDnsZones,$BASE_DN" "DC=ForestDnsZones,$BASE_DN"
  elif [ ${#CHANGES[@]} != "$n" ]; then
    dc_replicate 2 1 "$BASE_DN"       # populate wrote dc1's database directly: no notification
  fi
  dc_wait_both_listed
}
