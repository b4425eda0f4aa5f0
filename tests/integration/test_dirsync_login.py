"""Login with directory credentials (pass-through) through the same authenticate() ActiveSync and
the address book use, switching an account made by hand to directory login, and TLS to the
directory: StartTLS and LDAPS with the test CA, a wrong CA refused unless
ignore_certificate_errors is set."""
import os
import time
import unittest

import test_dirsync as common
from slapd import make_ca


class LoginTest(common.DirsyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s = cls.scenario(cls, "login")
        cls.s.add_people("lia", "leo")
        cls.s.run()

    def auth(self, login, secret, *extra):
        return self.server.cli("auth", "test", login, secret, "service", "EAS", *extra, check=False)

    def test_directory_password_logs_in(self):
        r = self.auth(self.s.address("lia"), "pw-lia")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("by directory", r.out)
        # The login is case-insensitive, and the address book service goes the same way.
        r = self.auth(self.s.address("leo").upper(), "pw-leo", "service", "LDAP")
        self.assertEqual(r.rc, 0, r)

    def test_wrong_and_empty_passwords_are_refused(self):
        r = self.auth(self.s.address("lia"), "pw-leo", "client", "198.51.100.7")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("company directory refused the password", r.err)
        r = self.auth(self.s.address("lia"), "", "client", "198.51.100.8")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("empty login or password", r.err)

    def test_a_mobile_password_takes_precedence_for_eas(self):
        addr = self.s.address("leo")
        self.server.cli("auth", "credential", "add", addr, "password", "mobile-secret-1", "service", "EAS")
        try:
            r = self.auth(addr, "pw-leo", "client", "198.51.100.9")
            self.assertNotEqual(r.rc, 0, "the directory password is not accepted for EAS when a mobile password exists")
            self.assertIn("mobile password", r.err)
            r = self.auth(addr, "mobile-secret-1")
            self.assertEqual(r.rc, 0, r)
            self.assertIn("credential", r.out)
        finally:
            cid = self.server.json("auth", "credential", "list", addr)["credentials"][0]["id"]
            self.server.cli("auth", "credential", "delete", addr, cid)

    def test_a_directory_that_cannot_be_reached_is_an_error_not_a_wrong_password(self):
        self.slapd.stop()
        try:
            r = self.auth(self.s.address("lia"), "pw-lia-other", "client", "198.51.100.10")
            self.assertNotEqual(r.rc, 0)
            self.assertIn("no directory server answered", r.err)
            self.assertNotIn("refused the password", r.err)
        finally:
            self.slapd.start()
        self.assertEqual(self.auth(self.s.address("lia"), "pw-lia").rc, 0)

    def test_a_password_change_in_the_directory_applies_at_once(self):
        addr = self.s.address("leo")
        self.slapd.modify_ldif(f"dn: {self.s.dn('leo')}\nchangetype: modify\nreplace: userPassword\n"
                               f"userPassword: changed-leo\n\n")
        try:
            self.assertEqual(self.auth(addr, "changed-leo").rc, 0)
        finally:
            self.slapd.modify_ldif(f"dn: {self.s.dn('leo')}\nchangetype: modify\nreplace: userPassword\n"
                                   f"userPassword: pw-leo\n\n")

    def test_manual_account_switched_to_directory_login(self):
        s = self.s
        self.server.cli("prov", "ca", s.address("max"), "local-pw")
        self.assertEqual(self.auth(s.address("max"), "local-pw").rc, 0)
        self.assertCliFails("dirsync", "auth", s.address("max"), "directory", contains="no user of the directory")
        s.add_people("max")
        r = self.server.cli("dirsync", "auth", s.address("max"), "directory")
        self.assertIn("now logs in with the directory password", r.out)
        self.assertEqual(self.server.json("prov", "ga", s.address("max"))["authSource"], "directory")
        self.assertEqual(self.auth(s.address("max"), "pw-max").rc, 0)
        self.assertNotEqual(self.auth(s.address("max"), "local-pw", "client", "198.51.100.11").rc, 0)
        # The next run treats it as a synced account: no conflict, no second account.
        report = s.report()
        self.assertFalse([c for c in report["conflicts"] if s.address("max") in c], report)
        self.assertEqual(report["counts"]["created"], 0)
        # And back.
        r = self.server.cli("dirsync", "auth", s.address("max"), "local")
        self.assertIn("local password", r.out)
        self.assertEqual(self.auth(s.address("max"), "local-pw").rc, 0)
        report = s.report("mode", "full")
        self.assertTrue([c for c in report["conflicts"] if s.address("max") in c],
                        "a local account with a directory name is left alone")

    def test_a_local_account_with_a_directory_name_is_not_taken_over(self):
        s = self.s
        self.server.cli("prov", "ca", s.address("nia"), "mine")
        s.add_people("nia")
        report = s.report("mode", "full")
        self.assertIn(f"dirsync auth {s.address('nia')} directory", " ".join(report["conflicts"]))
        self.assertEqual(self.server.json("prov", "ga", s.address("nia"))["authSource"], "local")


class AddressBookTest(common.DirsyncCase):
    """Synced users are in the GAL of the LDAP address book without a restart, and log in to it
    with their directory password."""

    def connect(self, user, password):
        import ldap
        conn = ldap.initialize(f"ldaps://127.0.0.1:{self.server.ports['ldaps']}")
        conn.set_option(ldap.OPT_X_TLS_CACERTFILE, self.server.ca_file)
        conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
        conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        conn.set_option(ldap.OPT_REFERRALS, 0)
        conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
        conn.simple_bind_s(user, password)
        return conn

    def wait_for(self, conn, filt, predicate, what, limit=5.0):
        import ldap
        deadline = time.time() + limit
        while True:
            got = conn.search_s("", ldap.SCOPE_SUBTREE, filt, ["mail", "cn", "title"])
            if predicate(got):
                return got
            if time.time() > deadline:
                self.fail(f"{what}: not in the address book after {limit} s: {got}")
            time.sleep(0.05)

    def test_synced_users_are_in_the_gal(self):
        import ldap
        s = self.scenario("gal", default_mobile_enabled="TRUE", delete_out_of_scope="TRUE",
                          delete_threshold="50", incremental="off")
        s.add_people("gil", "gus", title="Pilot")
        s.report()
        # The address book applies committed changes a moment later (debounced): retry the first bind.
        deadline = time.time() + 5
        while True:
            try:
                conn = self.connect(s.address("gil"), "pw-gil")
                break
            except ldap.UNAVAILABLE:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        got = self.wait_for(conn, f"(mail={s.address('gus')})", lambda r: len(r) == 1, "synced user")
        self.assertEqual(got[0][1]["title"], [b"Pilot"])
        with self.assertRaises(ldap.INVALID_CREDENTIALS):
            self.connect(s.address("gus"), "pw-gil")
        # A change in the directory reaches the address book with the next run.
        self.slapd.modify_ldif(f"dn: {s.dn('gus')}\nchangetype: modify\nreplace: title\ntitle: Captain\n\n")
        s.report()
        self.wait_for(conn, "(title=Captain)", lambda r: len(r) == 1, "changed title")
        # A user removed from the directory is locked: gone from the GAL.
        self.slapd.delete(s.dn("gus"))
        s.report()
        self.wait_for(conn, f"(mail={s.address('gus')})", lambda r: r == [], "removed user")


class TlsTest(common.DirsyncCase):
    def scenario_tls(self, name, protocol, ca, **keys):
        uri = self.slapd.uri("ldaps") if protocol == "ldaps" else self.slapd.uri("ldap")
        s = self.scenario(name, protocol=protocol, server=uri, ca_file=ca, **keys)
        s.add_people("tia")
        return s

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wrong_ca, _ = make_ca(os.path.join(cls.slapd.root, "wrong-ca"), name="Some Other CA")

    def test_starttls_with_the_right_ca(self):
        s = self.scenario_tls("starttls", "starttls", self.slapd.ca_file)
        report = s.report()
        self.assertEqual(report["outcome"], "ok", report)
        self.assertEqual(report["server"], self.slapd.uri("ldap"))
        self.assertEqual(self.server.cli("auth", "test", s.address("tia"), "pw-tia").rc, 0)

    def test_ldaps_with_the_right_ca(self):
        s = self.scenario_tls("ldaps", "ldaps", self.slapd.ca_file)
        report = s.report()
        self.assertEqual(report["outcome"], "ok", report)
        self.assertTrue(report["server"].startswith("ldaps://"))
        self.assertEqual(self.server.cli("auth", "test", s.address("tia"), "pw-tia").rc, 0)

    def test_a_wrong_ca_is_refused_unless_certificate_errors_are_ignored(self):
        for protocol in ("starttls", "ldaps"):
            with self.subTest(protocol=protocol):
                s = self.scenario_tls(f"wrongca-{protocol}", protocol, self.wrong_ca)
                r = s.test(check=False)
                self.assertNotEqual(r.rc, 0, r)
                self.assertIn("ignore_certificate_errors", r.err)
                self.assertIn(f"wrongca-{protocol}.test", r.err)
                r = s.run(check=False)
                self.assertNotEqual(r.rc, 0)
                self.assertEqual(s.accounts(), {})
                self.assertEqual(s.status()["lastRun"]["outcome"], "failed")
                s.set("ignore_certificate_errors", "TRUE")
                report = s.report()
                self.assertEqual(report["counts"]["created"], 1)

    def test_plain_ldap_to_the_tls_port_fails_clearly(self):
        s = self.scenario("mismatch", server=f"127.0.0.1:{self.slapd.ports['ldaps']}", network_timeout="2s",
                          search_timeout="3s")
        r = s.test(check=False)
        self.assertNotEqual(r.rc, 0)
        self.assertIn(f"127.0.0.1:{self.slapd.ports['ldaps']}", r.err)


if __name__ == "__main__":
    unittest.main()
