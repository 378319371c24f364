"""Settings, layout and facts of one lab: the only place that knows its names, addresses and paths.

    lab.py --lab-dir DIR --nas-python PY shell [--save] [up options]   bash assignments for labctl
    lab.py --lab-dir DIR --nas-python PY env [--json]                  facts as shell exports or JSON
    lab.py --lab-dir DIR --nas-python PY inventory [--output FILE]     Ansible inventory (secrets
                                                                       go to a 0600 file)

Settings given to `up` are saved in DIR/settings.json and stay in force until given again.
Standard library only: it runs with the system python3.
"""
import argparse
import json
import os
import re
import secrets
import shlex
import string
import sys

LAB_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRECTORY = os.path.join(LAB_ROOT, "dc", "directory.json")
EMULATOR = os.path.join(LAB_ROOT, "truenas_emulator", "__main__.py")
VERSIONS = ("25.10", "25.04", "26", "27")  # the emulator's personalities; the first is the default
DEFAULTS = {"realm": "AADDSCONTOSO.COM", "netbios": None, "net": "198.51.100", "prefix": "nje",
            "nas": 2, "truenas_version": VERSIONS[0], "users": 0,
            "ldap_signing": True, "tls12_only": True, "rc4_disabled": True}
IDENTITY = ("realm", "netbios", "net", "prefix")   # fixed for the life of a lab directory
API_USER = "truenas_admin"
SSH_ARGS = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"


class LabError(Exception):
    pass


def read_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def write_private(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def password():
    # AD complexity: upper and lower case, digits and symbols; 25 characters
    return "Lab-" + secrets.token_hex(6) + "-Zq9!" + secrets.token_hex(2)


def validate(s):
    if not re.fullmatch(r"(?=.{3,63}$)[A-Z0-9-]+(\.[A-Z0-9-]+)+", s["realm"]):
        raise LabError(f"--realm {s['realm']!r}: expected a DNS name such as AADDSCONTOSO.COM")
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{0,14}", s["netbios"]):
        raise LabError(f"--netbios {s['netbios']!r}: 1-15 letters, digits or '-'")
    octets = s["net"].split(".")
    if len(octets) != 3 or not all(o.isdigit() and int(o) < 256 for o in octets):
        raise LabError(f"--net {s['net']!r}: expected the first three octets of a /24, e.g. 198.51.100")
    if not re.fullmatch(r"[a-z][a-z0-9]{0,5}", s["prefix"]):
        raise LabError(f"--prefix {s['prefix']!r}: 1-6 lower-case letters or digits (interface names)")
    if not 1 <= s["nas"] <= 99:
        raise LabError("--nas: 1 to 99 stand-ins")
    if s["truenas_version"] not in VERSIONS:
        raise LabError(f"--truenas-version: one of {', '.join(VERSIONS)}")
    if s["users"] < 0:
        raise LabError("--users: 0 or more")


def resolve(lab_dir, given, save):
    """Settings in force: given on the command line, else saved with the lab, else defaults."""
    saved = read_json(os.path.join(lab_dir, "settings.json"))
    if saved is None and not save:
        raise LabError(f"no lab in {lab_dir}; run: labctl up")
    saved = saved or {}
    given = {k: v for k, v in given.items() if v is not None}
    if "realm" in given:
        given["realm"] = given["realm"].upper()
    if "netbios" in given:
        given["netbios"] = given["netbios"].upper()
    if "net" in given:
        given["net"] = re.sub(r"\.0/24$", "", given["net"])
    for key in IDENTITY:
        if key in saved and key in given and saved[key] != given[key]:
            raise LabError(f"{lab_dir} holds a lab with {key} {saved[key]}; run `labctl down --purge` "
                           f"first, or give another --lab-dir")
    s = {**DEFAULTS, **saved, **given}
    if s["netbios"] is None:
        s["netbios"] = s["realm"].split(".")[0][:15]
    validate(s)
    if " " in lab_dir or ":" in lab_dir:
        raise LabError("the lab directory must not contain spaces or colons")
    if save:
        os.makedirs(lab_dir, exist_ok=True)
        with open(os.path.join(lab_dir, "settings.json"), "w", encoding="utf-8") as f:
            json.dump(s, f, indent=1)
        ensure_files(lab_dir, s)
    return s


def ensure_files(lab_dir, s):
    """Passwords, API keys (kept across runs) and the rendered directory.json for populate.py."""
    with open(os.path.join(lab_dir, "directory.json"), "w", encoding="utf-8") as f:
        json.dump(directory(s), f, indent=1, ensure_ascii=False)
    path = os.path.join(lab_dir, "secrets.json")
    if read_json(path) is None:
        write_private(path, json.dumps({"admin_password": password(), "user_password": password()}))
    for i in range(1, s["nas"] + 1):
        keys = os.path.join(lab_dir, "nas", f"nas{i}", "api-keys.json")
        if read_json(keys) is None:
            alnum = string.ascii_letters + string.digits
            key = f"{secrets.randbelow(900) + 100}-" + "".join(secrets.choice(alnum) for dummy in range(64))
            write_private(keys, json.dumps({API_USER: key}))


def directory(s):
    """directory.json with {domain} and {tenant} filled in."""
    domain = s["realm"].lower()
    tenant = s["netbios"].lower() + ".onmicrosoft.com"
    with open(DIRECTORY, encoding="utf-8") as f:
        text = f.read()
    d = json.loads(text.replace("{domain}", domain).replace("{tenant}", tenant))
    d.pop("_comment", None)
    d["bulk"]["count"] = s["users"]
    return d


def layout(lab_dir, s, nas_python):
    domain = s["realm"].lower()
    net, p = s["net"], s["prefix"]

    def host(kind, i, offset, subdir):
        return {"name": f"{kind}{i}", "fqdn": f"{kind}{i}.{domain}", "ip": f"{net}.{offset + i}",
                "netns": f"{p}-{kind}{i}", "dir": os.path.join(lab_dir, subdir, f"{kind}{i}")}

    return {
        "domain": domain,
        "base_dn": ",".join(f"DC={part}" for part in domain.split(".")),
        "bridge": f"{p}-br",
        "host_ip": f"{net}.1",
        "dcs": [host("dc", i, 10, "") for i in (1, 2)],
        "nas": [host("nas", i, 20, "nas") for i in range(1, s["nas"] + 1)],
        "ca_file": os.path.join(lab_dir, "ca", "ca.pem"),
        "ca_key": os.path.join(lab_dir, "ca", "ca.key"),
        "dc_tls_dir": os.path.join(lab_dir, "ca", "dc"),
        "krb5_conf": os.path.join(lab_dir, "krb5.conf"),
        "ssh_key": os.path.join(lab_dir, "ssh", "id_ed25519"),
        "secrets_file": os.path.join(lab_dir, "secrets.yml"),
        "inventory_file": os.path.join(lab_dir, "inventory.yml"),
        "nas_python": nas_python,
    }


def shell_vars(lab_dir, s, lay):
    """Bash assignments: scalars, and arrays indexed 1.. for the DCs and stand-ins."""
    sec = read_json(os.path.join(lab_dir, "secrets.json"), {})
    q = shlex.quote
    scalars = {
        "LAB_DIR": lab_dir, "REALM": s["realm"], "DNS_DOMAIN": lay["domain"], "NETBIOS": s["netbios"],
        "BASE_DN": lay["base_dn"], "NET": s["net"], "PREFIX": s["prefix"], "BRIDGE": lay["bridge"],
        "HOST_IP": lay["host_ip"], "NAS_COUNT": s["nas"], "TRUENAS_VERSION": s["truenas_version"],
        "LDAP_SIGNING": int(s["ldap_signing"]), "TLS12_ONLY": int(s["tls12_only"]),
        "RC4_DISABLED": int(s["rc4_disabled"]), "CA_FILE": lay["ca_file"], "CA_KEY": lay["ca_key"],
        "DC_TLS_DIR": lay["dc_tls_dir"], "KRB5_CONF": lay["krb5_conf"], "INVENTORY": lay["inventory_file"],
        "SSH_KEY": lay["ssh_key"],
        "ADMIN_PASS": sec.get("admin_password", ""), "USER_PASS": sec.get("user_password", ""),
        "JOIN_USER": next(u["upn"] for u in directory(s)["users"] if u["role"] == "join"),
    }
    out = [f"{k}={q(str(v))}" for k, v in scalars.items()]
    for kind, hosts in (("DC", lay["dcs"]), ("NAS", lay["nas"])):
        for field in ("name", "fqdn", "ip", "netns", "dir"):
            items = " ".join(f"[{i}]={q(h[field])}" for i, h in enumerate(hosts, 1))
            out.append(f"{kind}_{field.upper()}=({items})")
    return "\n".join(out)


def facts(lab_dir, s, lay):
    sec = read_json(os.path.join(lab_dir, "secrets.json"), {})
    d = directory(s)
    users = {u["role"]: {k: u[k] for k in ("sam", "upn", "nickname")} for u in d["users"]}
    join = users["join"]
    nas = []
    for h in lay["nas"]:
        keys = read_json(os.path.join(h["dir"], "api-keys.json"), {})
        nas.append({"name": h["name"], "fqdn": h["fqdn"], "ip": h["ip"], "netns": h["netns"],
                    "dir": h["dir"], "ssh_user": "root", "ssh_key": lay["ssh_key"],
                    "python": lay["nas_python"], "api_url": f"wss://{h['ip']}/api/current",
                    "api_user": API_USER, "api_key": keys.get(API_USER, ""),
                    "ca_path": lay["ca_file"]})
    return {
        "lab_dir": lab_dir,
        "realm": s["realm"],
        "dns_domain": lay["domain"],
        "netbios": s["netbios"],
        "base_dn": lay["base_dn"],
        "users_ou": f"OU=AADDC Users,{lay['base_dn']}",
        "computers_ou": f"OU=AADDC Computers,{lay['base_dn']}",
        "network": {"cidr": f"{s['net']}.0/24", "bridge": lay["bridge"], "host_ip": lay["host_ip"],
                    "prefix": s["prefix"]},
        "dcs": [{k: h[k] for k in ("name", "fqdn", "ip", "netns")} for h in lay["dcs"]],
        "dc_ips": [h["ip"] for h in lay["dcs"]],
        "dc_fqdns": [h["fqdn"] for h in lay["dcs"]],
        "join_user": {"upn": join["upn"], "sam": join["sam"], "password": sec.get("user_password", ""),
                      "ou": "AADDC Computers"},
        "user_password": sec.get("user_password", ""),
        "users": users,
        "groups": {g["role"]: g["name"] for g in d["groups"]},
        "bulk_users": {"count": s["users"], "sam_format": d["bulk"]["sam"], "upn_format": d["bulk"]["upn"],
                       "group": d["bulk"]["group"]},
        "ca_file": lay["ca_file"],
        "krb5_conf": lay["krb5_conf"],
        "ssh_key": lay["ssh_key"],
        "secrets_file": lay["secrets_file"],
        "inventory_file": lay["inventory_file"],
        "truenas_version": s["truenas_version"],
        "emulator": os.path.exists(EMULATOR),
        "nas": nas,
        "hardening": {"ldap_signing": s["ldap_signing"], "tls12_only": s["tls12_only"],
                      "rc4_disabled": s["rc4_disabled"]},
    }


def shell_exports(obj, prefix="NASJOIN_LAB"):
    """Flatten facts: dicts nest with '_', lists of named dicts by name, other lists space-joined."""
    lines = []
    for key, value in obj.items():
        name = f"{prefix}_{key}".upper()
        if isinstance(value, dict):
            lines += shell_exports(value, name)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                lines += shell_exports(item, f"{prefix}_{item['name']}".upper())
        else:
            if isinstance(value, bool):
                value = int(value)
            elif isinstance(value, list):
                value = " ".join(value)
            lines.append(f"export {name}={shlex.quote(str(value))}")
    return lines


def yaml(value, indent=0):
    """A small YAML writer for dicts, lists and scalars (strings as JSON, which YAML reads)."""
    pad = "  " * indent
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{k}:\n{yaml(v, indent + 1)}")
            else:
                out.append(f"{pad}{k}: {yaml(v)}")
        return "\n".join(out)
    if isinstance(value, list):
        if not value:
            return "[]"
        return "\n".join(f"{pad}- {yaml(v)}" for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def inventory(f):
    """Ansible inventory of the stand-ins (SSH and API ways in); secrets in f['secrets_file']."""
    ssh, api = {}, {}
    for n in f["nas"]:
        ssh[f"{n['name']}-ssh"] = {
            "ansible_host": n["ip"], "ansible_user": n["ssh_user"],
            "ansible_ssh_private_key_file": n["ssh_key"], "ansible_ssh_common_args": SSH_ARGS,
            "ansible_python_interpreter": n["python"], "nas_name": n["name"]}
        api[f"{n['name']}-api"] = {
            "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
            "truenas_api_url": n["api_url"], "truenas_ca_path": n["ca_path"],
            "truenas_api_username": n["api_user"], "truenas_api_key": "{{ truenas_api_keys[nas_name] }}",
            "nas_name": n["name"]}
    doc = {"all": {
        "vars": {"entra_domain": f["dns_domain"], "entra_realm": f["realm"], "entra_netbios": f["netbios"],
                 "entra_dc_ips": f["dc_ips"], "entra_join_user": f["join_user"]["upn"],
                 "entra_ca_path": f["ca_file"], "lab_secrets_file": f["secrets_file"],
                 # what step 4 (entra_verify) checks: a plain user, and one with a generated sAMAccountName
                 "entra_verify_users": [f["users"][role]["upn"] for role in ("plain", "long_upn")]},
        "children": {"truenas_ssh": {"hosts": ssh}, "truenas_api": {"hosts": api},
                     # one way in per NAS, alternating, so one play shows both transports
                     "truenas": {"hosts": {f"{n['name']}-{'api' if i % 2 == 0 else 'ssh'}": None
                                           for i, n in enumerate(f["nas"])}}}}}
    head = (f"# nasjoin.entra lab inventory ({f['lab_dir']}). Secrets: ansible-playbook "
            f"-e @{f['secrets_file']}\n")
    secret_doc = {"entra_join_password": f["join_user"]["password"],
                  "truenas_api_keys": {n["name"]: n["api_key"] for n in f["nas"]}}
    return head + yaml(doc) + "\n", yaml(secret_doc) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab-dir", required=True)
    ap.add_argument("--nas-python", required=True, help="the stand-ins' Python (machine-wide)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sh = sub.add_parser("shell")
    sh.add_argument("--save", action="store_true")
    sh.add_argument("--realm")
    sh.add_argument("--netbios")
    sh.add_argument("--net")
    sh.add_argument("--prefix")
    sh.add_argument("--nas", type=int)
    sh.add_argument("--truenas-version", help=f"emulator personality: {', '.join(VERSIONS)} (default {VERSIONS[0]})")
    sh.add_argument("--users", type=int)
    # hardening switches: Entra DS's hardened setting, and the flag that turns it off
    for key, on, off in (("ldap_signing", "--ldap-signing", "--no-ldap-signing"),
                         ("tls12_only", "--tls12-only", "--allow-old-tls"),
                         ("rc4_disabled", "--no-rc4", "--rc4")):
        g = sh.add_mutually_exclusive_group()
        g.add_argument(on, dest=key, action="store_const", const=True, default=None)
        g.add_argument(off, dest=key, action="store_const", const=False)
    env = sub.add_parser("env")
    env.add_argument("--json", action="store_true")
    inv = sub.add_parser("inventory")
    inv.add_argument("--output")
    a = ap.parse_args(argv)
    lab_dir = os.path.abspath(a.lab_dir)
    given = {k: getattr(a, k, None) for k in DEFAULTS}
    try:
        s = resolve(lab_dir, given, getattr(a, "save", False))
    except LabError as exc:
        print(f"labctl: {exc}", file=sys.stderr)
        return 2
    lay = layout(lab_dir, s, a.nas_python)
    if a.cmd == "shell":
        print(shell_vars(lab_dir, s, lay))
        return 0
    f = facts(lab_dir, s, lay)
    if a.cmd == "env":
        print(json.dumps(f, indent=1, ensure_ascii=False) if a.json else "\n".join(shell_exports(f)))
        return 0
    text, secret_text = inventory(f)
    write_private(f["secrets_file"], secret_text)
    if a.output:
        with open(a.output, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
