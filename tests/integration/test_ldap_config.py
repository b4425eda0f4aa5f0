"""[ldap] settings a deployment changes, seen by real clients: label_attribute (the attribute that
also carries the book label; an entry's own value there wins), gal_label (the GAL containers'
name, in DNs and ou), and allow_cleartext_bind (a password on plain LDAP only when configured)."""
import subprocess
import unittest

from test_ldap_fixture import BASE, PASSWORD, LdapTestCase

OFFICE = "physicalDeliveryOfficeName"


def by_cn(entries):
    return {a["cn"][0]: (dn, a) for dn, a in entries if "cn" in a}


class LdapDefaultLabelTest(LdapTestCase):
    """Default settings: the label goes to physicalDeliveryOfficeName unless the entry has one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cli = cls.world.cli
        cli("prov", "ca", "olive@example.com", PASSWORD, "givenName", "Olive", "sn", "Office",
            "displayName", "Olive Office", OFFICE, "Room 42", "zimbraFeatureMobileSyncEnabled", "TRUE")
        cli("contacts", "add", "alice@example.com", "firstName", "Oscar", "lastName", "Officer",
            "email", "oscar@office.example", "office", "Building 7")

    def test_label_fills_the_location_of_entries_without_one(self):
        rc, entries, err = self.search(user="alice@example.com", filt="(mail=*)", attrs=["cn", OFFICE, "ou"])
        self.assertEqual(rc, 0, err)
        people = by_cn(entries)
        self.assertEqual(people["Bob Brown"][1][OFFICE.lower()], ["InternalGAL/example.com"])
        self.assertEqual(people["Grace Hopper"][1][OFFICE.lower()], ["/Contacts"])
        self.assertEqual(people["Paula Partner"][1][OFFICE.lower()], ["Bob Brown/Partners"])

    def test_an_entry_with_its_own_location_keeps_it(self):
        rc, entries, err = self.search(user="alice@example.com", filt="(|(sn=Office)(sn=Officer))",
                                       attrs=["cn", OFFICE, "ou"])
        self.assertEqual(rc, 0, err)
        people = by_cn(entries)
        self.assertEqual(people["Olive Office"][1][OFFICE.lower()], ["Room 42"])
        self.assertEqual(people["Olive Office"][1]["ou"][0], "InternalGAL/example.com")  # label still in ou
        self.assertEqual(people["Oscar Officer"][1][OFFICE.lower()], ["Building 7"])
        self.assertEqual(people["Oscar Officer"][1]["ou"][0], "/Contacts")
        # Filters see the entry's own value, not the label.
        rc, entries, _ = self.search(user="alice@example.com", filt=f"({OFFICE}=Room 42)", attrs=["cn"])
        self.assertEqual(self.names(entries), ["Olive Office"])

    def test_cleartext_bind_is_refused_by_default(self):
        import ldap
        rc, entries, err = self.search(url=self.world.ldap_url, user="alice@example.com", base=BASE,
                                       scope="base", check=False)
        self.assertEqual((rc, entries), (13, []), err)  # confidentialityRequired
        conn = ldap.initialize(self.world.ldap_url)
        with self.assertRaises(ldap.CONFIDENTIALITY_REQUIRED):
            conn.simple_bind_s("alice@example.com", PASSWORD)
        conn.unbind_s()
        # The same client over StartTLS is fine: the refusal is about the plain connection.
        rc, entries, err = self.search(url=self.world.ldap_url, starttls=True, user="alice@example.com",
                                       filt="(sn=Hopper)", attrs=["cn"])
        self.assertEqual((rc, self.names(entries)), (0, ["Grace Hopper"]), err)


class LdapCustomLabelTest(LdapTestCase):
    ldap_config = 'label_attribute = "description"\ngal_label = "Directory"\n'
    GAL = "ou=Directory/example.com," + BASE

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cli = cls.world.cli
        cli("prov", "ca", "dana@example.com", PASSWORD, "givenName", "Dana", "sn", "Described",
            "displayName", "Dana Described", "description", "Night shift", OFFICE, "Room 42",
            "zimbraFeatureMobileSyncEnabled", "TRUE")

    def alice(self, **kw):
        return self.search(user="alice@example.com", **kw)

    def test_gal_label_names_the_gal_container_and_ou(self):
        rc, entries, err = self.alice(base=BASE, scope="one", attrs=["ou"])
        self.assertEqual(rc, 0, err)
        self.assertIn(self.GAL, [dn for dn, _ in entries])
        self.assertFalse([dn for dn, _ in entries if "InternalGAL" in dn], entries)
        rc, entries, err = self.alice(filt="(sn=Brown)", attrs=["ou"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(entries[0][0], "uid=bob@example.com," + self.GAL)
        self.assertEqual(entries[0][1]["ou"], ["Directory/example.com"])
        rc, entries, err = self.alice(base="ou=InternalGAL/example.com," + BASE, scope="base", check=False)
        self.assertEqual(rc, 32, err)  # noSuchObject: the default name is gone

    def test_label_goes_into_the_configured_attribute(self):
        rc, entries, err = self.alice(filt="(mail=*)", attrs=["cn", "description", OFFICE])
        self.assertEqual(rc, 0, err)
        people = by_cn(entries)
        self.assertEqual(people["Bob Brown"][1]["description"], ["Directory/example.com"])
        self.assertEqual(people["Grace Hopper"][1]["description"], ["/Contacts"])
        self.assertEqual(people["Paula Partner"][1]["description"], ["Bob Brown/Partners"])
        # Not in the default attribute any more.
        self.assertNotIn(OFFICE.lower(), people["Bob Brown"][1])
        self.assertNotIn(OFFICE.lower(), people["Grace Hopper"][1])

    def test_own_value_of_the_configured_attribute_wins(self):
        rc, entries, err = self.alice(filt="(sn=Described)", attrs=["description", OFFICE, "ou"])
        self.assertEqual(rc, 0, err)
        a = entries[0][1]
        self.assertEqual(a["description"], ["Night shift"])
        self.assertEqual(a[OFFICE.lower()], ["Room 42"])
        self.assertEqual(a["ou"][0], "Directory/example.com")

    def test_bind_and_whoami_with_the_dn_under_the_custom_gal_label(self):
        dn = "uid=alice@example.com," + self.GAL
        rc, entries, err = self.search(user=dn, filt="(sn=Hopper)", attrs=["cn"])
        self.assertEqual((rc, self.names(entries)), (0, ["Grace Hopper"]), err)
        p = subprocess.run(["/usr/bin/ldapwhoami", "-x", "-H", self.world.ldaps_url, "-D", "alice@example.com",
                            "-w", PASSWORD], capture_output=True, text=True, env=self.world.env(), timeout=30)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, "dn:" + dn), p.stderr)


class LdapCleartextAllowedTest(LdapTestCase):
    ldap_config = "allow_cleartext_bind = true\n"

    def test_cleartext_simple_bind_on_the_plain_port_works_when_allowed(self):
        rc, entries, err = self.search(url=self.world.ldap_url, user="alice@example.com", filt="(sn=Hopper)",
                                       attrs=["cn"])
        self.assertEqual((rc, self.names(entries)), (0, ["Grace Hopper"]), err)
        import ldap
        conn = ldap.initialize(self.world.ldap_url)
        conn.simple_bind_s("alice@example.com", PASSWORD)
        self.assertEqual(conn.whoami_s(), "dn:uid=alice@example.com,ou=InternalGAL/example.com," + BASE)
        conn.unbind_s()

    def test_the_password_is_still_checked(self):
        rc, _, err = self.search(url=self.world.ldap_url, user="alice@example.com", password="wrong",
                                 base=BASE, scope="base", check=False)
        self.assertEqual(rc, 49, err)
        rc, _, err = self.search(url=self.world.ldap_url, user="carol@example.com", base=BASE, scope="base",
                                 check=False)
        self.assertEqual(rc, 49, err)  # mobile sync off: refused whatever the transport


if __name__ == "__main__":
    unittest.main()
