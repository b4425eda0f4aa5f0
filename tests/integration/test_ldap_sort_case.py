"""Server-side sort and VLV ignore case when the client names no ordering rule, as Outlook's
browse list and python-ldap clients expect: names that differ in case ("adam", "Bob", "charlie",
"Dave") come out alphabetically, not upper case first. Each attribute orders the four contacts
differently, so sorting on the wrong attribute fails too."""
import unittest

from test_ldap_fixture import BASE, PASSWORD, LdapTestCase

CONTACTS = "ou=/Contacts," + BASE
# fullName (cn and displayName), firstName (givenName), lastName (sn), email (mail)
PEOPLE = [("adam", "Bob", "charlie", "Bob.m@example.net"),
          ("Bob", "adam", "Dave", "charlie.m@example.net"),
          ("charlie", "Dave", "adam", "Dave.m@example.net"),
          ("Dave", "charlie", "Bob", "adam.m@example.net")]
# The people (by cn) in ascending case-insensitive order of each attribute.
EXPECTED = {
    "cn": ["adam", "Bob", "charlie", "Dave"],
    "displayName": ["adam", "Bob", "charlie", "Dave"],
    "givenName": ["Bob", "adam", "Dave", "charlie"],
    "sn": ["charlie", "Dave", "adam", "Bob"],
    "mail": ["Dave", "adam", "Bob", "charlie"],
}


class LdapSortCaseTest(LdapTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cli = cls.world.cli
        cli("prov", "ca", "sorter@example.com", PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
        for full, first, last, mail in PEOPLE:
            cli("contacts", "add", "sorter@example.com", "fullName", full, "firstName", first,
                "lastName", last, "email", mail)

    def sorted_search(self, rule, vlv=None):
        import ldap
        from ldap.controls.sss import SSSRequestControl
        from ldap.controls.vlv import VLVRequestControl, VLVResponseControl
        conn = self.world.python_ldap(user="sorter@example.com")
        ctrls = [SSSRequestControl(criticality=True, ordering_rules=[rule])]
        if vlv is not None:
            ctrls.append(VLVRequestControl(criticality=True, before_count=0, after_count=0, offset=None,
                                           content_count=None, greater_than_or_equal=vlv))
        msgid = conn.search_ext(CONTACTS, ldap.SCOPE_ONELEVEL, "(objectClass=person)", ["cn", "mail"],
                                serverctrls=ctrls)
        _, data, _, resp = conn.result3(msgid, resp_ctrl_classes={VLVResponseControl.controlType: VLVResponseControl})
        conn.unbind_s()
        names = [a["cn"][0].decode() for _, a in data]
        pos = next((c.targetPosition for c in resp if c.controlType == VLVResponseControl.controlType), None)
        return names, pos

    def test_the_contacts_are_stored_in_mixed_case(self):
        rc, entries, err = self.search(user="sorter@example.com", base=CONTACTS, scope="one",
                                       attrs=["cn", "mail"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(sorted(a["cn"][0] for _, a in entries), sorted(p[0] for p in PEOPLE))
        self.assertIn("Bob.m@example.net", [a["mail"][0] for _, a in entries])

    def test_sort_ascending_and_reverse_ignores_case(self):
        for attr, expected in EXPECTED.items():
            with self.subTest(attr=attr):
                names, _ = self.sorted_search(attr)
                self.assertEqual(names, expected)
                names, _ = self.sorted_search("-" + attr)
                self.assertEqual(names, expected[::-1])

    def test_explicit_case_exact_rule_orders_by_bytes(self):
        # The control: with caseExactOrderingMatch the same names come upper case first, so the
        # default order above is really case-insensitive and not an accident of the data.
        names, _ = self.sorted_search("cn:caseExactOrderingMatch")
        self.assertEqual(names, ["Bob", "Dave", "adam", "charlie"])

    def test_vlv_by_value_ignores_case(self):
        for value, target, name in ((b"bob", 2, "Bob"), (b"BOB", 2, "Bob"), (b"C", 3, "charlie"),
                                    (b"c", 3, "charlie"), (b"dave", 4, "Dave"), (b"A", 1, "adam")):
            with self.subTest(value=value):
                names, pos = self.sorted_search("cn", vlv=value)
                self.assertEqual((pos, names), (target, [name]))


if __name__ == "__main__":
    unittest.main()
