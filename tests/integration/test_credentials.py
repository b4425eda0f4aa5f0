"""Mobile passwords: while an account has an EAS credential, only
the credential opens ActiveSync and the LDAP address book, and the credential opens nothing else.
Cached logins die with any password or credential change."""
import re
import unittest

from harness import ServerTestCase

MOBILE = ("EAS", "LDAP")
OTHERS = ("IMAP", "SMTP", "WEB")


class EasCredentialTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.cli("prov", "cd", "example.com")
        s.cli("config", "set", "global", "authThrottleAccountFailures", "1000", "authThrottleAddressFailures", "100000")

    def test_mobile_password_rule(self):
        self.cli("prov", "ca", "john@example.com", "john-account-pw")
        self.cli("prov", "aaa", "john@example.com", "j.doe@example.com")
        # No credential yet: the account password opens every service, ActiveSync included.
        for service in MOBILE + ("IMAP",):
            self.assertEqual(self.assertLogin("john@example.com", "john-account-pw", service)["method"], "password")
        self.assertEqual(self.json("auth", "credential", "list", "john@example.com")["credentials"], [])
        self.assertIn("has no credentials", self.cli("auth", "credential", "list", "john@example.com").out)

        # Generated and shown once.
        r = self.cli("auth", "credential", "add", "john@example.com", "label", "John's phone", "service", "EAS")
        m = re.search(r"^\s*password\s+(\S+)\s*$", r.out, re.M)
        self.assertTrue(m, r.out)
        mobile = m.group(1)
        self.assertGreaterEqual(len(mobile), 12)
        cid = re.search(r"^\s*id\s+(\S+)\s*$", r.out, re.M).group(1)
        self.assertIn("shown only now", r.out)
        listed = self.json("auth", "credential", "list", "john@example.com")["credentials"]
        self.assertEqual(len(listed), 1)
        self.assertEqual({k: listed[0][k] for k in ("id", "label", "services", "generated", "enabled")},
                         {"id": cid, "label": "John's phone", "services": "EAS", "generated": True, "enabled": True})
        self.assertNotIn("password", listed[0])
        text = self.cli("auth", "credential", "list", "john@example.com").out
        self.assertIn(cid, text)
        self.assertNotIn(mobile, text)
        self.assertNotIn(mobile, str(self.server.db_query("SELECT * FROM credentials")))

        # Now the account password is refused where the credential rules, and still works elsewhere.
        for service in MOBILE:
            self.assertLoginRefused("john@example.com", "john-account-pw", service, contains="mobile password")
        for service in OTHERS:
            self.assertEqual(self.assertLogin("john@example.com", "john-account-pw", service)["method"], "password")
        # The credential opens ActiveSync and the address book (also through an alias), nothing else.
        for service in MOBILE:
            self.assertEqual(self.assertLogin("john@example.com", mobile, service)["method"], f"credential {cid}")
        self.assertEqual(self.assertLogin("j.doe@example.com", mobile, "EAS")["account"], "john@example.com")
        for service in ("IMAP", "SMTP"):
            self.assertLoginRefused("john@example.com", mobile, service, contains="wrong password")

        # Disabled: refused at once, even though the login was cached; the account password stays refused.
        self.json("auth", "credential", "update", "john@example.com", cid, "enabled", "false")
        self.assertFalse(self.json("auth", "credential", "list", "john@example.com")["credentials"][0]["enabled"])
        self.assertLoginRefused("john@example.com", mobile, "EAS", contains="not an enabled EAS credential")
        self.assertLoginRefused("john@example.com", "john-account-pw", "EAS")
        self.cli("auth", "credential", "update", "john@example.com", cid, "enabled", "true", "label", "Work phone")
        self.assertEqual(self.json("auth", "credential", "list", "john@example.com")["credentials"][0]["label"], "Work phone")
        self.assertLogin("john@example.com", mobile, "EAS")

        # A second credential with a chosen password; both work for EAS.
        r = self.json("auth", "credential", "add", "john@example.com", "password", "tablet-pw-1", "label", "Tablet")
        self.assertEqual((r["password"], r["generated"], r["services"]), ("tablet-pw-1", False, "EAS"))
        self.assertLogin("john@example.com", "tablet-pw-1", "LDAP")
        self.cli("auth", "credential", "delete", "john@example.com", r["id"])
        self.assertLoginRefused("john@example.com", "tablet-pw-1", "LDAP")

        # Deleting the last credential gives ActiveSync back to the account password.
        self.cli("auth", "credential", "delete", "john@example.com", cid)
        self.assertEqual(self.json("auth", "credential", "list", "john@example.com")["credentials"], [])
        self.assertLogin("john@example.com", "john-account-pw", "EAS")
        self.assertLoginRefused("john@example.com", mobile, "EAS", contains="wrong password")

    def test_credential_errors_change_nothing(self):
        self.cli("prov", "ca", "kate@example.com", "")
        cid = self.json("auth", "credential", "add", "kate@example.com", "password", "kate-mobile-1")["id"]
        state = lambda: self.json("auth", "credential", "list", "kate@example.com")
        self.assertFailsUnchanged("auth", "credential", "add", "ghost@example.com", contains="no such account", state=state)
        self.assertFailsUnchanged("auth", "credential", "add", "kate@example.com", "service", "IMAP",
                                  contains="unsupported credential service", state=state)
        self.assertFailsUnchanged("auth", "credential", "add", "kate@example.com", "colour", "red",
                                  contains="unknown parameter 'colour'", state=state)
        self.assertFailsUnchanged("auth", "credential", "add", "kate@example.com", "password",
                                  contains="needs a value", state=state)
        self.assertFailsUnchanged("auth", "credential", "update", "kate@example.com", "nope1", "enabled", "false",
                                  contains="no credential with id nope1", state=state)
        self.assertFailsUnchanged("auth", "credential", "update", "kate@example.com", cid, "enabled", "perhaps",
                                  contains="true or false", state=state)
        self.assertFailsUnchanged("auth", "credential", "update", "kate@example.com", cid,
                                  contains="nothing to update", state=state)
        self.assertFailsUnchanged("auth", "credential", "delete", "kate@example.com", "nope1", contains="nope1",
                                  state=state)
        self.assertFailsUnchanged("auth", "test", "kate@example.com", "x", "service", "GOPHER", contains="unknown service",
                                  state=state)
        # Deleting the account deletes its credentials.
        self.cli("prov", "da", "kate@example.com")
        self.cli("prov", "ca", "kate@example.com", "")
        self.assertEqual(state()["credentials"], [])

    def test_password_change_drops_cached_logins(self):
        self.cli("prov", "ca", "lucy@example.com", "lucy-old-pw")
        for _ in range(2):  # the second one comes from the cache
            self.assertLogin("lucy@example.com", "lucy-old-pw", "EAS")
        self.cli("prov", "sp", "lucy@example.com", "lucy-new-pw")
        self.assertLoginRefused("lucy@example.com", "lucy-old-pw", "EAS", contains="wrong password")
        self.assertLogin("lucy@example.com", "lucy-new-pw", "EAS")
        # A locked account is refused at once as well, cached or not.
        self.assertLogin("lucy@example.com", "lucy-new-pw", "EAS")
        self.cli("prov", "ma", "lucy@example.com", "zimbraAccountStatus", "locked")
        self.assertLoginRefused("lucy@example.com", "lucy-new-pw", "EAS", contains="locked")
        self.cli("prov", "ma", "lucy@example.com", "zimbraAccountStatus", "active")
        # A new credential drops the cached account-password login for ActiveSync.
        self.assertLogin("lucy@example.com", "lucy-new-pw", "EAS")
        cid = self.json("auth", "credential", "add", "lucy@example.com", "password", "lucy-phone-1")["id"]
        self.assertLoginRefused("lucy@example.com", "lucy-new-pw", "EAS", contains="mobile password")
        # Renaming drops cached logins by the old name.
        self.assertLogin("lucy@example.com", "lucy-phone-1", "EAS")
        self.cli("prov", "ra", "lucy@example.com", "lucy.b@example.com")
        self.assertLoginRefused("lucy@example.com", "lucy-phone-1", "EAS", contains="no account")
        self.assertLogin("lucy.b@example.com", "lucy-phone-1", "EAS")
        self.cli("auth", "credential", "delete", "lucy.b@example.com", cid)


if __name__ == "__main__":
    unittest.main()
