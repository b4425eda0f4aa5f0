"""Binds right after bulk changes: the address book applies a large import in the background, and a
user created by it (or by a burst of `prov ca`) must be able to bind and search at once, with
real clients (ldapsearch, python-ldap), never getting *unavailable* while the snapshot catches up.
And with that many people, large answers arrive whole over every TLS path."""
import concurrent.futures
import os
import subprocess
import unittest

from harness import GEN_PEOPLE, PYTHON
from test_ldap_fixture import BASE, PASSWORD, LdapServer

PEOPLE = 20000  # beyond the address book's full-reload threshold (2,000 changed accounts)
PEOPLE_PASSWORD = "secret"  # tools/gen_people_ldif.py gives everyone this password


class LdapBulkTest(unittest.TestCase):
    imported = False

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
        type(self).imported = True
        type(self).people = mails
        # At once, the last person of the file: bind and find their own entry.
        rc, stdout, stderr = self.ldapsearch_self(mails[-1], PEOPLE_PASSWORD)
        self.assertEqual(rc, 0, stderr)
        self.assertIn(f"dn: uid={mails[-1]},ou=InternalGAL/example.com,{BASE}", stdout)
        self.assertEqual(self.python_ldap_self(mails[-2], PEOPLE_PASSWORD),
                         [f"uid={mails[-2]},ou=InternalGAL/example.com,{BASE}"])
        self.assert_no_refused_bind()

    def test_large_answers_arrive_whole_over_every_transport(self):
        """Answers of many batches (1,000 entries, about 300 KB, sent 64 KB at a time) arrive whole
        and alike over LDAPS, StartTLS and TLS on the LDAP port; and paging through the whole
        address book over TLS returns every person once."""
        import ldap
        from ldap.controls import SimplePagedResultsControl
        if not type(self).imported:  # run alone
            self.test_bind_and_search_right_after_import_ldif()
        user, password = type(self).people[0], PEOPLE_PASSWORD
        ports = self.server.ports
        results = {}
        for how, url, starttls in (("LDAPS", f"ldaps://127.0.0.1:{ports['ldaps']}", False),
                                   ("StartTLS", f"ldap://127.0.0.1:{ports['ldap']}", True),
                                   ("TLS on the LDAP port", f"ldaps://127.0.0.1:{ports['ldap']}", False)):
            conn = ldap.initialize(url)
            conn.set_option(ldap.OPT_X_TLS_CACERTFILE, self.server.ca_file)
            conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
            conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
            conn.set_option(ldap.OPT_REFERRALS, 0)
            conn.protocol_version = 3
            if starttls:
                conn.start_tls_s()
            conn.simple_bind_s(user, password)
            msgid = conn.search_ext("", ldap.SCOPE_SUBTREE, "(mail=*)", ["cn", "mail", "title", "telephoneNumber"])
            entries = []
            while True:
                try:
                    rtype, data, _, _ = conn.result3(msgid, all=0, timeout=60)
                except ldap.SIZELIMIT_EXCEEDED:
                    break
                entries += data
                if rtype == ldap.RES_SEARCH_RESULT:
                    break
            results[how] = sorted((dn, sorted((k, sorted(v)) for k, v in a.items())) for dn, a in entries)
            self.assertEqual(len(results[how]), 1000, how)  # max_size_limit
            if how == "LDAPS":
                page = SimplePagedResultsControl(True, size=1000, cookie="")
                seen = set()
                for _ in range(100):
                    msgid = conn.search_ext("", ldap.SCOPE_SUBTREE, "(mail=*)", ["mail"], serverctrls=[page])
                    _, data, _, ctrls = conn.result3(msgid, timeout=60)
                    for dn, _ in data:
                        self.assertNotIn(dn, seen)
                        seen.add(dn)
                    cookie = [c for c in ctrls if c.controlType == SimplePagedResultsControl.controlType][0].cookie
                    if not cookie:
                        break
                    page.cookie = cookie
                everyone = {f"uid={m},ou=InternalGAL/example.com,{BASE}" for m in type(self).people}
                self.assertEqual(everyone - seen, set())
            conn.unbind_s()
        self.assertEqual(results["StartTLS"], results["LDAPS"])
        self.assertEqual(results["TLS on the LDAP port"], results["LDAPS"])

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
