# shellcheck shell=bash
# Faults that tests put into a running lab and take out again (each test restores its own):
#   block-port DC PORT|all [tcp|udp]  drop what reaches PORT (every port with `all`; TCP and UDP
#                                     unless one is given) on lab0 inside DC's namespace, as a
#                                     firewall or NSG would: the client sees a timeout
#   unblock-port DC [PORT|all]        take that block out again; without PORT, every block on DC
#   count-bad-passwords SAM on|off    a password settings object (PSO) on user SAM with a lockout
#                                     threshold of 1000 in 2 minutes: Samba counts bad passwords
#                                     (badPwdCount) only where a threshold is set, and the lab's
#                                     domain policy has none; 1000 never locks the user out. `on`
#                                     starts from 0 on both DCs (one good logon at each)
#   delay DC MS                       hold every packet that reaches DC on lab0 for MS milliseconds
#                                     (tools/delay.py on an NFQUEUE queue: works where the kernel
#                                     has no netem); each round trip to DC takes MS longer
#   undelay DC                        take the delay out again

FAULT_TABLE=labfaults
BAD_PWD_PSO=lab-count-bad-passwords

dc_nft() { # dc_nft I NFT-ARGS...: nft inside DC I's namespace
  local i=$1; shift
  command -v nft >/dev/null || die "nft not found: install nftables (labctl install)"
  ip netns exec "${DC_NETNS[$i]}" nft "$@"
}

dc_number() {
  [[ ${1:-} =~ ^[12]$ ]] || die "DC number 1 or 2 expected, got '${1:-}'"
  echo "$1"
}

# port_range PORT|all: the set element nft takes
port_range() {
  case $1 in
    all) echo 1-65535 ;;
    *) if ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ] || [ "$1" -gt 65535 ]; then
         die "port 1-65535 or 'all' expected, got '$1'"
       fi
       echo "$1" ;;
  esac
}

fault_block_port() {
  local i port protos p
  i=$(dc_number "${1:-}"); port=$(port_range "${2:?port or all}"); protos=${3:-tcp udp}
  [[ $protos =~ ^(tcp|udp|tcp\ udp)$ ]] || die "protocol tcp or udp expected, got '$protos'"
  dc_nft "$i" list table inet "$FAULT_TABLE" >/dev/null 2>&1 || dc_nft "$i" -f - <<EOF
table inet $FAULT_TABLE {
	set tcp_ports { type inet_service; flags interval; }
	set udp_ports { type inet_service; flags interval; }
	chain input {
		type filter hook input priority 0; policy accept;
		iifname "lab0" tcp dport @tcp_ports drop
		iifname "lab0" udp dport @udp_ports drop
	}
}
EOF
  for p in $protos; do dc_nft "$i" add element inet "$FAULT_TABLE" "${p}_ports" "{ $port }"; done
  log "${DC_NAME[$i]}: dropping ${protos// //} to port ${2}"
}

fault_unblock_port() {
  local i port p
  i=$(dc_number "${1:-}")
  dc_nft "$i" list table inet "$FAULT_TABLE" >/dev/null 2>&1 || return 0
  if [ "${2:-all}" = all ]; then
    dc_nft "$i" delete table inet "$FAULT_TABLE"
  else
    port=$(port_range "$2")
    for p in tcp udp; do dc_nft "$i" delete element inet "$FAULT_TABLE" "${p}_ports" "{ $port }" 2>/dev/null || true; done
    # the last block gone: no trace of the table either
    dc_nft "$i" list table inet "$FAULT_TABLE" | grep -q 'elements =' || dc_nft "$i" delete table inet "$FAULT_TABLE"
  fi
  log "${DC_NAME[$i]}: port ${2:-all} open again"
}

# the NFQUEUE rule of `delay` (--queue-bypass: should delay.py die, packets pass undelayed instead of being dropped)
DELAY_QUEUE=7
DELAY_RULE=(INPUT -i lab0 -j NFQUEUE --queue-num "$DELAY_QUEUE" --queue-bypass)

dc_iptables() { # dc_iptables I IPTABLES-ARGS...: iptables inside DC I's namespace
  local i=$1; shift
  ip netns exec "${DC_NETNS[$i]}" iptables "$@"
}

fault_delay() {
  local i ms pidfile
  i=$(dc_number "${1:-}"); ms=${2:-}
  [[ $ms =~ ^[0-9]{1,4}(\.[0-9]+)?$ ]] || die "milliseconds expected (0-9999), got '$ms'"
  command -v iptables >/dev/null || die "iptables not found: install it (labctl install)"
  fault_undelay "$i" >/dev/null 2>&1
  pidfile=$LAB_DIR/delay-dc$i.pid
  ip netns exec "${DC_NETNS[$i]}" python3 "$LAB/tools/delay.py" --queue "$DELAY_QUEUE" --ms "$ms" \
    > "$LAB_DIR/delay-dc$i.log" 2>&1 &
  echo $! > "$pidfile"
  local tries=50
  until grep -q '^delay:' "$LAB_DIR/delay-dc$i.log"; do   # bound to its queue before any packet goes there
    kill -0 "$(cat "$pidfile")" 2>/dev/null || die "delay.py stopped: $(cat "$LAB_DIR/delay-dc$i.log")"
    tries=$((tries - 1)); [ $tries -gt 0 ] || die "delay.py did not start"
    sleep 0.1
  done
  dc_iptables "$i" -I "${DELAY_RULE[@]}"
  log "${DC_NAME[$i]}: every packet in on lab0 held ${ms} ms"
}

fault_undelay() {
  local i pidfile
  i=$(dc_number "${1:-}"); pidfile=$LAB_DIR/delay-dc$i.pid
  while dc_iptables "$i" -D "${DELAY_RULE[@]}" 2>/dev/null; do :; done
  if [ -f "$pidfile" ]; then
    local pid tries=50
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ $tries -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done   # it unbinds the queue
    rm -f "$pidfile"
  fi
  log "${DC_NAME[$i]}: no delay"
}

# samba-tool against dc1 over LDAP as Administrator (password from PASSWD, not argv)
dc1_tool() {
  assert_safe_route "${DC_IP[1]}"
  PASSWD=$ADMIN_PASS dc_exec 1 samba-tool "$@" -H "ldap://${DC_FQDN[1]}" -U "$NETBIOS\\Administrator" >/dev/null
}

# good_logons SAM: one Kerberos logon of SAM at each DC, which sets its badPwdCount there (each DC
# keeps its own) back to 0; the password goes to kinit on stdin
good_logons() {
  local i conf
  conf=$(mktemp)
  for i in 1 2; do
    assert_safe_route "${DC_IP[$i]}"
    printf '[libdefaults]\n\tdns_lookup_kdc = false\n[realms]\n\t%s = {\n\t\tkdc = %s\n\t}\n' "$REALM" "${DC_IP[$i]}" > "$conf"
    KRB5_CONFIG=$conf KRB5CCNAME=MEMORY: kinit "$1@$REALM" <<< "$USER_PASS" >/dev/null ||
      { rm -f "$conf"; die "kinit of $1 at ${DC_NAME[$i]} failed"; }
  done
  rm -f "$conf"
}

fault_count_bad_passwords() {
  local sam=${1:?user sAMAccountName} state=${2:?on or off}
  [[ $state =~ ^(on|off)$ ]] || die "on or off expected, got '$state'"
  # from scratch each time, so that an earlier run cut short leaves nothing in the way
  if dc1_tool domain passwordsettings pso show "$BAD_PWD_PSO" 2>/dev/null; then
    dc1_tool domain passwordsettings pso delete "$BAD_PWD_PSO"
  fi
  if [ "$state" = on ]; then
    dc1_tool domain passwordsettings pso create "$BAD_PWD_PSO" 1 --account-lockout-threshold=1000 \
      --reset-account-lockout-after=2 --account-lockout-duration=1
    dc1_tool domain passwordsettings pso apply "$BAD_PWD_PSO" "$sam"
  fi
  # dc2 counts the same way at once; when it cannot pull now, its next periodic pull brings it
  (dc_replicate 2 1 "$BASE_DN") || log "${DC_NAME[2]} did not replicate now; it will on its next pull"
  [ "$state" = off ] || good_logons "$sam"
  log "bad password counting for $sam: $state"
}
