"""kill -9 of the server in the middle of a contacts sync: after a restart the phone
continues with the SyncKey it has (or resends the one whose answer it lost) and ends with exactly
the server's contacts, none twice, including the contacts it added itself."""
import unittest

from eas_client import Device, Phone, contact_xml, text
from harness import Server

USER = "kim@crash.example"
PASSWORD = "Secret-Pass-1"


class EasCrashTest(unittest.TestCase):
    def test_kill9_mid_sync(self):
        s = Server()
        try:
            s.start()
            s.cli("prov", "cd", "crash.example")
            s.cli("prov", "ca", USER, PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
            cards = "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Crash{i:04d};P;;;\r\nFN:P Crash{i:04d}\r\n"
                            f"EMAIL:c{i}@x.example\r\nEND:VCARD\r\n" for i in range(600))
            s.cli("contacts", "import", USER, s.write_file("c.vcf", cards))
            port = int(s.status()["listeners"]["eas"].rsplit(":", 1)[1])
            d = Device(port, s.ca_file, USER, PASSWORD, device_id="CrashPhone")
            d.provision()
            self.assertEqual(text(d.folder_sync().xml, "Status"), "1")
            phone = Phone(d)
            phone.sync_once()
            for _ in range(3):
                phone.sync_once(window=100)
            self.assertEqual(len(phone.items), 300)
            # The device sends adds; the server dies right after answering (the answer is "lost"):
            # the phone keeps its old key and resends the same request after the restart.
            key_before = phone.key
            adds = "".join(f'<Add><ClientId>n{i}</ClientId><ApplicationData>{contact_xml("New", f"N{i}")}'
                           '</ApplicationData></Add>' for i in range(5))
            lost = d.sync([{"id": "7", "key": key_before, "window": 100, "commands": adds}])
            self.assertEqual(text(lost.xml, "Collections/Collection/Status"), "1")
            s.kill9()
            s.start()
            again = d.sync([{"id": "7", "key": key_before, "window": 100, "commands": adds}])
            coll = again.xml.find("Collections/Collection")
            self.assertEqual(text(coll, "SyncKey"), text(lost.xml, "Collections/Collection/SyncKey"))
            phone.key = text(coll, "SyncKey")
            phone.apply(coll)
            for r in coll.findall("Responses/Add"):
                self.assertEqual(text(r, "Status"), "1")
                phone.items[text(r, "ServerId")] = {"FirstName": "New"}
            # Killed again in the middle of the windows; the phone just goes on.
            phone.sync_once(window=100)
            s.kill9()
            s.start()
            phone.sync_all(window=100)
            server = {f"7:{c['id']}" for c in s.json("contacts", "list", USER)["contacts"]}
            self.assertEqual(len(server), 605)
            self.assertEqual(set(phone.items), server)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
