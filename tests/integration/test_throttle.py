"""Login throttling: repeated failures block one account (even with the right password) and one
client address, without blocking other accounts and addresses.

The first block lasts one second from the refusal (it doubles with every further failure), so each
scenario checks the block right after the failure that causes it, and retries with fresh accounts
when the machine was too slow to do that within the second."""
import time
import unittest

from harness import ServerTestCase

# {SSHA} of "throttle-pw": imported hashes are cheap to check, so failures cost little time.
SSHA = "{SSHA}ALzwMShZwn+XLWcLkigxZmpbOrIYLlYg"
PASSWORD = "throttle-pw"


class ThrottleTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.cli("prov", "cd", "example.com")
        s.cli("config", "set", "global", "authThrottleAccountFailures", "3", "authThrottleAddressFailures", "5",
              "authThrottleMaxDelay", "60")
        cls.serial = 0

    def new_account(self, prefix):
        ThrottleTest.serial += 1
        address = f"{prefix}{self.serial}@example.com"
        self.cli("prov", "ca", address, "", "userPassword", SSHA)
        return address

    def auth(self, login, secret, client):
        return self.server.cli("auth", "test", login, secret, "service", "IMAP", "client", client, check=False)

    def within_block(self, scenario):
        """Runs scenario() (which returns the time its blocking failure started) up to 3 times."""
        for _ in range(3):
            started = scenario()
            if started is not None:
                return
        self.fail("the machine was too slow to check a one-second block three times in a row")

    def test_settings_are_visible(self):
        out = self.cli("config", "get", "global", "authThrottleAccountFailures", "authThrottleAddressFailures").out
        self.assertIn("authThrottleAccountFailures: 3    # from global", out)
        self.assertIn("authThrottleAddressFailures: 5    # from global", out)

    def test_account_is_blocked_other_accounts_are_not(self):
        def scenario():
            victim, bystander = self.new_account("victim"), self.new_account("bystander")
            alias = victim.replace("@", ".alias@")
            self.cli("prov", "aaa", victim, alias)
            # Failures from several addresses, by name or alias, all count for the account.
            self.assertEqual(self.auth(victim, "wrong-1", f"192.0.{self.serial}.1").rc, 1)
            self.assertEqual(self.auth(alias, "wrong-2", f"192.0.{self.serial}.2").rc, 1)
            r = self.auth(victim, "wrong-3", f"192.0.{self.serial}.3")
            started = time.monotonic()
            self.assertEqual(r.rc, 1)
            self.assertIn("wrong password", r.err)
            # The right password, from a fresh address, is throttled now.
            r = self.auth(victim, PASSWORD, f"192.0.{self.serial}.4")
            if r.rc == 0 and time.monotonic() - started > 0.8:
                return None  # too slow: the one-second block was over
            self.assertEqual(r.rc, 1, r)
            self.assertIn("too many failed logins", r.err)
            self.assertIn("retry in", r.err)
            # Another account from another address logs in meanwhile.
            self.assertEqual(self.auth(bystander, PASSWORD, f"192.0.{self.serial}.5").rc, 0)
            # The block ends; a success clears the count.
            time.sleep(1.2)
            r = self.auth(victim, PASSWORD, f"192.0.{self.serial}.4")
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(self.auth(victim, "wrong-4", f"192.0.{self.serial}.6").rc, 1)
            self.assertEqual(self.auth(victim, PASSWORD, f"192.0.{self.serial}.6").rc, 0)
            return started

        self.within_block(scenario)

    def test_address_is_blocked_other_addresses_are_not(self):
        def scenario():
            # Five accounts fail once each from one address: under the account limit, at the address limit.
            tried = [self.new_account("spray") for _ in range(5)]
            ip7, ip8 = f"198.51.100.{self.serial}", f"198.51.101.{self.serial}"  # fresh addresses for each try
            fresh = self.new_account("fresh")
            for a in tried[:-1]:
                self.assertEqual(self.auth(a, "guess", ip7).rc, 1)
            self.assertEqual(self.auth(tried[-1], "guess", ip7).rc, 1)
            started = time.monotonic()
            r = self.auth(fresh, PASSWORD, ip7)
            if r.rc == 0 and time.monotonic() - started > 0.8:
                return None
            self.assertEqual(r.rc, 1, r)
            self.assertIn("too many failed logins", r.err)
            self.assertIn(ip7, r.err)
            # The same accounts log in from another address.
            self.assertEqual(self.auth(fresh, PASSWORD, ip8).rc, 0)
            self.assertEqual(self.auth(tried[0], PASSWORD, ip8).rc, 0)
            return started

        self.within_block(scenario)

    def test_unknown_logins_count_too(self):
        # Guessing names is throttled like guessing passwords (per login and per address).
        def scenario():
            ThrottleTest.serial += 1
            ghost = f"ghost{self.serial}@example.com"
            self.assertEqual(self.auth(ghost, "a", f"203.0.{self.serial}.1").rc, 1)
            self.assertEqual(self.auth(ghost, "b", f"203.0.{self.serial}.2").rc, 1)
            self.assertIn("no account", self.auth(ghost, "c", f"203.0.{self.serial}.3").err)
            started = time.monotonic()
            r = self.auth(ghost, "d", f"203.0.{self.serial}.4")
            if "no account" in r.err and time.monotonic() - started > 0.8:
                return None
            self.assertIn("too many failed logins", r.err)
            return started

        self.within_block(scenario)


if __name__ == "__main__":
    unittest.main()
