"""The ActiveSync device administration CLI (`switchboard mobile ...`) against devices that talked
to the real server over TLS: plain and --json output, ACCOUNT as an address or a uuid, the
domains filter of getAllDevices, doResetDevice and doResumeDeviceSync for one device or every
device of an account, device information (model, OS, IMEI) from Settings and Provision, and
doPurgeMobileState's retention period."""
import re
import sqlite3
import time

from eas_client import Device, Phone, text
from harness import ServerTestCase

PASSWORD = "Secret-Pass-1"
DAY_MS = 86_400_000


def rows(out):
    """Plain CLI output → list of (key, value): keys and values are separated by 4+ spaces."""
    result = []
    for line in out.splitlines():
        if not line.strip():
            continue
        parts = re.split(r"\s{4,}", line.strip(), maxsplit=1)
        result.append((parts[0], parts[1] if len(parts) > 1 else ""))
    return result


class EasAdminTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        for dom in ("one.example", "two.example", "three.example"):
            s.cli("prov", "cd", dom)
        cls.port = int(s.status()["listeners"]["eas"].rsplit(":", 1)[1])

    def account(self, address):
        uuid = self.server.cli("prov", "ca", address, PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE").out.strip()
        self.assertRegex(uuid, r"^[0-9a-f-]{36}$")
        return uuid

    def device(self, user, device_id, **kw):
        return Device(self.port, self.server.ca_file, user, PASSWORD, device_id=device_id, **kw)

    def ready(self, user, device_id, **kw):
        d = self.device(user, device_id, **kw)
        d.provision()
        fs = d.folder_sync()
        self.assertEqual(text(fs.xml, "Status"), "1", fs)
        d.hierarchy_key = text(fs.xml, "SyncKey")
        return d

    def synced(self, user, device_id, **kw):
        d = self.ready(user, device_id, **kw)
        self.server.cli("contacts", "add", user, "firstName", f"Of{device_id}")
        phone = Phone(d)
        phone.sync_all()
        self.assertGreaterEqual(len(phone.items), 1)
        return d, phone

    def states(self, account, device_id):
        return self.server.json("mobile", "getDeviceInfo", account, device_id, "verbose", "true")["syncStates"]

    # ---- output forms ----

    def test_plain_and_json_output_and_uuid(self):
        user = "amy@one.example"
        uuid = self.account(user)
        self.ready(user, "AmyPhone", device_type="iPhone", user_agent="Apple-iPhone/1705.1")
        self.ready(user, "AmyTab", device_type="Android", user_agent="Android/14", version="16.1")

        listed = self.server.json("mobile", "getDeviceList", user)
        self.assertEqual(listed["account"], user)
        by_id = {d["deviceId"]: d for d in listed["devices"]}
        self.assertEqual(set(by_id), {"AmyPhone", "AmyTab"})
        self.assertEqual(by_id["AmyTab"]["deviceType"], "Android")
        self.assertEqual(by_id["AmyTab"]["userAgent"], "Android/14")
        self.assertEqual(by_id["AmyTab"]["protocolVersion"], "16.1")
        self.assertEqual(by_id["AmyPhone"]["protocolVersion"], "14.1")
        for d in by_id.values():
            self.assertEqual(d["accountEmail"], user)
            self.assertEqual(d["status"], "active")
            self.assertTrue(d["provisioned"])
            self.assertGreater(d["lastSeen"], 0)
            self.assertLessEqual(d["firstSeen"], d["lastSeen"])
            self.assertEqual(d["lastCommandReceived"], "FolderSync")
        self.assertEqual(sorted(self.server.cli("mobile", "getDeviceList", user).out.split()), ["AmyPhone", "AmyTab"])

        info = self.server.json("mobile", "getDeviceInfo", user, "AmyTab")
        self.assertEqual(info["deviceId"], "AmyTab")
        self.assertEqual(info["accountEmail"], user)
        self.assertEqual(info["deviceType"], "Android")
        self.assertEqual(info["wipe"], "none")
        plain = dict(rows(self.server.cli("mobile", "getDeviceInfo", user, "AmyTab").out))
        self.assertEqual(plain["account"], user)
        self.assertEqual(plain["device_id"], "AmyTab")
        self.assertEqual(plain["device_type"], "Android")
        self.assertEqual(plain["user_agent"], "Android/14")
        self.assertEqual(plain["protocol_version"], "16.1")
        self.assertEqual(plain["status"], "active")
        self.assertEqual(plain["provisioned"], "yes")
        self.assertEqual(plain["last_command"], "FolderSync")
        self.assertNotEqual(plain["last_seen"], "never")

        # ACCOUNT as the account's uuid
        self.assertEqual(sorted(self.server.cli("mobile", "getDeviceList", uuid).out.split()), ["AmyPhone", "AmyTab"])
        self.assertEqual(self.server.json("mobile", "getDeviceInfo", uuid, "AmyPhone")["accountEmail"], user)
        self.server.cli("mobile", "doSuspendDeviceSync", uuid, "AmyPhone")
        self.assertEqual(self.server.json("mobile", "getDeviceInfo", user, "AmyPhone")["status"], "suspended")
        self.server.cli("mobile", "doResumeDeviceSync", uuid, "device_id", "AmyPhone")
        self.assertEqual(self.server.json("mobile", "getDeviceInfo", user, "AmyPhone")["status"], "active")

        # getProvisioning, plain: one row per policy attribute with its value and where it comes from
        self.server.cli("mobile", "setProvisioning", "account", user, "AllowCamera", "false")
        prov = dict(rows(self.server.cli("mobile", "getProvisioning", "account", user).out))
        self.assertEqual(prov["zimbraMobilePolicyAllowCamera"], "0    (account)")
        self.assertEqual(prov["zimbraMobilePolicyMinDevicePasswordLength"], "4    (cos default)")
        one = rows(self.server.cli("mobile", "getProvisioning", "account", user, "key", "AllowBluetooth").out)
        self.assertEqual(len(one), 1, one)
        self.assertEqual(one[0][0], "zimbraMobilePolicyAllowBluetooth")
        self.assertTrue(one[0][1].startswith("2 "), one)

    def test_get_all_devices_filters_by_domains(self):
        self.account("ben@one.example")
        self.account("cat@two.example")
        self.account("dan@three.example")
        self.ready("ben@one.example", "BenPhone")
        self.ready("cat@two.example", "CatPhone", device_type="Android")
        self.ready("dan@three.example", "DanPhone")

        def ids(*args):
            return {(d["accountEmail"], d["deviceId"]) for d in self.server.json("mobile", "getAllDevices", *args)
                    ["devices"]}

        everything = ids()
        for pair in (("ben@one.example", "BenPhone"), ("cat@two.example", "CatPhone"),
                     ("dan@three.example", "DanPhone")):
            self.assertIn(pair, everything)
        one = ids("domains", "one.example")
        self.assertIn(("ben@one.example", "BenPhone"), one)
        self.assertTrue(all(a.endswith("@one.example") for a, _ in one), one)
        two = ids("domains", "one.example,two.example")
        self.assertIn(("ben@one.example", "BenPhone"), two)
        self.assertIn(("cat@two.example", "CatPhone"), two)
        self.assertNotIn(("dan@three.example", "DanPhone"), two)
        self.assertTrue(all(a.split("@")[1] in ("one.example", "two.example") for a, _ in two), two)
        self.assertEqual(ids("domains", "two.example"), {("cat@two.example", "CatPhone")})

        # plain: one row per device (account, then device id, type and last seen)
        plain = rows(self.server.cli("mobile", "getAllDevices", "domains", "two.example,three.example").out)
        self.assertEqual(sorted(k for k, _ in plain), ["cat@two.example", "dan@three.example"])
        cat = dict(plain)["cat@two.example"]
        self.assertRegex(cat, r"^CatPhone\s+Android\s+last seen \S")
        verbose = dict(rows(self.server.cli("mobile", "getAllDevices", "verbose", "true", "domains",
                                            "two.example").out))
        self.assertEqual(verbose["device_id"], "CatPhone")
        self.assertEqual(verbose["account"], "cat@two.example")

    # ---- reset and resume, one device or all ----

    def test_reset_one_device_or_all_devices(self):
        user = "eva@one.example"
        self.account(user)
        d1, p1 = self.synced(user, "EvaPhone")
        d2, p2 = self.synced(user, "EvaTab")
        self.assertEqual({s["collection"] for s in self.states(user, "EvaTab")}, {"", "7"})

        # device_id D: only that device starts over
        out = self.server.json("mobile", "doResetDevice", user, "device_id", "EvaPhone")
        self.assertEqual(out["reset"], 1)
        self.assertEqual(self.states(user, "EvaPhone"), [])
        self.assertEqual({s["collection"] for s in self.states(user, "EvaTab")}, {"", "7"})
        a = d1.sync([{"id": "7", "key": p1.key}])
        self.assertEqual(text(a.xml, "Status"), "12", a)
        coll, _ = p2.sync_once()  # the other device goes on with its keys
        self.assertEqual(text(coll, "Status"), "1")
        self.assertEqual(text(d2.folder_sync(d2.hierarchy_key).xml, "Status"), "1")

        # no device: every device of the account starts over
        d1.folder_sync("0")
        Phone(d1).sync_all()
        out = self.server.json("mobile", "doResetDevice", user)
        self.assertEqual(out["reset"], 2)
        for dev, phone in ((d1, p1), (d2, p2)):
            self.assertEqual(self.states(user, dev.device_id), [])
            self.assertEqual(text(dev.folder_sync(dev.hierarchy_key).xml, "Status"), "9")
        self.assertEqual(text(d2.sync([{"id": "7", "key": p2.key}]).xml, "Status"), "12")
        self.assertEqual(text(d2.folder_sync("0").xml, "Status"), "1")
        fresh = Phone(d2)
        fresh.sync_all()
        self.assertEqual(set(fresh.items), set(p2.items))

    def test_resume_all_devices_of_an_account(self):
        user = "fin@one.example"
        self.account(user)
        devices = [self.synced(user, f"FinDev{i}") for i in range(2)]
        for d, _ in devices:
            self.server.cli("mobile", "doSuspendDeviceSync", user, d.device_id)
        for d, phone in devices:
            self.assertEqual(d.sync([{"id": "7", "key": phone.key}]).status, 403)
            self.assertEqual(self.server.json("mobile", "getDeviceInfo", user, d.device_id)["status"], "suspended")
        out = self.server.json("mobile", "doResumeDeviceSync", user)
        self.assertEqual(out["resumed"], 2)
        for d, phone in devices:
            coll, _ = phone.sync_once()
            self.assertEqual(text(coll, "Status"), "1")
            self.assertEqual(self.server.json("mobile", "getDeviceInfo", user, d.device_id)["status"], "active")

    # ---- device information ----

    def test_model_os_imei_from_settings_and_provision(self):
        user = "gia@one.example"
        self.account(user)
        d = self.ready(user, "GiaPhone")
        a = d.post("Settings", '<Settings xmlns="Settings:"><DeviceInformation><Set>'
                               '<Model>iPhone15,2</Model><IMEI>356938035643809</IMEI>'
                               '<FriendlyName>Gia phone</FriendlyName><OS>iOS 17.5.1 21F90</OS>'
                               '<OSLanguage>Italiano</OSLanguage><PhoneNumber>+393331234567</PhoneNumber>'
                               '</Set></DeviceInformation></Settings>')
        self.assertEqual(text(a.xml, "Status"), "1", a)
        self.assertEqual(text(a.xml, "DeviceInformation/Status"), "1", a)
        plain = dict(rows(self.server.cli("mobile", "getDeviceInfo", user, "GiaPhone").out))
        self.assertEqual(plain["model"], "iPhone15,2")
        self.assertEqual(plain["imei"], "356938035643809")
        self.assertEqual(plain["os"], "iOS 17.5.1 21F90")
        self.assertEqual(plain["phonenumber"], "+393331234567")
        info = self.server.json("mobile", "getDeviceInfo", user, "GiaPhone")
        self.assertEqual(info["model"], "iPhone15,2")
        self.assertEqual(info["friendlyName"], "Gia phone")
        self.assertEqual((info["imei"], info["os"], info["osLanguage"], info["phoneNumber"]),
                         ("356938035643809", "iOS 17.5.1 21F90", "Italiano", "+393331234567"))

        # 14.1: the device describes itself inside Provision
        p = self.device(user, "GiaTab", device_type="Android", user_agent="Android/14")
        first = p.post("Provision", '<Provision xmlns="Provision:" xmlns:s="Settings:"><s:DeviceInformation><s:Set>'
                                    '<s:Model>Pixel 8</s:Model><s:IMEI>490154203237518</s:IMEI>'
                                    '<s:OS>Android 14</s:OS></s:Set></s:DeviceInformation>'
                                    '<Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType></Policy>'
                                    '</Policies></Provision>')
        self.assertEqual(text(first.xml, "Status"), "1", first)
        self.assertIsNotNone(text(first.xml, "Policies/Policy/PolicyKey"), first)
        tab = dict(rows(self.server.cli("mobile", "getDeviceInfo", user, "GiaTab").out))
        self.assertEqual((tab["model"], tab["imei"], tab["os"]), ("Pixel 8", "490154203237518", "Android 14"))
        # A later Settings merges: new values replace, the others stay
        p.provision()
        self.assertEqual(text(p.post("Settings", '<Settings xmlns="Settings:"><DeviceInformation><Set>'
                                                 '<OS>Android 15</OS></Set></DeviceInformation></Settings>')
                              .xml, "DeviceInformation/Status"), "1")
        tab = dict(rows(self.server.cli("mobile", "getDeviceInfo", user, "GiaTab").out))
        self.assertEqual((tab["model"], tab["os"]), ("Pixel 8", "Android 15"))

    # ---- purge ----

    def age(self, account_address, device_id, days):
        """Sets a device's last-seen time `days` in the past (as if it had not connected since)."""
        con = sqlite3.connect(self.server.db_path, timeout=30)
        try:
            n = con.execute("UPDATE eas_devices SET last_seen = ? WHERE device_id = ? AND account_id = "
                            "(SELECT id FROM accounts WHERE uuid = ?)",
                            (int(time.time() * 1000) - days * DAY_MS, device_id,
                             self.uuids[account_address])).rowcount
            con.commit()
        finally:
            con.close()
        self.assertEqual(n, 1)

    def test_purge_mobile_state_by_retention_period(self):
        self.uuids = {}
        user = "hal@two.example"
        self.uuids[user] = self.account(user)
        for dev in ("HalOld", "HalMid", "HalNew", "HalAncient"):
            self.synced(user, dev)
        self.age(user, "HalOld", 40)
        self.age(user, "HalMid", 10)
        self.age(user, "HalAncient", 100)

        out = self.server.json("mobile", "doPurgeMobileState", "retention-period", "30")
        self.assertEqual(out["retentionDays"], 30)
        self.assertEqual(out["removedDevices"], 2)
        self.assertEqual(sorted(self.server.cli("mobile", "getDeviceList", user).out.split()), ["HalMid", "HalNew"])
        # the purged devices' sync states went with them; the kept ones still have theirs
        left = {r[0] for r in self.server.db_query("SELECT DISTINCT device_id FROM eas_sync_states WHERE device_id "
                                                   "LIKE 'Hal%'")}
        self.assertEqual(left, {"HalMid", "HalNew"})
        self.assertEqual({s["collection"] for s in self.states(user, "HalMid")}, {"", "7"})

        # default retention: 90 days
        self.age(user, "HalMid", 95)
        out = self.server.json("mobile", "doPurgeMobileState")
        self.assertEqual((out["retentionDays"], out["removedDevices"]), (90, 1))
        self.assertEqual(self.server.cli("mobile", "getDeviceList", user).out.split(), ["HalNew"])
        plain = self.server.cli("mobile", "doPurgeMobileState", "retention-period", "1").out
        self.assertIn("removed 0 device(s)", plain)
        self.assertEqual(self.server.cli("mobile", "getDeviceList", user).out.split(), ["HalNew"])
        self.assertFails("mobile", "doPurgeMobileState", "retention-period", "soon")
