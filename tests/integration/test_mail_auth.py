"""Logins through Dovecot and Postfix are Switchboard's logins: real IMAP, POP3 and SMTP
clients (imaplib, poplib, smtplib, over STARTTLS with the server's private CA) log in through a
private Dovecot (Lua passdb/userdb → Switchboard) and a private Postfix (SASL through Dovecot),
and the rules of the authenticator hold across protocols: the mobile password is refused for
IMAP/POP3/SMTP and the account password for ActiveSync while a mobile password exists, a locked
account is refused at once, throttling counts failures of every protocol together, and
Switchboard's own master-user access works only with its secret."""
import imaplib
import os
import poplib
import smtplib
import unittest

from eas_client import Device
from mailstack import MailStackTestCase

# {SSHA} of "throttle-pw": imported hashes are cheap to check, so failures cost little time.
SSHA = "{SSHA}ALzwMShZwn+XLWcLkigxZmpbOrIYLlYg"


class MailLoginTest(MailStackTestCase):
    # Failures of this class's refusal tests must not block the loopback address for the others.
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.cli("config", "set", "global", "authThrottleAddressFailures", "1000")
        s.cli("prov", "cd", "example.com")
        s.cli("prov", "mc", "default", "zimbraFeatureMobileSyncEnabled", "TRUE")
        for user in ("alice", "bob", "carol", "dave"):
            s.cli("prov", "ca", f"{user}@example.com", f"{user}-account-pw")
        s.cli("prov", "aaa", "alice@example.com", "al@example.com")

    def imap_login(self, user, password):
        """True if Dovecot accepts the IMAP LOGIN, False if it refuses it."""
        m = self.stack.imap()
        try:
            m.login(user, password)
            return True
        except imaplib.IMAP4.error:
            return False
        finally:
            m.logout()

    def smtp_login(self, user, password):
        s = self.stack.submission()
        try:
            s.login(user, password)
            return True
        except smtplib.SMTPAuthenticationError:
            return False
        finally:
            s.quit()

    def pop3_login(self, user, password):
        p = self.stack.pop3()
        try:
            p.user(user)
            p.pass_(password)
            return True
        except poplib.error_proto:
            return False
        finally:
            p.quit()

    def eas_status(self, user, password):
        d = Device(self.server.ports["eas"], self.server.ca_file, user, password)
        return d.options()[0]

    def test_account_password_logs_in_everywhere_over_tls(self):
        self.assertTrue(self.imap_login("alice@example.com", "alice-account-pw"))
        self.assertTrue(self.pop3_login("alice@example.com", "alice-account-pw"))
        self.assertTrue(self.smtp_login("alice@example.com", "alice-account-pw"))
        self.assertFalse(self.imap_login("alice@example.com", "wrong"))
        self.assertFalse(self.smtp_login("alice@example.com", "wrong"))
        self.assertFalse(self.imap_login("nobody@example.com", "alice-account-pw"))
        # An alias opens the account's mailbox, under the primary address.
        m = self.stack.imap("AL@example.com", "alice-account-pw")
        try:
            m.select("INBOX")
            self.assertEqual(m.xatom("NAMESPACE")[0], "OK")
        finally:
            m.logout()
        with open(self.stack.path("dovecot/dovecot.log")) as f:
            log = f.read()
        self.assertIn("user=<alice@example.com>", log)

    def test_starttls_presents_the_servers_certificate(self):
        # The clients of these tests use STARTTLS, verified against Switchboard's private CA
        # (an unverified certificate fails the handshake); Dovecot presents the Switchboard
        # server's certificate, which names localhost.
        m = self.stack.imap()
        cert = m.sock.getpeercert()
        m.logout()
        names = [v for k, v in cert.get("subjectAltName", ()) if k == "DNS"]
        self.assertIn("localhost", names)

    def test_mobile_password_rule_across_protocols(self):
        cred = self.json("auth", "credential", "add", "bob@example.com", "password", "bob-mobile-pw")
        self.assertTrue(cred)
        # The mobile password is an ActiveSync/address-book secret only.
        self.assertFalse(self.imap_login("bob@example.com", "bob-mobile-pw"))
        self.assertFalse(self.pop3_login("bob@example.com", "bob-mobile-pw"))
        self.assertFalse(self.smtp_login("bob@example.com", "bob-mobile-pw"))
        self.assertEqual(self.eas_status("bob@example.com", "bob-mobile-pw"), 200)
        # The account password is for mail only while a mobile password exists.
        self.assertTrue(self.imap_login("bob@example.com", "bob-account-pw"))
        self.assertTrue(self.smtp_login("bob@example.com", "bob-account-pw"))
        self.assertEqual(self.eas_status("bob@example.com", "bob-account-pw"), 401)
        r = self.cli("auth", "test", "bob@example.com", "bob-account-pw", "service", "EAS", check=False)
        self.assertEqual(r.rc, 1)
        self.assertIn("mobile password", r.err)
        # Dovecot's refusal is logged by Switchboard with the account, the service and the client.
        self.assertIn("IMAP login of bob@example.com from 127.0.0.1 refused", self.server.log_tail(400))

    def test_locked_account_is_refused_at_once_and_unlocked_at_once(self):
        self.assertTrue(self.imap_login("carol@example.com", "carol-account-pw"))  # now cached
        self.cli("prov", "ma", "carol@example.com", "zimbraAccountStatus", "locked")
        self.assertFalse(self.imap_login("carol@example.com", "carol-account-pw"))
        self.assertFalse(self.smtp_login("carol@example.com", "carol-account-pw"))
        self.assertFalse(self.pop3_login("carol@example.com", "carol-account-pw"))
        self.assertIn("account carol@example.com is locked", self.server.log_tail(400))
        self.cli("prov", "ma", "carol@example.com", "zimbraAccountStatus", "active")
        self.assertTrue(self.imap_login("carol@example.com", "carol-account-pw"))

    def test_master_user_opens_any_mailbox_with_the_secret_only(self):
        secret_file = os.path.join(self.server.data_dir, "mail-master.secret")
        self.assertEqual(os.stat(secret_file).st_mode & 0o777, 0o600)
        with open(secret_file) as f:
            secret = f.read().strip()
        m = self.stack.imap("dave@example.com*master", secret)
        try:
            self.assertEqual(m.select("INBOX")[0], "OK")
        finally:
            m.logout()
        self.assertFalse(self.imap_login("dave@example.com*master", "not-the-secret"))
        # A user's own password is no master secret, nor is SASL PLAIN with another identity.
        self.assertFalse(self.imap_login("dave@example.com*alice@example.com", "alice-account-pw"))
        m = self.stack.imap()
        try:
            with self.assertRaises(imaplib.IMAP4.error):
                m.authenticate("PLAIN", lambda _: b"dave@example.com\0alice@example.com\0alice-account-pw")
        finally:
            m.logout()
        self.assertIn("master login 'alice@example.com' for dave@example.com from 127.0.0.1 refused",
                      self.server.log_tail(400))


class MailThrottleTest(MailStackTestCase):
    """Failures through IMAP, POP3 and SMTP count for one account and one client address; Dovecot
    passes the client's address to Switchboard (the throttle keys on it). Blocks last two minutes
    here (authThrottleInitialDelay), so every check falls inside one however slow the machine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.cli("prov", "cd", "example.com")
        s.cli("config", "set", "global", "authThrottleAccountFailures", "3", "authThrottleAddressFailures",
              "1000", "authThrottleInitialDelay", "120", "authThrottleMaxDelay", "600")
        cls.serial = 0

    def account(self):
        MailThrottleTest.serial += 1
        address = f"t{self.serial}@example.com"
        self.cli("prov", "ca", address, "", "userPassword", SSHA)
        return address

    def imap_fails(self, address, password="wrong"):
        m = self.stack.imap()
        try:
            with self.assertRaises(imaplib.IMAP4.error):
                m.login(address, password)
        finally:
            m.logout()

    def pop3_fails(self, address):
        p = self.stack.pop3()
        try:
            p.user(address)
            with self.assertRaises(poplib.error_proto):
                p.pass_("wrong")
        finally:
            p.quit()

    def smtp_fails(self, address):
        s = self.stack.submission()
        try:
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                s.auth("PLAIN", lambda challenge=None: f"\0{address}\0wrong")
        finally:
            s.quit()

    def test_1_failures_of_all_protocols_block_the_account_everywhere(self):
        address = self.account()
        later = self.stack.submission()  # connected before the block starts
        # Three failures, one per protocol, reach the account's limit: the account is blocked.
        self.imap_fails(address)
        self.pop3_fails(address)
        self.smtp_fails(address)
        try:
            later.auth("PLAIN", lambda challenge=None: f"\0{address}\0throttle-pw")
            smtp_code = 235
        except smtplib.SMTPAuthenticationError as e:
            smtp_code = e.smtp_code
        finally:
            later.quit()
        # The right password is refused by SMTP, IMAP and ActiveSync.
        self.assertIn(smtp_code, (454, 535))
        self.imap_fails(address, "throttle-pw")
        r = self.cli("auth", "test", address, "throttle-pw", "service", "EAS", "client", "192.0.2.77",
                     check=False)
        self.assertEqual(r.rc, 1)
        self.assertIn("too many failed logins", r.err)
        log = self.server.log_tail(400)
        self.assertIn(f"SMTP login of {address} from 127.0.0.1 refused: too many failed logins", log)
        for service in ("IMAP", "POP3", "SMTP"):
            self.assertIn(f"{service} login of {address} from 127.0.0.1 refused: wrong password", log)

    # Runs last: it leaves the loopback address blocked.
    def test_2_client_address_reaches_the_throttle(self):
        # Failures from Dovecot's client (127.0.0.1) on different accounts block that address,
        # not another one.
        self.cli("config", "set", "global", "authThrottleAddressFailures", "4")
        try:
            fresh = self.account()
            for _ in range(4):
                self.imap_fails(self.account())
            local = self.cli("auth", "test", fresh, "throttle-pw", "service", "IMAP", "client", "127.0.0.1",
                             check=False)
            other = self.cli("auth", "test", fresh, "throttle-pw", "service", "IMAP", "client", "192.0.2.8",
                             check=False)
            self.assertEqual(local.rc, 1, local)
            self.assertIn("too many failed logins from 127.0.0.1", local.err)
            self.assertEqual(other.rc, 0, other)
            self.imap_fails(fresh, "throttle-pw")  # through Dovecot as well
        finally:
            self.cli("config", "set", "global", "authThrottleAddressFailures", "1000")


if __name__ == "__main__":
    unittest.main()
