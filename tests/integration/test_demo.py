"""`switchboard serve --demo`: a demo domain with accounts, an alias, a mobile password and
contacts, and (as root, with Dovecot and Postfix installed) a private Dovecot and Postfix with a
welcome message in every demo account's Inbox, as the README's run command promises."""
import imaplib
import shutil
import ssl
import time
import unittest

from harness import ServerTestCase
from mailstack import available as mail_stack_missing



def free_port_base():
    """A [demo] mail_port_base whose six ports are free on loopback, so that a demo started by
    another test run on the same machine (or a user's demo on 10000) is not in the way."""
    import random
    import socket
    for _ in range(100):
        base = random.randrange(20000, 60000, 1000)
        try:
            for offset in (143, 110, 24, 25, 587, 12):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
    raise RuntimeError("no free port range for the demo's mail services")


PORT_BASE = free_port_base()
DEMO_IMAP, DEMO_SUBMISSION = PORT_BASE + 143, PORT_BASE + 587


class DemoTest(ServerTestCase):
    demo = True
    extra_config = f"[demo]\nmail_port_base = {PORT_BASE}\n"

    @classmethod
    def tearDownClass(cls):
        mail_dir = cls.server.status().get("demoMail") if cls.server.proc else None
        super().tearDownClass()
        if mail_dir and mail_dir.startswith("/var/lib/switchboard-demo/"):
            shutil.rmtree(mail_dir, ignore_errors=True)

    def inbox_subjects(self, user, password, timeout=60):
        """Subjects in the Inbox, read over the demo's IMAP (STARTTLS, the server's CA), once
        the demo's Dovecot and Postfix are up and at least one message arrived (bounded)."""
        ctx = ssl.create_default_context(cafile=self.server.ca_file)
        deadline = time.time() + timeout
        while True:
            try:
                m = imaplib.IMAP4("localhost", DEMO_IMAP, timeout=10)
                try:
                    m.starttls(ctx)
                    m.login(user, password)
                    m.select("INBOX", readonly=True)
                    ids = m.search(None, "ALL")[1][0].split()
                    subjects = [m.fetch(i, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[1][0][1].decode().strip()
                                for i in ids]
                finally:
                    m.logout()
                if subjects:
                    return subjects
            except (OSError, imaplib.IMAP4.error):
                pass
            if time.time() > deadline:
                self.fail(f"no mail for {user} in the demo within {timeout} s\n{self.server.log_tail()}")
            time.sleep(0.5)

    def test_demo_mail(self):
        why = mail_stack_missing()
        if why:
            self.fail(why)
        self.assertEqual(self.inbox_subjects("john@example.com", "john-demo-2026"),
                         ["Subject: Welcome to Switchboard, John"])
        self.assertEqual(self.inbox_subjects("jane@example.com", "jane-demo-2026"),
                         ["Subject: Welcome to Switchboard, Jane"])
        # The mobile password is not a mail password.
        m = imaplib.IMAP4("localhost", DEMO_IMAP, timeout=10)
        try:
            m.starttls(ssl.create_default_context(cafile=self.server.ca_file))
            with self.assertRaises(imaplib.IMAP4.error):
                m.login("john@example.com", "john-mobile-2026")
        finally:
            m.logout()
        self.assertIn("demo mail: welcome messages delivered", self.server.log_tail(400))

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
        # The demo's Dovecot and Postfix came back (the earlier ones were stopped) with the same
        # mailboxes, and no second welcome message.
        if not mail_stack_missing():
            self.assertEqual(self.inbox_subjects("mario@example.com", "mario-demo-2026"),
                             ["Subject: Welcome to Switchboard, Mario"])


if __name__ == "__main__":
    unittest.main()
