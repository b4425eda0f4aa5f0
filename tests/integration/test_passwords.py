"""Passwords of every imported scheme: a hash given with `prov ca ... userPassword HASH` or in an
LDIF file is kept, verifies at login, refuses a wrong password, and becomes argon2id at the first
successful login. Hashes are made at test time by independent tools (slappasswd,
openssl passwd, libxcrypt through Python's crypt, hashlib)."""
import base64
import hashlib
import os
import shutil
import subprocess
import unittest
import warnings

from harness import ServerTestCase

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import crypt  # libxcrypt: $2b$ (bcrypt) and friends; removed from Python 3.13
    except ImportError:  # pragma: no cover - Debian 12 has it
        crypt = None


def tool(*argv):
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=30).stdout.strip()


def salted(name, digest, password, salt):
    return "{%s}" % name + base64.b64encode(digest(password.encode() + salt).digest() + salt).decode()


def make_hash(scheme, password):
    """A stored value of `scheme` for `password`."""
    salt = os.urandom(8)
    if scheme in ("SSHA", "SHA") and shutil.which("slappasswd"):
        return tool("slappasswd", "-h", "{%s}" % scheme, "-s", password)
    if scheme == "SSHA":
        return salted("SSHA", hashlib.sha1, password, salt)
    if scheme == "SHA":
        return "{SHA}" + base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()
    if scheme == "SSHA256":
        return salted("SSHA256", hashlib.sha256, password, salt)
    if scheme == "SSHA512":
        return salted("SSHA512", hashlib.sha512, password, salt)
    if scheme == "CRYPT-6":
        return "{CRYPT}" + tool("openssl", "passwd", "-6", password)
    if scheme == "CRYPT-1":
        return "{CRYPT}" + tool("openssl", "passwd", "-1", password)
    if scheme == "CRYPT-2b":
        if crypt is None:
            raise unittest.SkipTest("no crypt module to make a bcrypt hash")
        return "{CRYPT}" + crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))
    raise ValueError(scheme)


SCHEMES = ["SSHA", "SHA", "SSHA256", "SSHA512", "CRYPT-6", "CRYPT-1", "CRYPT-2b"]
PREFIX = {"SSHA": "{SSHA}", "SHA": "{SHA}", "SSHA256": "{SSHA256}", "SSHA512": "{SSHA512}",
          "CRYPT-6": "{CRYPT}$6$", "CRYPT-1": "{CRYPT}$1$", "CRYPT-2b": "{CRYPT}$2b$"}


class ImportedPasswordTest(ServerTestCase):
    extra_config = ""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.cli("prov", "cd", "pw.example")
        # Many deliberate failures from one client: keep the throttle out of the way.
        cls.server.cli("config", "set", "global", "authThrottleAccountFailures", "1000",
                       "authThrottleAddressFailures", "100000")

    def stored(self, address):
        rows = self.server.db_query("SELECT password FROM accounts WHERE address = ?", (address,))
        self.assertEqual(len(rows), 1, address)
        return rows[0][0]

    def check_imported(self, address, password, prefix, full=True):
        """The kept hash verifies, refuses a wrong password, and is argon2id after the first login."""
        self.assertTrue(self.stored(address).startswith(prefix), self.stored(address))
        self.assertLoginRefused(address, password + "x", contains="wrong password")
        self.assertLoginRefused(address, "", contains="")
        self.assertTrue(self.stored(address).startswith(prefix), "a failed login must not touch the hash")
        self.assertEqual(self.assertLogin(address, password, service="IMAP")["method"], "password")
        upgraded = self.stored(address)
        self.assertTrue(upgraded.startswith("$argon2id$v=19$"), upgraded)
        if full:
            # Another service is not in the login cache: this checks against the new argon2id hash.
            self.assertLogin(address, password, service="SMTP")
            self.assertLoginRefused(address, password + "x", service="SMTP", contains="wrong password")
            self.assertEqual(self.stored(address), upgraded, "argon2id is not upgraded again")

    def test_prov_ca_with_every_scheme(self):
        for scheme in SCHEMES:
            with self.subTest(scheme=scheme):
                address = f"ca-{scheme.lower()}@pw.example"
                password = f"Pw-{scheme}-ü!"
                value = make_hash(scheme, password)
                self.assertTrue(value.startswith(PREFIX[scheme]), value)
                r = self.json("prov", "ca", address, "", "userPassword", value)
                self.assertTrue(r["hasPassword"])
                self.assertEqual(self.stored(address), value)
                self.check_imported(address, password, PREFIX[scheme])

    def test_ldif_with_every_scheme(self):
        entries, expected = [], {}
        for scheme in SCHEMES + ["plain"]:
            address = f"ldif-{scheme.lower()}@pw.example"
            password = f"Ldif-{scheme}-secret"
            value = password if scheme == "plain" else make_hash(scheme, password)
            expected[address] = (password, "$argon2id$" if scheme == "plain" else PREFIX[scheme])
            entries.append(f"dn: uid={scheme},dc=pw\nobjectClass: inetOrgPerson\ncn: {scheme}\nmail: {address}\n"
                           f"userPassword:: {base64.b64encode(value.encode()).decode()}\n")
        path = self.server.write_file("schemes.ldif", "\n".join(entries))
        self.assertEqual(self.json("prov", "importLdif", path)["imported"], len(entries))
        for address, (password, prefix) in expected.items():
            with self.subTest(address=address):
                if prefix == "$argon2id$":
                    self.assertTrue(self.stored(address).startswith(prefix))
                    self.assertNotIn(password, self.stored(address))
                    self.assertLogin(address, password)
                    self.assertLoginRefused(address, password + "x", contains="wrong password")
                else:
                    self.check_imported(address, password, prefix, full=False)

    def test_plain_and_set_password(self):
        # A plain userPassword and a PASSWORD argument are both hashed with argon2id.
        self.cli("prov", "ca", "plain@pw.example", "", "userPassword", "plain-value-1")
        self.cli("prov", "ca", "arg@pw.example", "arg-value-1")
        for address, password in (("plain@pw.example", "plain-value-1"), ("arg@pw.example", "arg-value-1")):
            stored = self.stored(address)
            self.assertTrue(stored.startswith("$argon2id$v=19$"), stored)
            self.assertNotIn(password, stored)
        self.assertLogin("plain@pw.example", "plain-value-1")
        # No password: every login is refused.
        self.cli("prov", "ca", "nopw@pw.example", "")
        self.assertFalse(self.json("prov", "ga", "nopw@pw.example")["hasPassword"])
        self.assertLoginRefused("nopw@pw.example", "anything", contains="no password")
        self.cli("prov", "sp", "nopw@pw.example", "now-set-1")
        self.assertTrue(self.json("prov", "ga", "nopw@pw.example")["hasPassword"])
        self.assertLogin("nopw@pw.example", "now-set-1")
        self.assertFailsUnchanged("prov", "sp", "nopw@pw.example", "", contains="empty")
        self.assertFailsUnchanged("prov", "sp", "ghost@pw.example", "x", contains="no such account")
        before = self.stored("nopw@pw.example")
        self.assertFails("prov", "sp", "nopw@pw.example", "x" * 2000, contains="1024")
        self.assertEqual(self.stored("nopw@pw.example"), before)

    def test_bad_hashes_are_refused(self):
        cases = [
            ("{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==", "MD5"),
            ("{SSHA}not*base64", "SSHA"),
            ("{SHA}YWJj", "SHA"),  # 3 bytes, not a SHA-1 digest
            ("{CRYPT}$6$short", "CRYPT"),
            ("{CRYPT}$9$whatever", "CRYPT"),
        ]
        for value, contains in cases:
            with self.subTest(value=value):
                self.assertFailsUnchanged("prov", "ca", "bad@pw.example", "", "userPassword", value, contains=contains)


if __name__ == "__main__":
    unittest.main()
