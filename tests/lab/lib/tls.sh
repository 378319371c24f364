# shellcheck shell=bash
# Lab CA and server certificates: one for both DCs (Entra DS secure LDAP wants *.<domain>)
# and one per stand-in (its name and IP), all issued by the lab CA.
# Both carry what RFC 5280 asks, so they pass strict chain checks (openssl verify -x509_strict,
# Python 3.13's default ssl context): the CA's extensions come from a config of our own, not
# from whatever the host's openssl.cnf puts in [v3_ca].

tls_ca() {
  [ -s "$CA_FILE" ] && return 0
  mkdir -p "$(dirname "$CA_FILE")"
  printf '%s\n' "[req]" "distinguished_name=dn" "x509_extensions=ca" "[dn]" "[ca]" \
    "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" > "$CA_FILE.cnf"
  openssl req -x509 -config "$CA_FILE.cnf" -newkey rsa:2048 -nodes -days 3650 \
    -subj "/CN=nasjoin lab CA $REALM" -keyout "$CA_KEY" -out "$CA_FILE" 2>/dev/null
  rm -f "$CA_FILE.cnf"
  chmod 600 "$CA_KEY"
  changed "lab CA"
}

# tls_issue DIR CN SAN: DIR/key.pem (0600, Samba refuses others) and DIR/cert.pem; issued
# again when the SAN list changed
tls_issue() {
  local dir=$1 cn=$2 san=$3
  [ -s "$dir/cert.pem" ] && [ "$(cat "$dir/san" 2>/dev/null)" = "$san" ] && return 0
  mkdir -p "$dir"
  printf '%s\n' "subjectAltName=$san" "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
    "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid:always" > "$dir/ext.cnf"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$dir/key.pem" -out "$dir/req.pem" 2>/dev/null
  chmod 600 "$dir/key.pem"
  openssl x509 -req -in "$dir/req.pem" -CA "$CA_FILE" -CAkey "$CA_KEY" -CAcreateserial \
    -days 825 -extfile "$dir/ext.cnf" -out "$dir/cert.pem" 2>/dev/null
  rm -f "$dir/req.pem" "$dir/ext.cnf"
  echo "$san" > "$dir/san"
  changed "certificate $cn"
}

tls_up() {
  local i
  tls_ca
  tls_issue "$DC_TLS_DIR" "*.$DNS_DOMAIN" "DNS:*.$DNS_DOMAIN,DNS:$DNS_DOMAIN,DNS:ldaps.$DNS_DOMAIN,$(
    for i in 1 2; do printf 'DNS:%s,IP:%s,' "${DC_FQDN[$i]}" "${DC_IP[$i]}"; done | sed 's/,$//')"
  for i in $(seq 1 "$NAS_COUNT"); do
    tls_issue "${NAS_DIR[$i]}/tls" "${NAS_FQDN[$i]}" \
      "DNS:${NAS_FQDN[$i]},DNS:${NAS_NAME[$i]},IP:${NAS_IP[$i]}"
  done
}
