# shellcheck shell=bash
# Network: bridge $BRIDGE ($HOST_IP/24) in the host, one namespace per DC and stand-in with
# interface lab0 on that bridge and no default route (nothing in the lab reaches any
# other address), and each namespace's own /etc/netns/<ns>/{hosts,resolv.conf}.

# host traffic to a lab address must leave through the lab bridge, never another interface
assert_safe_route() {
  local r
  r=$(ip route get "$1" 2>/dev/null) || die "no route to $1"
  [[ $r == *" dev $BRIDGE "* ]] || die "route to $1 does not go via $BRIDGE ($r); refusing to send traffic"
}

# every namespace of this lab (also stand-ins left from a larger --nas)
lab_namespaces() {
  [ -d /run/netns ] || return 0
  find /run/netns -maxdepth 1 -regextype egrep -regex "/run/netns/$PREFIX-(dc|nas)[0-9]+" -printf '%f\n' | sort
}

bridge_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    # the lab /24 must be free: no host address or route in it
    if ip -4 -o addr show | grep -qF " inet $NET." || ip -4 route show | grep -q "^${NET//./\\.}\\."; then
      die "$NET.0/24 is in use on this host; choose another with --net"
    fi
    ip link add "$BRIDGE" type bridge
    sysctl -q -w "net.ipv6.conf.$BRIDGE.disable_ipv6=1"
    ip addr add "$HOST_IP/24" dev "$BRIDGE"
    changed "bridge $BRIDGE"
  fi
  ip link set "$BRIDGE" up
}

# ns_up NETNS IP: namespace with lab0 (veth to the bridge, host side named like the namespace)
ns_up() {
  local ns=$1 ip=$2
  if [ ! -e "/run/netns/$ns" ]; then
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
    changed "netns $ns"
  fi
  if ! ip -n "$ns" link show lab0 >/dev/null 2>&1; then
    ip link del "$ns" 2>/dev/null || true      # a half-deleted pair of an earlier run
    ip link add "$ns" type veth peer name lab0 netns "$ns"
    ip link set "$ns" master "$BRIDGE" up
    ip -n "$ns" addr add "$ip/24" dev lab0
    ip -n "$ns" link set lab0 up
    ip neigh flush to "$ip"           # the host's ARP entry for an earlier lab0 holds its MAC
    changed "veth $ns"
  fi
  assert_safe_route "$ip"
}

# etc_resolv NETNS NAMESERVER...: the namespace's resolv.conf
etc_resolv() {
  local ns=$1; shift
  write_file "/etc/netns/$ns/resolv.conf" <<< "$(echo "search $DNS_DOMAIN"; printf 'nameserver %s\n' "$@")"
}

net_up() {
  local i hosts
  bridge_up
  hosts=$(printf '127.0.0.1\tlocalhost\n'
          for i in 1 2; do printf '%s\t%s %s\n' "${DC_IP[$i]}" "${DC_FQDN[$i]}" "${DC_NAME[$i]}"; done
          for i in $(seq 1 "$NAS_COUNT"); do printf '%s\t%s %s\n' "${NAS_IP[$i]}" "${NAS_FQDN[$i]}" "${NAS_NAME[$i]}"; done)
  for i in 1 2; do
    ns_up "${DC_NETNS[$i]}" "${DC_IP[$i]}"
    write_file "/etc/netns/${DC_NETNS[$i]}/hosts" <<< "$hosts"
  done
  # each DC asks itself first; Samba's DNS client waits 1 s per lookup for a dead first server
  etc_resolv "${DC_NETNS[1]}" "${DC_IP[1]}" "${DC_IP[2]}"
  etc_resolv "${DC_NETNS[2]}" "${DC_IP[2]}" "${DC_IP[1]}"
  # a stand-in's resolv.conf starts with both DCs; from then on it is the NAS's own (the
  # emulator rewrites it on DNS changes)
  for i in $(seq 1 "$NAS_COUNT"); do
    ns_up "${NAS_NETNS[$i]}" "${NAS_IP[$i]}"
    write_file "/etc/netns/${NAS_NETNS[$i]}/hosts" <<< "$hosts"
    [ -e "/etc/netns/${NAS_NETNS[$i]}/resolv.conf" ] || etc_resolv "${NAS_NETNS[$i]}" "${DC_IP[1]}" "${DC_IP[2]}"
  done
}

# ns_stop NETNS: stop every process in the namespace (all of them were started by the lab)
ns_stop() {
  [ -e "/run/netns/$1" ] || return 0
  # shellcheck disable=SC2046
  stop_pids 15 $(ip netns pids "$1")
}

# ns_remove NETNS: its processes, veth, namespace, /etc/netns/NETNS and a stand-in's authorized keys
ns_remove() {
  ns_stop "$1"
  ip link del "$1" 2>/dev/null || true          # synchronously; `ip netns del` is not
  [ -e "/run/netns/$1" ] && ip netns del "$1"
  rm -rf "/etc/netns/$1" "$(nas_keys_dir "$1")"
}

net_down() {
  local ns
  for ns in $(lab_namespaces); do ns_remove "$ns" & done
  wait
  rmdir /etc/netns /run/nasjoin-lab 2>/dev/null || true
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE"; fi
}
