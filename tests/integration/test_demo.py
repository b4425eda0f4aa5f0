"""`switchboard serve --demo`: a demo domain with accounts, an alias, a mobile password and
contacts, as the README's run command promises."""
import unittest

from harness import ServerTestCase


class DemoTest(ServerTestCase):
    demo = True

    def test_accounts_and_alias(self):
        names = [a["name"] for a in self.json("prov", "gaa", "example.com")["accounts"]]
        self.assertEqual(sorted(names), ["jane@example.com", "john@example.com", "mario@example.com"])
        john = self.json("prov", "ga", "j.doe@example.com")
        self.assertEqual((john["name"], john["aliases"]), ("john@example.com", ["j.doe@example.com"]))
        attrs = john["attrs"]
        self.assertEqual(attrs["displayName"]["values"], ["John Doe"])
        self.assertEqual(attrs["zimbraFeatureMobileSyncEnabled"], {"values": ["TRUE"], "source": "cos default"})

    def test_mobile_password_rule(self):
        self.assertEqual(len(self.json("auth", "credential", "list", "john@example.com")["credentials"]), 1)
        self.assertLogin("j.doe@example.com", "john-mobile-2026", "EAS")
        self.assertLogin("john@example.com", "john-mobile-2026", "LDAP")
        self.assertLoginRefused("john@example.com", "john-demo-2026", "EAS", contains="mobile password")
        self.assertLogin("john@example.com", "john-demo-2026", "IMAP")
        self.assertLoginRefused("john@example.com", "john-mobile-2026", "IMAP")
        # Accounts without a mobile password use their password for ActiveSync.
        self.assertLogin("jane@example.com", "jane-demo-2026", "EAS")

    def test_contacts(self):
        folders = {f["path"]: f["contacts"] for f in self.json("contacts", "listFolders", "john@example.com")["folders"]}
        self.assertEqual((folders["/Contacts"], folders["/Contacts/Suppliers"]), (3, 2))
        emails = {c["fields"].get("email") for c in self.json("contacts", "list", "john@example.com")["contacts"]}
        self.assertIn("alice.bianchi@partner.example", emails)
        self.assertIn("d.mueller@parts.example", emails)

    def test_restart_keeps_demo_data_once(self):
        # A second `serve --demo` on the same data finds the demo seeded and adds nothing.
        before = self.server.directory_state()
        self.server.stop()
        self.server.start()
        self.assertEqual(self.server.directory_state(), before)
        self.assertEqual(len(self.json("auth", "credential", "list", "john@example.com")["credentials"]), 1)


if __name__ == "__main__":
    unittest.main()
