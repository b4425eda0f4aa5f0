"""`prov importLdif`: inetOrgPerson entries become accounts, base64 and folded lines included;
a bad entry aborts with its line number and imports nothing."""
import os
import subprocess
import time
import unittest

from harness import BIN, ServerTestCase, gen_people_ldif

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def fixture(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return f.read()


def line_of(text, needle):
    """1-based number of the first line containing `needle`."""
    for i, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in the text")


class LdifImportTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.cli("prov", "cd", "example.com")
        cls.server.cli("prov", "cd", "import.example")

    def account_count(self):
        return self.server.status()["accounts"]

    IDENTITY = {"zimbraId", "mail", "zimbraMailAlias", "zimbraCreateTimestamp", "zimbraAccountStatus"}

    def attrs(self, account):
        """The account's own attribute values, without the derived identity ones."""
        return {k: v["values"] for k, v in self.json("prov", "ga", account)["attrs"].items()
                if v["source"] == "account" and k not in self.IDENTITY}

    def import_ldif(self, name, text, *extra):
        return self.cli("prov", "importLdif", self.server.write_file(name, text), *extra, json_out=True)

    def test_a_realistic_file(self):
        before = self.account_count()
        r = self.import_ldif("people.ldif", fixture("people.ldif")).data
        self.assertEqual(r, {"imported": 4, "skipped": 2})
        self.assertEqual(self.account_count(), before + 4)

        ann = self.json("prov", "ga", "ann.lee@example.com")
        self.assertEqual(ann["aliases"], ["a.lee@example.com", "ann@example.com"])
        self.assertTrue(ann["hasPassword"])
        self.assertEqual(self.attrs("ann.lee@example.com"), {
            "cn": ["Ann Lee"], "displayName": ["Ann B. Lee"], "givenName": ["Ann"], "sn": ["Lee"],
            "initials": ["AB"], "telephoneNumber": ["+1 555 0100"], "mobile": ["+1 555 0101"],
            "homePhone": ["+1 555 0102"], "facsimileTelephoneNumber": ["+1 555 0103"], "pager": ["+1 555 0104"],
            "title": ["Chief Financial Officer"], "company": ["Example Corp"], "ou": ["Finance"],
            "physicalDeliveryOfficeName": ["HQ 4th floor"], "street": ["1 Main Street"], "l": ["Springfield"],
            "st": ["IL"], "postalCode": ["62701"], "c": ["US"],
        })
        # The text form shows the same values, zmprov style.
        out = self.cli("prov", "ga", "ann@example.com", "title", "company").out
        self.assertEqual(out, "# name ann.lee@example.com\ntitle: Chief Financial Officer\n# title comes from: account\n"
                              "company: Example Corp\n# company comes from: account\n")

        # base64 (UTF-8) values, folded plain and folded base64 lines, department → ou, cn → displayName.
        j = self.attrs("juergen.mueller@example.com")
        self.assertEqual(j["cn"], ["Jürgen Müller"])
        self.assertEqual(j["displayName"], ["Jürgen Müller"])
        self.assertEqual(j["givenName"], ["Jürgen"])
        self.assertEqual(j["sn"], ["Müller"])
        self.assertEqual(j["title"], ["Head of Research and Development, Europe"])
        self.assertEqual(j["street"], ["Straße 12, Hinterhaus"])
        self.assertEqual(j["ou"], ["Research"])
        self.assertEqual(j["description"], [" leading space"])
        # Addresses are lower-cased.
        self.assertEqual(self.json("prov", "ga", "kim.park@example.com")["name"], "kim.park@example.com")

        # Imported hashes are kept; a plain value is hashed on the way in.
        stored = dict(self.server.db_query(
            "SELECT address, password FROM accounts WHERE address IN (?, ?, ?, ?)",
            ("ann.lee@example.com", "juergen.mueller@example.com", "kim.park@example.com", "sam.roe@example.com")))
        self.assertEqual(stored["ann.lee@example.com"], "{SSHA}3tSyr8if8pPSJEweGNZXGCcT15+EnzG7")
        self.assertEqual(stored["juergen.mueller@example.com"], "{SHA}L0BKBDmBKOoJeQ+FeqbmbKsqDj8=")
        self.assertTrue(stored["sam.roe@example.com"].startswith("{CRYPT}$6$"))
        self.assertTrue(stored["kim.park@example.com"].startswith("$argon2id$"), stored["kim.park@example.com"])
        self.assertNotIn("plain-secret-3", stored["kim.park@example.com"])
        self.assertLogin("a.lee@example.com", "ldif-secret-1")
        self.assertLogin("juergen.mueller@example.com", "ldif-secret-2")
        self.assertLogin("kim.park@example.com", "plain-secret-3")
        self.assertLogin("sam.roe@example.com", "ldif-secret-4")
        self.assertLoginRefused("sam.roe@example.com", "ldif-secret-1", contains="wrong password")

        # The same file again: every address is taken now, and nothing is imported.
        count = self.account_count()
        r = self.cli("prov", "importLdif", self.server.write_file("again.ldif", fixture("people.ldif")), check=False)
        self.assertEqual(r.rc, 1)
        self.assertIn(f"line {line_of(fixture('people.ldif'), 'dn: uid=ann.lee')}", r.err)
        self.assertIn("already in use", r.err)
        self.assertIn("nothing was imported", r.err)
        self.assertEqual(self.account_count(), count)

    def test_domain_option_rewrites_addresses(self):
        text = ("dn: uid=zed,ou=people,dc=x\nobjectClass: inetOrgPerson\nuid: zed\ncn: Zed Zero\nsn: Zero\n\n"
                "dn: uid=yul,ou=people,dc=x\nobjectClass: inetOrgPerson\ncn: Yul\nsn: Yul\nmail: yul@elsewhere.example\n"
                "mail: yul.b@elsewhere.example\n")
        r = self.import_ldif("domain.ldif", text, "domain", "import.example").data
        self.assertEqual(r["imported"], 2)
        self.assertEqual(sorted(a["name"] for a in self.json("prov", "gaa", "import.example")["accounts"]),
                         ["yul@import.example", "zed@import.example"])
        self.assertEqual(self.json("prov", "ga", "yul@import.example")["aliases"], ["yul.b@import.example"])
        self.assertFalse(self.json("prov", "ga", "zed@import.example")["hasPassword"])
        self.assertFails("prov", "importLdif", self.server.write_file("d2.ldif", text), "domain", "nowhere.example",
                         contains="no such domain")

    def assertImportRefused(self, name, text, line, contains):
        """The import fails naming `line` and `contains`, and the directory is unchanged."""
        path = self.server.write_file(name, text)
        r = self.assertFailsUnchanged("prov", "importLdif", path, contains=contains)
        self.assertIn(f"line {line}:", r.err)
        self.assertIn("nothing was imported", r.err)
        self.assertEqual(len(r.err.strip().splitlines()), 1, r.err)
        return r

    def good_entries(self, prefix, n=3):
        return "".join(f"dn: uid={prefix}{i},dc=bad\nobjectClass: inetOrgPerson\ncn: {prefix} {i}\nsn: {i}\n"
                       f"mail: {prefix}{i}@example.com\nuserPassword: {{SSHA}}3tSyr8if8pPSJEweGNZXGCcT15+EnzG7\n\n"
                       for i in range(n))

    def test_bad_base64_aborts_with_its_line(self):
        text = self.good_entries("b64a") + "dn: uid=broken,dc=bad\nobjectClass: inetOrgPerson\ncn:: %%%not-base64%%%\n" \
            "mail: broken@example.com\n\n" + self.good_entries("b64b")
        self.assertImportRefused("b64.ldif", text, line_of(text, "cn:: %%%"), "base64")

    def test_duplicate_address_aborts_with_its_line(self):
        text = self.good_entries("dup") + "dn: uid=dup1again,dc=bad\nobjectClass: inetOrgPerson\ncn: again\nsn: x\n" \
            "mail: DUP1@example.com\n"
        r = self.assertImportRefused("dup.ldif", text, line_of(text, "dn: uid=dup1again"), "dup1@example.com")
        self.assertIn(f"also used at line {line_of(text, 'dn: uid=dup1,')}", r.err)

    def test_missing_mail_aborts_with_its_line(self):
        text = self.good_entries("nomail") + "dn: uid=nomail,dc=bad\nobjectClass: inetOrgPerson\ncn: No Mail\nsn: Mail\n"
        self.assertImportRefused("nomail.ldif", text, line_of(text, "dn: uid=nomail,"), "no mail")

    def test_other_bad_entries(self):
        good = self.good_entries("other")
        cases = [
            ("no-colon", good + "dn: uid=x,dc=bad\nobjectClass: inetOrgPerson\nthis line has no separator\n",
             "this line has no", "line"),
            ("unknown-domain", good + "dn: uid=x,dc=bad\nobjectClass: inetOrgPerson\nmail: x@unknown.example\n",
             "dn: uid=x,dc=bad", "unknown.example"),
            ("bad-hash", good + "dn: uid=x,dc=bad\nobjectClass: inetOrgPerson\nmail: hx@example.com\n"
                                "userPassword: {MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==\n", "dn: uid=x,dc=bad", "MD5"),
            ("bad-address", good + "dn: uid=x,dc=bad\nobjectClass: inetOrgPerson\nmail: not an address\n",
             "dn: uid=x,dc=bad", "not an address"),
            ("url-value", good + "dn: uid=x,dc=bad\nobjectClass: inetOrgPerson\njpegPhoto:< file:///etc/passwd\n",
             "jpegPhoto:<", "line"),
            ("no-dn", good + "objectClass: inetOrgPerson\nmail: nodn@example.com\n", "objectClass: inetOrgPerson\nmail: nodn",
             "dn"),
        ]
        for name, text, needle, contains in cases:
            with self.subTest(case=name):
                line = line_of(text, needle.split("\n")[0]) if "\n" not in needle else \
                    text[:text.index(needle)].count("\n") + 1
                self.assertImportRefused(name + ".ldif", text, line, contains)

    def test_nothing_to_import(self):
        self.assertFailsUnchanged("prov", "importLdif",
                                  self.server.write_file("empty.ldif", "dn: dc=x\nobjectClass: domain\ndc: x\n"),
                                  contains="no person entries")
        self.assertFails("prov", "importLdif", os.path.join(self.server.root, "missing.ldif"), contains="missing.ldif")

    def test_thousand_generated_people(self):
        self.cli("prov", "cd", "people.example")
        path = gen_people_ldif(os.path.join(self.server.root, "people1k.ldif"), 1000, domain="people.example")
        before = self.account_count()
        t0 = time.monotonic()
        r = self.cli("prov", "importLdif", path, json_out=True).data
        elapsed = time.monotonic() - t0
        self.assertEqual(r, {"imported": 1000, "skipped": 2})
        self.assertEqual(self.account_count(), before + 1000)
        accounts = self.json("prov", "gaa", "people.example")["accounts"]
        self.assertEqual(len(accounts), 1000)
        # A generated person: every mapped attribute is there; the password ("secret") works.
        first = sorted(a["name"] for a in accounts)[0]
        attrs = self.attrs(first)
        for k in ("cn", "sn", "givenName", "displayName", "title", "telephoneNumber", "mobile", "l", "postalCode",
                  "company", "ou"):
            self.assertIn(k, attrs, first)
        self.assertLogin(first, "secret")
        self.assertLess(elapsed, 60, "1,000 entries should import in well under a minute")


class LdifImportCrashTest(ServerTestCase):
    """A server killed during an import has imported all of it or nothing."""

    def test_kill_during_import(self):
        s = self.server
        s.cli("prov", "cd", "crash.example")
        n = 10000
        path = gen_people_ldif(os.path.join(s.root, "crash.ldif"), n, domain="crash.example")
        cli = subprocess.Popen([BIN, "--config", s.config_path, "prov", "importLdif", path],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.8)
            s.kill9()
            cli.wait(30)
        finally:
            if cli.poll() is None:
                cli.kill()
                cli.wait(10)
        s.start()
        count = s.status()["accounts"]
        self.assertIn(count, (0, n), "a killed import must leave all or nothing")
        self.assertEqual(len(s.json("prov", "gaa", "crash.example")["accounts"]), count)
        # The directory still works, and the same file imports completely now when nothing came in.
        if count == 0:
            self.assertEqual(s.json("prov", "importLdif", path)["imported"], n)


if __name__ == "__main__":
    unittest.main()
