"""GAL contacts: a domain names an account (zimbraGalAccountId) whose contacts join the domain's
GAL beside its accounts. Every user of that domain finds them in the address book, users of other
domains do not, and changes follow without a restart."""
import time
import unittest

from harness import ServerTestCase

PASSWORD = "Gal-Contacts-1"
BASE = "o=switchboard"
GAL = f"ou=InternalGAL/example.com,{BASE}"


class GalContactsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.cli("prov", "cd", "example.com")
        s.cli("prov", "cd", "other.example")
        s.cli("prov", "mc", "default", "zimbraFeatureMobileSyncEnabled", "TRUE")
        s.cli("prov", "ca", "alice@example.com", PASSWORD, "displayName", "Alice Rossi")
        s.cli("prov", "ca", "bob@other.example", PASSWORD, "displayName", "Bob Verdi")
        # The GAL account itself stays out of the GAL; its contacts are what it is for.
        s.cli("prov", "ca", "gal@example.com", PASSWORD, "zimbraHideInGal", "TRUE")
        s.cli("contacts", "add", "gal@example.com", "firstName", "Acme", "lastName", "Supplies",
              "email", "orders@acme.example", "workPhone", "+39 02 1234")
        s.cli("contacts", "createFolder", "gal@example.com", "/Contacts/Couriers")
        s.cli("contacts", "add", "gal@example.com", "firstName", "Fast", "lastName", "Courier",
              "email", "desk@courier.example", "folder", "/Contacts/Couriers")

    def search(self, user, filt, attrs=("cn", "mail", "ou")):
        import ldap
        conn = ldap.initialize(f"ldaps://127.0.0.1:{self.server.ports['ldaps']}")
        conn.set_option(ldap.OPT_X_TLS_CACERTFILE, self.server.ca_file)
        conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
        conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
        conn.simple_bind_s(user, PASSWORD)
        try:
            return sorted((dn, {k: sorted(v.decode() for v in vs) for k, vs in a.items()})
                          for dn, a in conn.search_s("", ldap.SCOPE_SUBTREE, filt, list(attrs)))
        finally:
            conn.unbind_s()

    def wait_for(self, user, filt, predicate, what, limit=5.0):
        deadline = time.time() + limit
        while True:
            got = self.search(user, filt)
            if predicate(got):
                return got
            if time.time() > deadline:
                self.fail(f"{what}: not seen within {limit} s; last result {got}")
            time.sleep(0.05)

    def test_gal_contacts_follow_the_domain_setting(self):
        alice = "alice@example.com"
        # Not yet a GAL account: Alice finds nothing of its contacts.
        self.assertEqual(self.search(alice, "(mail=*acme*)"), [])

        self.cli("prov", "md", "example.com", "zimbraGalAccountId", "gal@example.com")
        got = self.wait_for(alice, "(|(mail=*acme*)(mail=*courier*))", lambda r: len(r) == 2, "GAL contacts")
        for dn, attrs in got:
            self.assertTrue(dn.endswith("," + GAL), dn)
            self.assertEqual(attrs["ou"], ["InternalGAL/example.com"])
        self.assertEqual(sorted(a["cn"][0] for _, a in got), ["Acme Supplies", "Fast Courier"])
        # Beside the accounts, in one book; the hidden GAL account itself is not listed.
        everyone = self.search(alice, "(objectClass=person)")
        gal = sorted(a["cn"][0] for dn, a in everyone if dn.endswith("," + GAL))
        self.assertEqual(gal, ["Acme Supplies", "Alice Rossi", "Fast Courier"])
        # The setting is stored as the account's id and shown as such.
        uuid = self.json("prov", "ga", "gal@example.com")["attrs"]["zimbraId"]["values"][0]
        self.assertEqual(self.json("prov", "gd", "example.com")["attrs"]["zimbraGalAccountId"], uuid)

        # Another domain's users never see them.
        self.assertEqual(self.search("bob@other.example", "(|(mail=*acme*)(mail=*courier*))"), [])

        # Changes to the GAL account's contacts follow.
        added = self.json("contacts", "add", "gal@example.com", "firstName", "New", "lastName", "Vendor",
                          "email", "hello@vendor.example")
        self.wait_for(alice, "(mail=hello@vendor.example)", lambda r: len(r) == 1, "added contact")
        self.cli("contacts", "modify", "gal@example.com", str(added["id"]), "lastName", "Partner")
        self.wait_for(alice, "(cn=New Partner)", lambda r: len(r) == 1, "modified contact")
        self.cli("contacts", "delete", "gal@example.com", str(added["id"]))
        self.wait_for(alice, "(mail=hello@vendor.example)", lambda r: r == [], "deleted contact")

        # Accounts of the domain still change as before while GAL contacts are there.
        self.cli("prov", "ma", "alice@example.com", "displayName", "Alice Bianchi")
        self.wait_for(alice, "(displayName=Alice Bianchi)", lambda r: len(r) == 1, "account change")
        self.assertEqual(len(self.search(alice, "(|(mail=*acme*)(mail=*courier*))")), 2)

        # Unset: the contacts leave the GAL.
        self.cli("prov", "md", "example.com", "zimbraGalAccountId", "")
        self.wait_for(alice, "(|(mail=*acme*)(mail=*courier*))", lambda r: r == [], "unset")

    def test_unknown_account_is_refused_and_changes_nothing(self):
        before = self.json("prov", "gd", "example.com")
        self.assertFails("prov", "md", "example.com", "zimbraGalAccountId", "nobody@example.com",
                         contains="nobody@example.com")
        self.assertEqual(self.json("prov", "gd", "example.com"), before)
        # A domain attribute only.
        self.assertFails("prov", "ma", "alice@example.com", "zimbraGalAccountId", "gal@example.com")


if __name__ == "__main__":
    unittest.main()
