"""Binds right after bulk changes: the address book applies a large import in the background, and a
user created by it (or by a burst of `prov ca`) must be able to bind and search at once, with
real clients (ldapsearch, python-ldap), never getting *unavailable* while the snapshot catches up."""
import concurrent.futures
import os
import subprocess
import unittest

from harness import GEN_PEOPLE, PYTHON
from test_ldap_fixture import BASE, PASSWORD, LdapServer

PEOPLE = 20000  # beyond the address book's full-reload threshold (2,000 changed accounts)
PEOPLE_PASSWORD = "secret"  # tools/gen_people_ldif.py gives everyone this password


class LdapBulkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = LdapServer()
        cls.server.start()
        cls.server.cli("prov", "cd", "example.com")
        cls.server.cli("prov", "mc", "default", "zimbraFeatureMobileSyncEnabled", "TRUE")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def env(self):
        e = dict(os.environ)
        e.update(LDAPTLS_CACERT=self.server.ca_file, LDAPTLS_REQCERT="demand", LDAPCONF="/dev/null",
                 LDAPRC="/dev/null")
        return e

    def ldapsearch_self(self, address, password):
        """Binds as `address` over LDAPS and searches for its own entry: (exit code, stdout, stderr)."""
        p = subprocess.run(["/usr/bin/ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-x",
                            "-H", f"ldaps://127.0.0.1:{self.server.ports['ldaps']}", "-D", address, "-w", password,
                            "-b", "", f"(mail={address})", "mail"],
                           capture_output=True, text=True, timeout=120, env=self.env())
        return p.returncode, p.stdout, p.stderr

    def python_ldap_self(self, address, password):
        import ldap
        conn = ldap.initialize(f"ldaps://127.0.0.1:{self.server.ports['ldaps']}")
        conn.set_option(ldap.OPT_X_TLS_CACERTFILE, self.server.ca_file)
        conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
        conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        conn.set_option(ldap.OPT_REFERRALS, 0)
        conn.protocol_version = 3
        try:
            conn.simple_bind_s(address, password)
            return [dn for dn, _ in conn.search_s("", ldap.SCOPE_SUBTREE, f"(mail={address})", ["mail"])]
        finally:
            conn.unbind_s()

    def setUp(self):
        self.log_start = os.path.getsize(self.server.log_path)

    def assert_no_refused_bind(self):
        """The server log of this test shows no bind that failed on the address book."""
        with open(self.server.log_path, "rb") as f:
            f.seek(self.log_start)
            log = f.read().decode("utf-8", "replace")
        self.assertNotIn("could not be loaded", log)
        self.assertNotIn("failed: the address book", log)

    def test_bind_and_search_right_after_import_ldif(self):
        path = os.path.join(self.server.root, "people.ldif")
        with open(path, "w") as f:
            subprocess.run([PYTHON, GEN_PEOPLE, str(PEOPLE)], stdout=f, check=True, timeout=300)
        with open(path) as f:
            mails = [line.split(":", 1)[1].strip() for line in f if line.startswith("mail:")]
        self.assertEqual(len(mails), PEOPLE)
        out = self.server.cli("prov", "importLdif", path)
        self.assertIn(f"imported {PEOPLE} accounts", out.out)
        # At once, the last person of the file: bind and find their own entry.
        rc, stdout, stderr = self.ldapsearch_self(mails[-1], PEOPLE_PASSWORD)
        self.assertEqual(rc, 0, stderr)
        self.assertIn(f"dn: uid={mails[-1]},ou=InternalGAL/example.com,{BASE}", stdout)
        self.assertEqual(self.python_ldap_self(mails[-2], PEOPLE_PASSWORD),
                         [f"uid={mails[-2]},ou=InternalGAL/example.com,{BASE}"])
        self.assert_no_refused_bind()

    def test_bind_right_after_a_burst_of_create_account(self):
        addresses = [f"burst{i}@example.com" for i in range(24)]
        # Eight admins at once; each `prov ca` is its own commit and change notification.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda a: self.server.cli("prov", "ca", a, PASSWORD, "displayName", a.split("@")[0]),
                          addresses[:-1]))
        self.server.cli("prov", "ca", addresses[-1], PASSWORD, "displayName", "last")
        self.assertEqual(self.python_ldap_self(addresses[-1], PASSWORD),
                         [f"uid={addresses[-1]},ou=InternalGAL/example.com,{BASE}"])
        rc, stdout, stderr = self.ldapsearch_self(addresses[0], PASSWORD)
        self.assertEqual(rc, 0, stderr)
        self.assertIn(f"dn: uid={addresses[0]},", stdout)
        self.assert_no_refused_bind()


if __name__ == "__main__":
    unittest.main()
