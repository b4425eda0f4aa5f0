"""Login throttling: repeated failures block one account (even with the right password) and one
client address, without blocking other accounts and addresses; a block ends by itself and a
success clears the count.

Blocks last a minute here (authThrottleInitialDelay), so the checks inside a block hold however
slow the machine; the test of a block's end uses a short one and waits for it, within a bound."""
import time
import unittest

from harness import ServerTestCase

# {SSHA} of "throttle-pw": imported hashes are cheap to check, so failures cost little time.
SSHA = "{SSHA}ALzwMShZwn+XLWcLkigxZmpbOrIYLlYg"
PASSWORD = "throttle-pw"
BLOCK = 60  # seconds: the first block in the tests that check what a block refuses


class ThrottleTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.cli("prov", "cd", "example.com")
        s.cli("config", "set", "global", "authThrottleAccountFailures", "3", "authThrottleAddressFailures", "5",
              "authThrottleInitialDelay", str(BLOCK), "authThrottleMaxDelay", "600")
        cls.serial = 0

    def new_account(self, prefix):
        ThrottleTest.serial += 1
        address = f"{prefix}{self.serial}@example.com"
        self.cli("prov", "ca", address, "", "userPassword", SSHA)
        return address

    def auth(self, login, secret, client):
        return self.server.cli("auth", "test", login, secret, "service", "IMAP", "client", client, check=False)

    def test_settings_are_visible(self):
        out = self.cli("config", "get", "global", "authThrottleAccountFailures", "authThrottleAddressFailures",
                       "authThrottleInitialDelay").out
        self.assertIn("authThrottleAccountFailures: 3    # from global", out)
        self.assertIn("authThrottleAddressFailures: 5    # from global", out)
        self.assertIn(f"authThrottleInitialDelay: {BLOCK}    # from global", out)
        r = self.cli("config", "set", "global", "authThrottleInitialDelay", "0", check=False)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("authThrottleInitialDelay", r.err)

    def test_account_is_blocked_other_accounts_are_not(self):
        victim, bystander = self.new_account("victim"), self.new_account("bystander")
        alias = victim.replace("@", ".alias@")
        self.cli("prov", "aaa", victim, alias)
        # Failures from several addresses, by name or alias, all count for the account.
        self.assertEqual(self.auth(victim, "wrong-1", "192.0.2.1").rc, 1)
        self.assertEqual(self.auth(alias, "wrong-2", "192.0.2.2").rc, 1)
        r = self.auth(victim, "wrong-3", "192.0.2.3")
        self.assertEqual(r.rc, 1)
        self.assertIn("wrong password", r.err)
        # The right password, from a fresh address, is throttled now.
        r = self.auth(victim, PASSWORD, "192.0.2.4")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("too many failed logins", r.err)
        self.assertIn("retry in", r.err)
        # Another account from another address logs in meanwhile.
        self.assertEqual(self.auth(bystander, PASSWORD, "192.0.2.5").rc, 0)

    def test_address_is_blocked_other_addresses_are_not(self):
        # Five accounts fail once each from one address: under the account limit, at the address limit.
        tried = [self.new_account("spray") for _ in range(5)]
        fresh = self.new_account("fresh")
        for a in tried:
            self.assertEqual(self.auth(a, "guess", "198.51.100.7").rc, 1)
        r = self.auth(fresh, PASSWORD, "198.51.100.7")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("too many failed logins", r.err)
        self.assertIn("198.51.100.7", r.err)
        # The same accounts log in from another address.
        self.assertEqual(self.auth(fresh, PASSWORD, "198.51.100.8").rc, 0)
        self.assertEqual(self.auth(tried[0], PASSWORD, "198.51.100.8").rc, 0)

    def test_unknown_logins_count_too(self):
        # Guessing names is throttled like guessing passwords (per login and per address).
        ghost = "ghost@example.com"
        self.assertEqual(self.auth(ghost, "a", "203.0.113.1").rc, 1)
        self.assertEqual(self.auth(ghost, "b", "203.0.113.2").rc, 1)
        self.assertIn("no account", self.auth(ghost, "c", "203.0.113.3").err)
        self.assertIn("too many failed logins", self.auth(ghost, "d", "203.0.113.4").err)

    def test_block_ends_and_a_success_clears_the_count(self):
        self.cli("config", "set", "global", "authThrottleInitialDelay", "1")
        try:
            victim = self.new_account("ends")
            for i in range(3):
                self.assertEqual(self.auth(victim, f"wrong-{i}", "192.0.2.20").rc, 1)
            # The block is over after a second: the right password works again (bounded wait).
            deadline = time.monotonic() + 30
            while self.auth(victim, PASSWORD, "192.0.2.21").rc != 0:
                self.assertLess(time.monotonic(), deadline, "a one-second block did not end")
                time.sleep(0.2)
            # The success cleared the count: one more failure does not block the account.
            self.assertEqual(self.auth(victim, "wrong-again", "192.0.2.22").rc, 1)
            r = self.auth(victim, PASSWORD, "192.0.2.22")
            self.assertEqual(r.rc, 0, r)
        finally:
            self.cli("config", "set", "global", "authThrottleInitialDelay", str(BLOCK))


if __name__ == "__main__":
    unittest.main()
