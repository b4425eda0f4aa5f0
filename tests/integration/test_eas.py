"""ActiveSync conversations against the real server over TLS: OPTIONS, Provision in
both phases, FolderSync, a 2,000-contact initial sync in windows, two-way changes, a replayed
SyncKey, two devices on one account, Ping woken by a contact added through the CLI, remote wipe,
suspend/resume, reset, and bad input. Requests are encoded by xml2wbxml and every answer is
decoded by wbxml2xml (eas_client)."""
import ssl
import threading
import time
import unittest
import xml.etree.ElementTree as ET

from eas_client import Device, Phone, contact_xml, decode, encode, parked, text, wait_parked
from harness import ServerTestCase

USER = "anna@eas.example"
PASSWORD = "Secret-Pass-1"


def vcards(n, prefix):
    return "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{prefix}{i:05d};Person;;;\r\nFN:Person {prefix}{i:05d}\r\n"
                   f"EMAIL:{prefix.lower()}{i}@people.example\r\nTEL;TYPE=CELL:+39 333 {i:07d}\r\nEND:VCARD\r\n"
                   for i in range(n))


class EasTest(ServerTestCase):
    # The [eas] section is the last one the harness writes: these keys land in it.
    extra_config = "min_heartbeat = 1\nmax_body_bytes = 1048576\n"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.cli("prov", "cd", "eas.example")
        for u in (USER, "bob@eas.example", "carl@eas.example"):
            s.cli("prov", "ca", u, PASSWORD)
        s.cli("prov", "ma", USER, "zimbraFeatureMobileSyncEnabled", "TRUE")
        s.cli("prov", "ma", "carl@eas.example", "zimbraFeatureMobileSyncEnabled", "TRUE")
        cls.port = s.status()["listeners"]["eas"].rsplit(":", 1)[1]

    def device(self, device_id, user=USER, **kw):
        return Device(int(self.port), self.server.ca_file, user, PASSWORD, device_id=device_id, **kw)

    def ready(self, device_id, user=USER, **kw):
        d = self.device(device_id, user, **kw)
        d.provision()
        fs = d.folder_sync()
        self.assertEqual(text(fs.xml, "Status"), "1", fs)
        return d, fs

    # ---- transport and authentication ----

    def test_options_and_authentication(self):
        d = self.device("OptDev")
        status, headers = d.options()
        self.assertEqual(status, 200)
        self.assertEqual(headers["MS-ASProtocolVersions"], "2.5,12.0,12.1,14.0,14.1,16.0,16.1")
        for c in ("Sync", "FolderSync", "Ping", "Provision", "GetItemEstimate", "Settings"):
            self.assertIn(c, headers["MS-ASProtocolCommands"].split(","))
        status, headers, _ = d.raw("OPTIONS", "/Microsoft-Server-ActiveSync")
        self.assertEqual(status, 401)
        self.assertIn("Basic", headers.get("WWW-Authenticate", ""))
        self.assertEqual(d.post("FolderSync", body=b"", password="wrong").status, 401)
        # mobile sync not enabled for bob: 403
        bob = self.device("BobDev", user="bob@eas.example")
        self.assertEqual(bob.options()[0], 403)

    def test_provision_and_folder_sync(self):
        d = self.device("ProvDev")
        a = d.folder_sync()
        self.assertEqual(text(a.xml, "Status"), "142", a)  # 14.1: not provisioned
        old = self.device("OldDev", version="12.1")
        self.assertEqual(old.folder_sync().status, 449)
        p1, p2 = d.provision()
        doc = p1.xml.find("Policies/Policy/Data/EASProvisionDoc")
        self.assertEqual(text(doc, "DevicePasswordEnabled"), "1")
        self.assertEqual(text(doc, "MinDevicePasswordLength"), "4")
        self.assertEqual(text(doc, "AllowBluetooth"), "2")
        self.assertNotEqual(text(p1.xml, "Policies/Policy/PolicyKey"), str(d.policy_key))
        fs = d.folder_sync()
        self.assertEqual(text(fs.xml, "Status"), "1", fs)
        types = {text(f, "DisplayName"): text(f, "Type") for f in fs.xml.findall("Changes/Add")}
        self.assertEqual(types["Inbox"], "2")
        self.assertEqual(types["Contacts"], "9")
        self.assertEqual(types["Calendar"], "8")
        self.assertEqual(types["Trash"], "4")
        # a stale PolicyKey: 144
        good = d.policy_key
        d.policy_key = good + 1
        self.assertEqual(text(d.folder_sync().xml, "Status"), "144")
        d.policy_key = good
        # base64 query form with the same device
        d.base64_query = True
        key = text(fs.xml, "SyncKey")
        again = d.folder_sync(key)
        self.assertEqual(text(again.xml, "Status"), "1", again)
        self.assertEqual(text(again.xml, "Changes/Count"), "0")
        # a folder made on the server reaches the device on its next FolderSync
        self.server.cli("contacts", "createFolder", USER, "/Contacts/Suppliers")
        nxt = d.folder_sync(key)
        adds = [text(f, "DisplayName") for f in nxt.xml.findall("Changes/Add")]
        self.assertEqual(adds, ["Suppliers"])
        self.assertEqual(text(nxt.xml, "Changes/Add/Type"), "14")
        # replayed FolderSync key: the same answer
        self.assertEqual(d.folder_sync(key).body, nxt.body)
        # FolderCreate / FolderUpdate / FolderDelete from the device
        k = text(nxt.xml, "SyncKey")
        fc = d.post("FolderCreate", '<FolderCreate xmlns="FolderHierarchy:"><SyncKey>' + k + '</SyncKey>'
                    '<ParentId>0</ParentId><DisplayName>Phone made</DisplayName><Type>14</Type></FolderCreate>')
        self.assertEqual(text(fc.xml, "Status"), "1", fc)
        sid, k = text(fc.xml, "ServerId"), text(fc.xml, "SyncKey")
        listed = self.server.json("contacts", "listFolders", USER)["folders"]
        self.assertIn("/Phone made", [f["path"] for f in listed])
        fu = d.post("FolderUpdate", '<FolderUpdate xmlns="FolderHierarchy:"><SyncKey>' + k + '</SyncKey><ServerId>'
                    + sid + '</ServerId><ParentId>0</ParentId><DisplayName>Renamed</DisplayName></FolderUpdate>')
        self.assertEqual(text(fu.xml, "Status"), "1", fu)
        k = text(fu.xml, "SyncKey")
        fd = d.post("FolderDelete", '<FolderDelete xmlns="FolderHierarchy:"><SyncKey>' + k + '</SyncKey><ServerId>'
                    + sid + '</ServerId></FolderDelete>')
        self.assertEqual(text(fd.xml, "Status"), "1", fd)
        self.assertEqual(text(d.folder_sync(text(fd.xml, "SyncKey")).xml, "Changes/Count"), "0")
        system = d.post("FolderDelete", '<FolderDelete xmlns="FolderHierarchy:"><SyncKey>' + text(fd.xml, "SyncKey")
                        + '</SyncKey><ServerId>7</ServerId></FolderDelete>')
        self.assertEqual(text(system.xml, "Status"), "3")
        info = self.server.json("mobile", "getDeviceInfo", USER, "ProvDev")
        self.assertTrue(info["provisioned"])
        self.assertEqual(info["protocolVersion"], "14.1")

    # ---- contacts ----

    def test_contacts_initial_sync_two_way_and_replay(self):
        path = self.server.write_file("many.vcf", vcards(2000, "Bulk"))
        self.server.cli("prov", "ca", "dora@eas.example", PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
        self.server.cli("contacts", "import", "dora@eas.example", path)
        d, _ = self.ready("DoraPhone", user="dora@eas.example")
        phone = Phone(d)
        rounds = phone.sync_all(window=100)
        self.assertGreaterEqual(rounds, 20)
        self.assertEqual(len(phone.items), 2000)
        self.assertEqual(len({v.get("Email1Address") for v in phone.items.values()}), 2000)
        est = d.post("GetItemEstimate", '<GetItemEstimate xmlns="GetItemEstimate:" xmlns:as="AirSync:"><Collections>'
                     f'<Collection><as:SyncKey>{phone.key}</as:SyncKey><CollectionId>7</CollectionId></Collection>'
                     '</Collections></GetItemEstimate>')
        self.assertEqual(text(est.xml, "Response/Collection/Estimate"), "0", est)

        # device → server: an Add, a Change and a Delete
        sid_change, sid_delete = sorted(phone.items)[:2]
        cmds = (f'<Add><ClientId>c1</ClientId><ApplicationData>{contact_xml("Zoe", "Phone", "zoe@p.example")}'
                '</ApplicationData></Add>'
                f'<Change><ServerId>{sid_change}</ServerId><ApplicationData>'
                f'{contact_xml("Changed", "OnPhone", "changed@p.example")}</ApplicationData></Change>'
                f'<Delete><ServerId>{sid_delete}</ServerId></Delete>')
        before_key = phone.key
        first = d.sync([{"id": "7", "key": before_key, "window": 100, "commands": cmds}])
        coll = first.xml.find("Collections/Collection")
        self.assertEqual(text(coll, "Status"), "1", first)
        phone.key = text(coll, "SyncKey")
        phone.apply(coll)
        resp = coll.find("Responses/Add")
        self.assertEqual(text(resp, "Status"), "1")
        zoe = text(resp, "ServerId")
        phone.items[zoe] = {"FirstName": "Zoe"}
        phone.items.pop(sid_delete)
        listed = self.server.json("contacts", "list", "dora@eas.example")["contacts"]
        self.assertEqual(len(listed), 2000)
        by_id = {c["id"]: c["fields"] for c in listed}
        self.assertEqual(by_id[int(zoe.split(":")[1])]["email"], "zoe@p.example")
        self.assertEqual(by_id[int(sid_change.split(":")[1])]["firstName"], "Changed")
        self.assertNotIn(int(sid_delete.split(":")[1]), by_id)

        # replay: the same SyncKey again gets the same answer and creates nothing twice
        again = d.sync([{"id": "7", "key": before_key, "window": 100, "commands": cmds}])
        self.assertEqual(again.status, 200, again)
        self.assertEqual(ET.tostring(again.xml), ET.tostring(first.xml))
        self.assertEqual(again.body, first.body)
        self.assertEqual(text(again.xml, "Collections/Collection/SyncKey"), phone.key)
        self.assertEqual(text(again.xml, "Collections/Collection/Responses/Add/ServerId"), zoe)
        self.assertEqual(len(self.server.json("contacts", "list", "dora@eas.example")["contacts"]), 2000)

        # server → device: a CLI add and a CLI delete
        added = self.server.json("contacts", "add", "dora@eas.example", "firstName", "Server", "lastName", "Side")
        self.server.cli("contacts", "delete", "dora@eas.example", sorted(phone.items)[5].split(":")[1])
        coll, more = phone.sync_once()
        self.assertFalse(more)
        self.assertEqual(len(coll.findall("Commands/Add")), 1)
        self.assertEqual(len(coll.findall("Commands/Delete")), 1)
        server_ids = {f"7:{c['id']}" for c in self.server.json("contacts", "list", "dora@eas.example")["contacts"]}
        self.assertEqual(set(phone.items), server_ids)
        self.assertTrue(added)

        # a second device on the same account gets everything, including the first one's changes
        d2, _ = self.ready("DoraTablet", user="dora@eas.example", device_type="Android", user_agent="Android/13")
        tablet = Phone(d2)
        tablet.sync_all(window=500)
        self.assertEqual(set(tablet.items), server_ids)
        self.assertEqual(tablet.items[zoe]["Email1Address"], "zoe@p.example")

        # conflict: both change the same contact; the server's copy wins by default
        target = sorted(server_ids)[10]
        self.server.cli("contacts", "modify", "dora@eas.example", target.split(":")[1], "firstName", "ServerWins")
        coll, _ = phone.sync_once(commands=f'<Change><ServerId>{target}</ServerId><ApplicationData>'
                                           f'{contact_xml("PhoneLoses", "X")}</ApplicationData></Change>')
        self.assertEqual(phone.items[target]["FirstName"], "ServerWins")
        self.assertEqual(self.server.json("contacts", "get", "dora@eas.example", target.split(":")[1])["fields"]
                         ["firstName"], "ServerWins")

        # an empty Sync reuses the cached request
        empty = d.post("Sync", body=b"")
        self.assertEqual(empty.status, 200, empty)
        self.assertEqual(text(empty.xml, "Collections/Collection/CollectionId"), "7")

    def test_notes_body_preference(self):
        self.server.cli("prov", "ca", "eve@eas.example", PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
        self.server.cli("contacts", "add", "eve@eas.example", "firstName", "Noted", "notes", "x" * 300)
        d, _ = self.ready("EvePhone", user="eve@eas.example")
        phone = Phone(d)
        phone.sync_once()
        coll, _ = phone.sync_once(options="<asb:BodyPreference><asb:Type>1</asb:Type>"
                                          "<asb:TruncationSize>100</asb:TruncationSize></asb:BodyPreference>")
        body = coll.find("Commands/Add/ApplicationData/Body")
        self.assertEqual(text(body, "Truncated"), "1")
        self.assertEqual(text(body, "EstimatedDataSize"), "300")
        self.assertEqual(len(text(body, "Data")), 100)

    def test_mail_calendar_and_tasks_sync_as_empty_collections(self):
        self.server.cli("prov", "ca", "ida@eas.example", PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
        self.server.cli("contacts", "add", "ida@eas.example", "firstName", "Only", "lastName", "Contact")
        d, fs = self.ready("IdaPhone", user="ida@eas.example")
        by_type = {text(f, "Type"): text(f, "ServerId") for f in fs.xml.findall("Changes/Add")}
        for eas_type, name in (("2", "Inbox"), ("8", "Calendar"), ("7", "Tasks")):
            sid = by_type[eas_type]
            prime = d.sync([{"id": sid, "key": "0"}])
            coll = prime.xml.find("Collections/Collection")
            self.assertEqual(text(coll, "Status"), "1", (name, prime))
            self.assertEqual(text(coll, "CollectionId"), sid)
            key = text(coll, "SyncKey")
            self.assertNotIn(key, (None, "0"), prime)
            nxt = d.sync([{"id": sid, "key": key, "get_changes": True, "window": 50}])
            coll = nxt.xml.find("Collections/Collection")
            self.assertEqual(text(coll, "Status"), "1", (name, nxt))
            self.assertIsNone(coll.find("Commands"), (name, nxt))
            self.assertIsNone(coll.find("MoreAvailable"), (name, nxt))
            est = d.post("GetItemEstimate", '<GetItemEstimate xmlns="GetItemEstimate:" xmlns:as="AirSync:">'
                         f'<Collections><Collection><as:SyncKey>{text(coll, "SyncKey")}</as:SyncKey>'
                         f'<CollectionId>{sid}</CollectionId></Collection></Collections></GetItemEstimate>')
            self.assertEqual(text(est.xml, "Response/Status"), "1", (name, est))
            self.assertEqual(text(est.xml, "Response/Collection/Estimate"), "0", (name, est))
        # the contact stays in Contacts only
        phone = Phone(d)
        phone.sync_all()
        self.assertEqual([v["FirstName"] for v in phone.items.values()], ["Only"])

    def test_get_item_estimate_counts_what_the_next_sync_brings(self):
        self.server.cli("prov", "ca", "jon@eas.example", PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
        path = self.server.write_file("jon.vcf", vcards(37, "Est"))
        self.server.cli("contacts", "import", "jon@eas.example", path)
        d, _ = self.ready("JonPhone", user="jon@eas.example")

        def estimate(key):
            a = d.post("GetItemEstimate", '<GetItemEstimate xmlns="GetItemEstimate:" xmlns:as="AirSync:"><Collections>'
                       f'<Collection><as:SyncKey>{key}</as:SyncKey><CollectionId>7</CollectionId></Collection>'
                       '</Collections></GetItemEstimate>')
            self.assertEqual(text(a.xml, "Response/Status"), "1", a)
            return int(text(a.xml, "Response/Collection/Estimate"))

        phone = Phone(d)
        phone.sync_once()  # SyncKey 0: primed, nothing sent yet
        self.assertEqual(estimate(phone.key), 37)
        _, more = phone.sync_once(window=10)
        self.assertTrue(more)
        self.assertEqual(len(phone.items), 10)
        self.assertEqual(estimate(phone.key), 27)
        phone.sync_all(window=10)
        self.assertEqual(estimate(phone.key), 0)
        self.server.cli("contacts", "add", "jon@eas.example", "firstName", "New")
        self.server.cli("contacts", "delete", "jon@eas.example", sorted(phone.items)[0].split(":")[1])
        self.assertEqual(estimate(phone.key), 2)
        coll, _ = phone.sync_once()
        self.assertEqual(len(coll.findall("Commands/Add")) + len(coll.findall("Commands/Delete")), 2)
        self.assertEqual(estimate(phone.key), 0)

    def test_protocol_121_device_provisions_syncs_and_is_wiped(self):
        self.server.cli("prov", "ca", "kim@eas.example", PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
        self.server.cli("contacts", "add", "kim@eas.example", "firstName", "Kept", "lastName", "Contact")
        d = self.device("KimOld", user="kim@eas.example", version="12.1", device_type="SmartPhone",
                        user_agent="MOTOROLA-Q9/12.1")
        self.assertEqual(d.folder_sync().status, 449)  # not provisioned: HTTP 449 below 14.0
        p1, p2 = d.provision()
        self.assertEqual(text(p1.xml, "Policies/Policy/Data/EASProvisionDoc/DevicePasswordEnabled"), "1", p1)
        self.assertEqual(text(p2.xml, "Policies/Policy/Status"), "1", p2)
        fs = d.folder_sync()
        self.assertEqual(text(fs.xml, "Status"), "1", fs)
        phone = Phone(d)
        phone.sync_all()
        self.assertEqual([v["FirstName"] for v in phone.items.values()], ["Kept"])
        info = self.server.json("mobile", "getDeviceInfo", "kim@eas.example", "KimOld")
        self.assertEqual((info["protocolVersion"], info["provisioned"]), ("12.1", True))
        # a wrong PolicyKey is 449 as well
        good = d.policy_key
        d.policy_key = good + 1
        self.assertEqual(d.folder_sync(text(fs.xml, "SyncKey")).status, 449)
        d.policy_key = good

        self.server.cli("mobile", "doWipeDevice", "kim@eas.example", "KimOld", "confirm", "true")
        self.assertEqual(d.folder_sync(text(fs.xml, "SyncKey")).status, 449)
        self.assertEqual(d.sync([{"id": "7", "key": phone.key}]).status, 449)
        p = d.post("Provision", '<Provision xmlns="Provision:"><Policies><Policy><PolicyType>'
                                'MS-EAS-Provisioning-WBXML</PolicyType></Policy></Policies></Provision>')
        self.assertEqual(text(p.xml, "Status"), "1", p)
        self.assertIsNotNone(p.xml.find("RemoteWipe"), p)
        self.assertIn("sent", self.server.json("mobile", "getDeviceInfo", "kim@eas.example", "KimOld")["wipe"])
        ack = d.post("Provision", '<Provision xmlns="Provision:"><RemoteWipe><Status>1</Status></RemoteWipe>'
                                  '</Provision>')
        self.assertEqual(text(ack.xml, "Status"), "1", ack)
        info = self.server.json("mobile", "getDeviceInfo", "kim@eas.example", "KimOld")
        self.assertEqual(info["wipe"], "full wipe done")
        self.assertEqual(info["wipeAcknowledgedStatus"], 1)
        # the wiped device that comes back is wiped again, never served
        self.assertEqual(d.folder_sync("0").status, 449)

    # ---- Ping ----

    def test_ping_woken_by_cli_change(self):
        self.server.cli("prov", "ca", "fay@eas.example", PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
        d, _ = self.ready("FayPhone", user="fay@eas.example")
        phone = Phone(d)
        phone.sync_all()
        too_long = d.post("Ping", '<Ping xmlns="Ping:"><HeartbeatInterval>99999</HeartbeatInterval><Folders><Folder>'
                                  '<Id>7</Id><Class>Contacts</Class></Folder></Folders></Ping>')
        self.assertEqual(text(too_long.xml, "Status"), "5")
        self.assertEqual(text(too_long.xml, "HeartbeatInterval"), "3540")
        unknown = d.post("Ping", '<Ping xmlns="Ping:"><HeartbeatInterval>60</HeartbeatInterval><Folders><Folder>'
                                 '<Id>999</Id><Class>Contacts</Class></Folder></Folders></Ping>')
        self.assertEqual(text(unknown.xml, "Status"), "7")
        result = {}

        def ping():
            # A heartbeat far beyond the wait below: only the change can answer it.
            result["answer"] = d.post("Ping", '<Ping xmlns="Ping:"><HeartbeatInterval>3000</HeartbeatInterval>'
                                              '<Folders><Folder><Id>7</Id><Class>Contacts</Class></Folder>'
                                              '</Folders></Ping>', timeout=3100)

        before = parked(self.server)
        t = threading.Thread(target=ping)
        t.start()
        wait_parked(self.server, before + 1)
        self.assertTrue(t.is_alive(), "the Ping did not wait")
        self.server.cli("contacts", "add", "fay@eas.example", "firstName", "Wake", "lastName", "Up")
        t.join(300)
        self.assertFalse(t.is_alive(), "the change did not wake the Ping")
        a = result["answer"]
        self.assertEqual(text(a.xml, "Status"), "2", a)
        self.assertEqual(text(a.xml, "Folders/Folder"), "7")
        # an empty Ping reuses the cached folders and heartbeat: changes are still pending → 2
        self.assertEqual(text(d.post("Ping", body=b"").xml, "Status"), "2")
        phone.sync_once()
        # a newer Ping ends the older one
        first = {}

        def older():
            # Its heartbeat is far beyond the waits here: only the newer Ping can end it.
            first["answer"] = d.post("Ping", '<Ping xmlns="Ping:"><HeartbeatInterval>3000</HeartbeatInterval>'
                                             '<Folders><Folder><Id>7</Id><Class>Contacts</Class></Folder>'
                                             '</Folders></Ping>', timeout=3100)
        before = parked(self.server)
        t1 = threading.Thread(target=older)
        t1.start()
        wait_parked(self.server, before + 1)  # the older one is parked before the newer one is sent
        t2 = threading.Thread(target=lambda: first.setdefault("newer", d.post("Ping", body=b"", timeout=3100)))
        t2.start()
        t1.join(300)
        self.assertFalse(t1.is_alive(), "the older Ping was not ended by the newer one")
        self.assertEqual(text(first["answer"].xml, "Status"), "1")
        self.server.cli("contacts", "add", "fay@eas.example", "firstName", "Second")
        t2.join(300)
        self.assertFalse(t2.is_alive(), "the change did not wake the newer Ping")
        self.assertEqual(text(first["newer"].xml, "Status"), "2")

    def test_sync_with_heartbeat_waits_for_changes(self):
        self.server.cli("prov", "ca", "gus@eas.example", PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
        d, _ = self.ready("GusPhone", user="gus@eas.example")
        phone = Phone(d)
        phone.sync_all()
        coll = [{"id": "7", "key": phone.key}]
        both = d.sync(coll, outer="<Wait>1</Wait><HeartbeatInterval>60</HeartbeatInterval>")
        self.assertEqual(text(both.xml, "Status"), "4", both)
        too_long = d.sync(coll, outer="<HeartbeatInterval>99999</HeartbeatInterval>")
        self.assertEqual(text(too_long.xml, "Status"), "14", too_long)
        self.assertEqual(text(too_long.xml, "Limit"), "3540")
        # Nothing changes: an empty response when the interval ends; the SyncKey stays valid.
        t0 = time.time()
        quiet = d.sync(coll, outer="<HeartbeatInterval>2</HeartbeatInterval>", timeout=30)
        self.assertEqual((quiet.status, quiet.body), (200, b""), quiet)
        self.assertGreaterEqual(time.time() - t0, 1.5)
        # A change made through the CLI answers the waiting Sync with it.
        result = {}

        def wait():
            # Answered by the change (with it) or when the interval ends (empty): the body tells.
            result["answer"] = d.sync(coll, outer="<HeartbeatInterval>3000</HeartbeatInterval>", timeout=3100)

        before = parked(self.server)
        th = threading.Thread(target=wait)
        th.start()
        wait_parked(self.server, before + 1)
        self.assertTrue(th.is_alive(), "the Sync did not wait")
        self.server.cli("contacts", "add", "gus@eas.example", "firstName", "Pushed", "lastName", "Contact")
        th.join(300)
        self.assertFalse(th.is_alive(), "the change did not answer the waiting Sync")
        a = result["answer"]
        self.assertEqual(a.status, 200, a)
        c = a.xml.find("Collections/Collection")
        self.assertEqual(text(c, "Status"), "1", a)
        self.assertEqual([text(x, "ApplicationData/FirstName") for x in c.findall("Commands/Add")], ["Pushed"])
        phone.key = text(c, "SyncKey")
        # Changes already pending: answered at once with them (a parked Sync would have ended
        # with an empty answer after its interval).
        self.server.cli("contacts", "add", "gus@eas.example", "firstName", "Second")
        now = d.sync([{"id": "7", "key": phone.key}], outer="<Wait>1</Wait>", timeout=90)
        self.assertEqual(now.status, 200, now)
        self.assertEqual(len(now.xml.findall("Collections/Collection/Commands/Add")), 1, now)

    # ---- device administration ----

    def test_suspend_resume_reset(self):
        d, fs = self.ready("CarlPhone", user="carl@eas.example")
        phone = Phone(d)
        phone.sync_all()
        self.server.cli("mobile", "doSuspendDeviceSync", "carl@eas.example", "CarlPhone")
        self.assertEqual(d.folder_sync(text(fs.xml, "SyncKey")).status, 403)
        self.assertEqual(self.server.json("mobile", "getDeviceInfo", "carl@eas.example", "CarlPhone")["status"],
                         "suspended")
        self.server.cli("mobile", "doResumeDeviceSync", "carl@eas.example", "device_id", "CarlPhone")
        coll, _ = phone.sync_once()
        self.assertEqual(text(coll, "Status"), "1")
        listed = self.server.cli("mobile", "getDeviceList", "carl@eas.example").out.split()
        self.assertEqual(listed, ["CarlPhone"])
        # reset (the seed's positional form): the device starts over at 0
        self.server.cli("mobile", "doResetDevice", "carl@eas.example", "CarlPhone")
        a = d.sync([{"id": "7", "key": phone.key}])
        self.assertEqual(text(a.xml, "Status"), "12", a)
        self.assertEqual(text(d.folder_sync(text(fs.xml, "SyncKey")).xml, "Status"), "9")
        self.assertEqual(text(d.folder_sync("0").xml, "Status"), "1")
        fresh = Phone(d)
        fresh.sync_all()
        self.assertEqual(len(fresh.items), len(phone.items))
        verbose = self.server.json("mobile", "getDeviceInfo", "carl@eas.example", "CarlPhone", "verbose", "true")
        self.assertEqual({s["collection"] for s in verbose["syncStates"]}, {"", "7"})
        self.server.cli("mobile", "doResetAccount", "carl@eas.example")
        self.assertEqual(self.server.json("mobile", "getDeviceInfo", "carl@eas.example", "CarlPhone", "verbose",
                                          "true")["syncStates"], [])
        all_devices = self.server.json("mobile", "getAllDevices", "domains", "eas.example")["devices"]
        self.assertIn("CarlPhone", [x["deviceId"] for x in all_devices])
        self.server.cli("mobile", "doRemoveDevice", "carl@eas.example", "CarlPhone")
        self.assertEqual(self.server.cli("mobile", "getDeviceList", "carl@eas.example").out.strip(), "")

    def test_remote_wipe(self):
        for account_only, version in ((False, "14.1"), (True, "16.1")):
            dev_id = f"Wipe{int(account_only)}"
            d, fs = self.ready(dev_id, version=version)
            self.assertFails("mobile", "doWipeDevice", USER, dev_id, contains="confirm true")
            args = ["mobile", "doWipeDevice", USER, dev_id, "confirm", "true"]
            if account_only:
                args += ["account_only", "true"]
            self.server.cli(*args)
            self.assertEqual(text(d.folder_sync(text(fs.xml, "SyncKey")).xml, "Status"), "140")
            p = d.post("Provision", '<Provision xmlns="Provision:"><Policies><Policy><PolicyType>'
                                    'MS-EAS-Provisioning-WBXML</PolicyType></Policy></Policies></Provision>')
            if account_only:
                # libwbxml predates 16.1 and prints AccountOnlyRemoteWipe (Provision 0x3B) as
                # <unknown/>: check the token itself, and write the acknowledgement by hand.
                self.assertIn(b"\x00\x0e\x45\x4b\x031\x00\x01\x3b\x01", p.body)
                self.assertIsNone(p.xml.find("RemoteWipe"))
                ack_body = b"\x03\x01\x6a\x00\x00\x0e\x45\x7b\x4b\x031\x00\x01\x01\x01"
            else:
                self.assertIsNotNone(p.xml.find("RemoteWipe"), p)
                ack_body = encode('<Provision xmlns="Provision:"><RemoteWipe><Status>1</Status></RemoteWipe></Provision>')
            self.assertIn("sent", self.server.json("mobile", "getDeviceInfo", USER, dev_id)["wipe"])
            ack = d.post("Provision", body=ack_body)
            self.assertEqual(text(ack.xml, "Status"), "1")
            info = self.server.json("mobile", "getDeviceInfo", USER, dev_id)
            self.assertIn("done", info["wipe"])
            self.assertEqual(info["wipeAcknowledgedStatus"], 1)
            self.assertGreater(info["wipeAcknowledged"], 0)

    def test_provisioning_cli(self):
        out = self.server.json("mobile", "getProvisioning", "account", USER, "key", "zimbraMobilePolicyAllowCamera")
        self.assertEqual(out["zimbraMobilePolicyAllowCamera"]["values"], ["1"])
        self.server.cli("mobile", "setProvisioning", "account", USER, "AllowCamera", "false")
        out = self.server.json("mobile", "getProvisioning", "account", USER, "key", "AllowCamera")
        self.assertEqual(out["zimbraMobilePolicyAllowCamera"], {"values": ["0"], "source": "account"})
        self.server.cli("mobile", "setProvisioning", "cos", "default", "MinDevicePasswordLength", "6")
        self.assertEqual(self.server.json("mobile", "getProvisioning", "cos", "default")
                         ["zimbraMobilePolicyMinDevicePasswordLength"]["values"], ["6"])
        # a changed policy makes a provisioned device re-provision (Status 143)
        d, fs = self.ready("PolicyDev")
        self.server.cli("mobile", "setProvisioning", "account", USER, "AllowCamera", "true")
        self.assertEqual(text(d.folder_sync(text(fs.xml, "SyncKey")).xml, "Status"), "143")
        p1, _ = d.provision()
        self.assertEqual(text(p1.xml, "Policies/Policy/Data/EASProvisionDoc/MinDevicePasswordLength"), "6")
        self.assertEqual(text(d.folder_sync(text(fs.xml, "SyncKey")).xml, "Status"), "1")

    # ---- bad input ----

    def test_bad_input(self):
        d, fs = self.ready("BadDev")
        ok_key = text(fs.xml, "SyncKey")
        good = encode(f'<FolderSync xmlns="FolderHierarchy:"><SyncKey>{ok_key}</SyncKey></FolderSync>')
        self.assertEqual(d.post("FolderSync", body=b"\x03\x01\x6a\x00garbage\xff\xff").status, 400)
        self.assertEqual(d.post("FolderSync", body=good[:-3]).status, 400)  # truncated
        ping_body = encode('<Ping xmlns="Ping:"><HeartbeatInterval>60</HeartbeatInterval></Ping>')
        self.assertEqual(d.post("FolderSync", body=ping_body).status, 400)  # another command's code page
        self.assertEqual(d.post("FolderSync", body=b"\x03\x01\x6a\x00\x00\x3f\x45\x01").status, 400)  # no page 63
        self.assertEqual(d.post("Bogus", body=good).status, 400)  # unknown command
        self.assertEqual(d.post("SendMail", body=b"x").status, 501)  # not implemented yet
        # huge: 413, or the connection closed before the client finished sending; never a hang
        # (a timeout is not a closed connection and fails the test)
        try:
            self.assertEqual(d.post("FolderSync", body=b"\x03" * (2 << 20), timeout=120).status, 413)
        except (ConnectionError, ssl.SSLEOFError, ssl.SSLZeroReturnError):
            pass
        headers = {"Authorization": d.auth_header(), "MS-ASProtocolVersion": "14.1"}
        for q in ("", "Cmd=FolderSync", "Cmd=FolderSync&DeviceId=a%zz&DeviceType=x", "!!!notbase64",
                  "AAAA", "Cmd=FolderSync&DeviceId=a%20b&DeviceType=x", "Cmd=FolderSync&DeviceId=&DeviceType=x"):
            status, _, _ = d.raw("POST", "/Microsoft-Server-ActiveSync?" + q, good, headers)
            self.assertEqual(status, 400, q)
        self.assertEqual(d.raw("GET", "/Microsoft-Server-ActiveSync", b"", headers)[0], 405)
        self.assertEqual(d.raw("POST", "/elsewhere", good, headers)[0], 404)
        bad_key = d.folder_sync("{nonsense}5")
        self.assertEqual(text(bad_key.xml, "Status"), "9")
        bad_sync = d.sync([{"id": "7", "key": "{ffffffff}3"}])
        self.assertEqual(text(bad_sync.xml, "Collections/Collection/Status"), "3")
        # Ill-formed UTF-8 in strings (a CollectionId, a SyncKey, contact text): a protocol answer,
        # never a crash. WBXML inline strings carry any bytes.
        bodies = [
            b"\x03\x01\x6a\x00\x45\x5c\x4f\x4b\x03" + ok_key.encode() + b"\x00\x01"
            b"\x52\x03\x37\xff\xfe\x00\x01\x01\x01\x01",
            b"\x03\x01\x6a\x00\x45\x5c\x4f\x4b\x03\x7b\xff\x7d\x31\x00\x01"
            b"\x52\x03\x37\x00\x01\x01\x01\x01",
        ]
        for body in bodies:
            status = d.post("Sync", body=body).status
            self.assertIn(status, (200, 400), body)
            self.assertIsNone(self.server.proc.poll(), f"the server died on {body!r}")
        # still serving
        self.assertEqual(text(d.folder_sync(ok_key).xml, "Status"), "1")
        self.assertIsNone(self.server.proc.poll())


if __name__ == "__main__":
    unittest.main()
