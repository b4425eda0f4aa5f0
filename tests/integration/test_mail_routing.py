"""Mail routes through Postfix's lookup tables answered live by Switchboard (socketmap) and is
delivered by LMTP into Dovecot; Dovecot reports new mail, flag changes and expunges to
Switchboard (push-notification Lua driver), which publishes them per account. Real clients:
smtplib (inbound SMTP and submission with SASL over STARTTLS), imaplib (STARTTLS)."""
import smtplib
import time
import unittest
import uuid

from mailstack import MailStackTestCase


def message(sender, to, subject, body="Hello.\r\n"):
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{uuid.uuid4()}@test>\r\n\r\n"
            f"{body}").encode()


class MailRoutingTest(MailStackTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.cli("prov", "cd", "example.com")
        for user in ("ann", "ben", "cid", "dora", "eve"):
            s.cli("prov", "ca", f"{user}@example.com", f"{user}-pw")
        s.cli("prov", "aaa", "ann@example.com", "annie@example.com")

    def send(self, login, password, sender, rcpts, subject):
        s = self.stack.submission()
        try:
            s.login(login, password)
            return s.sendmail(sender, rcpts, message(sender, ", ".join(rcpts), subject))
        finally:
            s.quit()

    def test_submission_reaches_another_accounts_inbox(self):
        subject = f"lunch {uuid.uuid4()}"
        refused = self.send("ben@example.com", "ben-pw", "ben@example.com", ["cid@example.com"], subject)
        self.assertEqual(refused, {})
        msg = self.stack.wait_for_message("cid@example.com", "cid-pw", f'(SUBJECT "{subject}")')
        self.assertIn(b"From: ben@example.com", msg)
        self.assertIn(b"Hello.", msg)

    def test_unknown_recipient_is_refused_at_rcpt(self):
        inbound = self.stack.smtp()
        submission = self.stack.submission()
        submission.login("ben@example.com", "ben-pw")
        for client in (inbound, submission):
            try:
                client.mail("ben@example.com")
                code, text = client.rcpt("nobody@example.com")
                self.assertEqual(code, 550, text)
                self.assertIn(b"5.1.1", text)
                # A domain Switchboard does not serve is not relayed either.
                code, text = client.rcpt("someone@elsewhere.example")
                self.assertEqual(code // 100, 5, text)
            finally:
                client.quit()

    def test_alias_created_with_the_cli_routes_mail_at_once(self):
        alias = f"desk-{uuid.uuid4().hex[:8]}@example.com"
        c = self.stack.smtp()
        try:
            c.mail("partner@remote.test")
            self.assertEqual(c.rcpt(alias)[0], 550)
            c.rset()
            self.cli("prov", "aaa", "dora@example.com", alias)
            # No cache lags behind the directory: the next RCPT is accepted.
            subject = f"to the alias {uuid.uuid4()}"
            c.mail("partner@remote.test")
            self.assertEqual(c.rcpt(alias)[0], 250)
            self.assertEqual(c.data(message("partner@remote.test", alias, subject))[0], 250)
        finally:
            c.quit()
        self.stack.wait_for_message("dora@example.com", "dora-pw", f'(SUBJECT "{subject}")')

    def test_new_account_routes_mail_at_once(self):
        address = f"new-{uuid.uuid4().hex[:8]}@example.com"
        self.cli("prov", "ca", address, "new-pw")
        subject = f"welcome {uuid.uuid4()}"
        c = self.stack.smtp()
        try:
            refused = c.sendmail("partner@remote.test", [address], message("partner@remote.test", address, subject))
        finally:
            c.quit()
        self.assertEqual(refused, {})
        self.stack.wait_for_message(address, "new-pw", f'(SUBJECT "{subject}")')

    def test_sending_as_someone_else_is_refused(self):
        s = self.stack.submission()
        try:
            s.login("ben@example.com", "ben-pw")
            code, text = s.mail("ann@example.com")
            if code == 250:  # Postfix may defer the sender check to RCPT
                code, text = s.rcpt("cid@example.com")
            self.assertEqual(code, 553, text)
            self.assertIn(b"not owned by user ben@example.com", text)
            s.rset()
            # An address outside Switchboard is not ben's either.
            code, text = s.mail("ben@elsewhere.example")
            if code == 250:
                code, text = s.rcpt("cid@example.com")
            self.assertEqual(code, 553, text)
        finally:
            s.quit()
        # Ann may send as her alias.
        subject = f"from the alias {uuid.uuid4()}"
        self.assertEqual(self.send("ann@example.com", "ann-pw", "annie@example.com", ["cid@example.com"], subject), {})
        self.stack.wait_for_message("cid@example.com", "cid-pw", f'(SUBJECT "{subject}")')

    def test_renamed_account_keeps_its_mail(self):
        self.cli("prov", "ca", "old-name@example.com", "rename-pw")
        before = f"before {uuid.uuid4()}"
        c = self.stack.lmtp()
        try:
            c.sendmail("partner@remote.test", ["old-name@example.com"],
                       message("partner@remote.test", "old-name@example.com", before))
        finally:
            c.quit()
        self.stack.wait_for_message("old-name@example.com", "rename-pw", f'(SUBJECT "{before}")')
        self.cli("prov", "ra", "old-name@example.com", "new-name@example.com")
        # The mail delivered before the rename is in the renamed account's mailbox, and new mail
        # to the new address lands beside it.
        self.stack.wait_for_message("new-name@example.com", "rename-pw", f'(SUBJECT "{before}")')
        after = f"after {uuid.uuid4()}"
        c = self.stack.smtp()
        try:
            self.assertEqual(c.sendmail("partner@remote.test", ["new-name@example.com"],
                                        message("partner@remote.test", "new-name@example.com", after)), {})
        finally:
            c.quit()
        self.stack.wait_for_message("new-name@example.com", "rename-pw", f'(SUBJECT "{after}")')
        m = self.stack.imap("new-name@example.com", "rename-pw")
        try:
            m.select("INBOX", readonly=True)
            self.assertEqual(len(m.search(None, "ALL")[1][0].split()), 2)
        finally:
            m.logout()


class MailEventsTest(MailStackTestCase):
    """Dovecot's push events reach Switchboard without any IMAP connection held for them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.cli("prov", "cd", "example.com")
        cls.server.cli("prov", "ca", "fay@example.com", "fay-pw")
        cls.server.cli("prov", "ca", "gus@example.com", "gus-pw")

    def events(self, account):
        return self.json("mail", "events", account)["events"]

    def wait_events(self, account, after, kind, timeout=20):
        """Events of `kind` with seq > after, once at least one arrived (bounded wait), plus a
        short extra wait so a duplicate would be seen."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = [e for e in self.events(account) if e["seq"] > after and e["kind"] == kind]
            if found:
                time.sleep(0.5)
                return [e for e in self.events(account) if e["seq"] > after and e["kind"] == kind]
            time.sleep(0.1)
        self.fail(f"no {kind} event for {account} within {timeout} s\n{self.stack.logs()}\n{self.server.log_tail()}")

    def last_seq(self):
        all_events = self.json("mail", "events")["events"]
        return all_events[-1]["seq"] if all_events else 0

    def test_delivery_and_flag_change_and_expunge_each_produce_one_event(self):
        # Open the mailbox once so folder creation events are behind us.
        m = self.stack.imap("fay@example.com", "fay-pw")
        m.select("INBOX")
        m.logout()
        seq = self.last_seq()
        subject = f"push {uuid.uuid4()}"
        c = self.stack.lmtp()
        try:
            c.sendmail("partner@remote.test", ["fay@example.com"], message("partner@remote.test", "fay@example.com", subject))
        finally:
            c.quit()
        new = self.wait_events("fay@example.com", seq, "new")
        self.assertEqual(len(new), 1, new)
        self.assertEqual(new[0]["mailbox"], "INBOX")
        self.assertGreater(new[0]["uidValidity"], 0)
        self.assertEqual(self.events("gus@example.com"), [])  # nothing for other accounts

        m = self.stack.imap("fay@example.com", "fay-pw")
        try:
            m.select("INBOX")
            uid = int(m.uid("SEARCH", None, f'SUBJECT "{subject}"')[1][0].split()[-1])
            seq = self.last_seq()
            m.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
            flags = self.wait_events("fay@example.com", seq, "flags")
            self.assertEqual(len(flags), 1, flags)
            self.assertEqual(flags[0]["uid"], uid)
            self.assertIn("+\\Seen", flags[0]["flags"])
            seq = self.last_seq()
            m.uid("STORE", str(uid), "+FLAGS", "(\\Deleted)")
            m.expunge()
            gone = self.wait_events("fay@example.com", seq, "expunge")
            self.assertEqual(len(gone), 1, gone)
            self.assertEqual(gone[0]["uid"], uid)
        finally:
            m.logout()
        status = self.json("mail", "status")
        self.assertGreaterEqual(status["events"]["requests"], 3)
        self.assertEqual(status["events"]["refused"], 0)

    def test_mail_sent_through_postfix_is_announced(self):
        seq = self.last_seq()
        subject = f"via postfix {uuid.uuid4()}"
        s = self.stack.submission()
        try:
            s.login("gus@example.com", "gus-pw")
            s.sendmail("gus@example.com", ["fay@example.com"], message("gus@example.com", "fay@example.com", subject))
        finally:
            s.quit()
        new = self.wait_events("fay@example.com", seq, "new", timeout=30)
        self.assertEqual(len(new), 1, new)


if __name__ == "__main__":
    unittest.main()
