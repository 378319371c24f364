"""The TrueNAS emulator's directory methods doing the real work in a stand-in (``--directory lab``): joins and
leaves of the lab's Entra-DS-shaped domain through the API over wss, checked in the stand-in (wbinfo), on the
DCs (LDAP) and on the emulator's control socket (writes, kinits). Every test leaves its stand-in not joined."""
import json
import sys
import time
from pathlib import Path

import ldap3
import pytest
import websocket

from .labprobes import ldaps

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))
from truenas_emulator.control import Control  # noqa: E402  pylint: disable=wrong-import-position

PREAUTH = "The bind password is not correct."
MEMBER = Path(__file__).resolve().parents[2] / "lab" / "nas" / "member.sh"
TIMINGS = {}


class Api:
    """A JSON-RPC 2.0 client of a stand-in's emulator: wss with the lab CA, logged in with its API key."""

    def __init__(self, nas):
        self.ws = websocket.create_connection(nas["api_url"], timeout=180, sslopt={"ca_certs": nas["ca_path"]})
        self.ids = iter(range(1, 1 << 30))
        login = self.call("auth.login_ex", {"mechanism": "API_KEY_PLAIN", "username": nas["api_user"],
                                            "api_key": nas["api_key"]})
        assert login["response_type"] == "SUCCESS", login

    def request(self, method, *params):
        ident = next(self.ids)
        self.ws.send(json.dumps({"jsonrpc": "2.0", "id": ident, "method": method, "params": list(params)}))
        while True:
            answer = json.loads(self.ws.recv())
            if answer.get("id") == ident:
                return answer

    def call(self, method, *params):
        answer = self.request(method, *params)
        assert "error" not in answer, answer
        return answer["result"]

    def job(self, method, *params):
        """Run a job method to its end (legacy job ids, as 25.04 has no other way) -> core.get_jobs entry."""
        job_id = self.call(method, *params)
        while True:
            entry = self.call("core.get_jobs", [["id", "=", job_id]], {"get": True})
            if entry["state"] in ("SUCCESS", "FAILED", "ABORTED"):
                return entry
            time.sleep(0.1)

    def close(self):
        self.ws.close()


def stand_in(any_lab, number):
    """(nas facts, Api, Control) of stand-in ``number``, not joined: a NAS left joined (by the demo, or an earlier
    run cut short) leaves through its API first; labctl leave-nas cleans up a member the emulator forgot."""
    nas = any_lab["nas"][number - 1]
    if not any_lab["emulator"]:
        pytest.skip("no TrueNAS emulator in tests/lab/truenas_emulator")
    api = Api(nas)
    leave_if_joined(any_lab, api)
    if "joined=no" not in member_status(any_lab, number):
        any_lab.labctl("leave-nas", str(number))
    assert "joined=no" in member_status(any_lab, number)
    control = Control(Path(nas["dir"]) / "control.sock")
    assert control.call("emulator.directory")["backend"] == "lab", "the stand-in's emulator runs without --directory lab"
    return nas, api, control


def leave_if_joined(any_lab, api):
    """Leave through the TrueNAS API (each release's method) when the NAS holds an enabled directory service."""
    sam, password = any_lab["join_user"]["sam"], any_lab["user_password"]
    if any_lab["truenas_version"] == "25.04":
        if api.call("activedirectory.config")["enable"]:
            api.job("activedirectory.leave", {"username": sam, "password": password})
    elif api.call("directoryservices.config")["enable"]:
        api.job("directoryservices.leave", {"credential": {"credential_type": "KERBEROS_USER", "username": sam,
                                                           "password": password}})


def member_status(any_lab, number):
    return any_lab.nas_exec(number, str(MEMBER), "status", check=False).stdout


def computer(any_lab, name, base=None):
    conn = ldaps(any_lab)
    conn.search(base or any_lab["base_dn"], f"(sAMAccountName={name.upper()}$)", ldap3.SUBTREE,
                attributes=["distinguishedName"])
    return [str(entry.distinguishedName) for entry in conn.entries]


def kinits(control, since):
    return [e for e in control.call("emulator.directory")["log"][since:] if e["op"] == "kinit"]


def test_directoryservices_join_and_leave_25_10(lab):
    nas, api, control = stand_in(lab, 2)
    join_user = lab["join_user"]
    credential = {"credential_type": "KERBEROS_USER", "username": join_user["sam"],
                  "password": lab["user_password"]}
    payload = {"service_type": "ACTIVEDIRECTORY", "enable": True, "credential": credential,
               "configuration": {"hostname": nas["name"], "domain": lab["dns_domain"]}}
    try:
        # a wrong password: PREAUTH_FAILED after exactly one kinit, nothing stored
        before = len(control.call("emulator.directory")["log"])
        wrong = api.job("directoryservices.update", {**payload, "credential": {**credential, "password": "Wr0ng-" + "x" * 8}})
        assert wrong["state"] == "FAILED" and wrong["exc_info"]["extra"] == [
            ["directoryservices.update.credential.username", PREAUTH, 22]]
        assert [(k["source"], k["result"]) for k in kinits(control, before)] == [("password", "KRB5KDC_ERR_PREAUTH_FAILED")]
        assert api.call("directoryservices.config")["enable"] is False

        control.reset_counters()
        started = time.monotonic()
        entry = api.job("directoryservices.update", payload)
        TIMINGS["25.10 join"] = round(time.monotonic() - started, 2)
        assert entry["state"] == "SUCCESS", entry["error"]
        assert entry["arguments"][0]["credential"]["password"] == "********"
        config = entry["result"]
        assert config["credential"] == {"credential_type": "KERBEROS_PRINCIPAL",
                                        "principal": f"{nas['name'].upper()}$@{lab['realm']}"}
        assert config["configuration"]["domain"] == lab["realm"] and config["kerberos_realm"] == lab["realm"]
        assert config["configuration"]["idmap"]["idmap_domain"]["name"] == lab["netbios"]
        assert config["configuration"]["site"] == "Default-First-Site-Name"
        assert api.call("directoryservices.status") == {"type": "ACTIVEDIRECTORY", "status": "HEALTHY", "status_msg": None}
        assert "succeeded" in lab.nas_exec(2, "wbinfo", "-t").stdout
        assert computer(lab, nas["name"]) == [f"CN={nas['name'].upper()},{lab['computers_ou']}"]
        assert control.counters()["writes_by_method"].get("directoryservices.update")

        # the same configuration again, as a module would send it back: no write
        control.reset_counters()
        again = {key: value for key, value in config.items() if key != "id"}
        assert api.job("directoryservices.update", again)["state"] == "SUCCESS"
        assert control.counters()["writes"] == 0

        # domain accounts through NSS/winbind, and FULL_ADMIN for AAD DC Administrators by SID
        plain = lab.user("plain")
        user = api.call("user.get_user_obj", {"username": f"{lab['netbios']}\\{plain['sam']}", "sid_info": True})
        assert user["source"] == "ACTIVEDIRECTORY" and user["sid"].startswith("S-1-5-21-") and not user["local"]
        group = api.call("group.get_group_obj", {"groupname": f"{lab['netbios']}\\{lab['groups']['admins']}",
                                                 "sid_info": True})
        privilege = api.call("privilege.create", {"name": "Entra DS admins", "ds_groups": [group["sid"]],
                                                  "roles": ["FULL_ADMIN"], "web_shell": False})
        try:
            assert privilege["ds_groups"][0]["gid"] == group["gr_gid"] and privilege["ds_groups"][0]["sid"] == group["sid"]
        finally:
            api.call("privilege.delete", privilege["id"])

        started = time.monotonic()
        left = api.job("directoryservices.leave", {"credential": credential})
        TIMINGS["25.10 leave"] = round(time.monotonic() - started, 2)
        assert left["state"] == "SUCCESS", left["error"]
        assert left["progress"]["description"] == f"Successfully left {lab['realm']}"
        assert api.call("directoryservices.status")["status"] is None
        assert api.call("directoryservices.config")["service_type"] is None
        assert computer(lab, nas["name"]) == []
        assert "joined=no" in member_status(lab, 2)
    finally:
        leave_if_joined(lab, api)
        api.close()
        control.close()
    print(f"\nemulator directory timings: {TIMINGS}")


def test_activedirectory_join_and_leave_25_04(alt_lab):
    assert alt_lab["truenas_version"] == "25.04"
    nas, api, control = stand_in(alt_lab, 1)
    join_user = alt_lab["join_user"]
    network = api.call("network.configuration.config")
    try:
        started = time.monotonic()
        entry = api.job("activedirectory.update", {"domainname": alt_lab["dns_domain"], "bindname": join_user["sam"],
                                                   "bindpw": alt_lab["user_password"], "enable": True,
                                                   "netbiosname": nas["name"]})
        TIMINGS["25.04 join"] = round(time.monotonic() - started, 2)
        assert entry["state"] == "SUCCESS", entry["error"]
        assert entry["arguments"][0]["bindpw"] == "********"
        config = entry["result"]
        assert config["kerberos_principal"] == f"{nas['name'].upper()}$@{alt_lab['realm']}" and config["enable"]
        assert api.call("directoryservices.status")["status"] == "HEALTHY"
        assert "succeeded" in alt_lab.nas_exec(1, "wbinfo", "-t").stdout
        assert computer(alt_lab, nas["name"]) == [f"CN={nas['name'].upper()},{alt_lab['computers_ou']}"]
        started = time.monotonic()
        left = api.job("activedirectory.leave", {"username": join_user["sam"], "password": alt_lab["user_password"]})
        TIMINGS["25.04 leave"] = round(time.monotonic() - started, 2)
        assert left["state"] == "SUCCESS", left["error"]
        assert api.call("activedirectory.config")["domainname"] == ""
        assert computer(alt_lab, nas["name"]) == []
    finally:
        leave_if_joined(alt_lab, api)
        if api.call("network.configuration.config")["domain"] != network["domain"]:
            api.call("network.configuration.update", {"domain": network["domain"]})
        api.close()
        control.close()
    print(f"\nemulator directory timings: {TIMINGS}")
