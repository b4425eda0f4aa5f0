"""The index follows the store: a change made with the CLI is visible to the next search without
a restart. And `mobile addressBook add|list|remove` publishes books. How fast a change shows is
a benchmark's business; here a change must show within a generous bound (a busy machine, ASan)."""
import time
import unittest

from test_ldap_fixture import BASE, PASSWORD, LdapTestCase

LIMIT = 30.0  # seconds: a bound for a hung update, not a speed target


class LdapLiveTest(LdapTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.conn = cls.world.python_ldap(user="alice@example.com")

    def find(self, filt, attrs=("cn", "ou"), conn=None):
        import ldap
        return [(dn, {k: [v.decode() for v in vs] for k, vs in a.items()})
                for dn, a in (conn or self.conn).search_s("", ldap.SCOPE_SUBTREE, filt, list(attrs))]

    def wait_for(self, filt, predicate, what, conn=None):
        """Polls until predicate(results) holds, for at most LIMIT seconds."""
        start = time.time()
        while True:
            got = self.find(filt, conn=conn)
            if predicate(got):
                return got
            if time.time() - start > LIMIT:
                self.fail(f"{what}: not visible after {LIMIT} s; last result {got}")
            time.sleep(0.02)

    def test_locked_account_loses_its_open_connection(self):
        import ldap
        self.world.cli("prov", "ca", "goble@example.com", PASSWORD, "sn", "Goble",
                       "zimbraFeatureMobileSyncEnabled", "TRUE")
        conn = self.world.python_ldap(user="goble@example.com")
        self.wait_for("(sn=Goble)", lambda r: len(r) == 1, "own entry", conn=conn)
        # Locked while bound (an admin, or the directory sync when the user leaves): the next
        # request on the same connection is refused, and the connection is anonymous again.
        self.world.cli("prov", "ma", "goble@example.com", "zimbraAccountStatus", "locked")
        start = time.time()
        while True:
            try:
                conn.search_s("", ldap.SCOPE_SUBTREE, "(sn=Goble)", ["cn"])
            except ldap.INSUFFICIENT_ACCESS as e:
                self.assertIn("no longer active", str(e))
                break
            self.assertLess(time.time() - start, LIMIT, "a locked account kept searching")
            time.sleep(0.05)
        with self.assertRaises(ldap.INSUFFICIENT_ACCESS):  # anonymous now: bind first
            conn.search_s("", ldap.SCOPE_SUBTREE, "(sn=Goble)", ["cn"])
        with self.assertRaises(ldap.INVALID_CREDENTIALS):
            self.world.python_ldap(user="goble@example.com")
        # Unlocked: a new bind works at once, even if the address book has not seen the change yet.
        self.world.cli("prov", "ma", "goble@example.com", "zimbraAccountStatus", "active")
        conn.simple_bind_s("goble@example.com", PASSWORD)
        self.assertEqual(len(conn.search_s("", ldap.SCOPE_SUBTREE, "(mail=goble@*)", ["cn"])), 1)

    def test_new_contact_is_found(self):
        self.world.cli("contacts", "add", "alice@example.com", "firstName", "Katherine", "lastName", "Johnson",
                       "email", "kj@nasa.gov")
        got = self.wait_for("(|(cn=*therine*)(mail=*therine*))", lambda r: len(r) == 1, "new contact")
        self.assertEqual(got[0][1]["ou"], ["/Contacts"])

    def test_contact_change_and_delete(self):
        out = self.world.server.json("contacts", "add", "alice@example.com", "firstName", "Dorothy",
                                     "lastName", "Vaughan", "email", "dv@nasa.gov")
        cid = str(out["id"])
        self.wait_for("(sn=Vaughan)", lambda r: len(r) == 1, "added")
        self.world.cli("contacts", "modify", "alice@example.com", cid, "lastName", "Vaughan-Jones")
        self.wait_for("(sn=Vaughan-Jones)", lambda r: len(r) == 1, "modified")
        self.assertEqual(self.find("(sn=Vaughan)"), [])
        self.world.cli("contacts", "delete", "alice@example.com", cid)
        self.wait_for("(sn=Vaughan-Jones)", lambda r: r == [], "deleted")

    def test_new_account_joins_the_gal(self):
        self.world.cli("prov", "ca", "mary.jackson@example.com", PASSWORD, "givenName", "Mary", "sn", "Jackson")
        got = self.wait_for("(mail=mary.jackson@*)", lambda r: len(r) == 1, "new account")
        self.assertEqual(got[0][0], f"uid=mary.jackson@example.com,ou=InternalGAL/example.com,{BASE}")
        self.world.cli("prov", "ma", "mary.jackson@example.com", "title", "Mathematician")
        self.wait_for("(title=Mathematician)", lambda r: len(r) == 1, "attribute change")
        self.world.cli("prov", "ra", "mary.jackson@example.com", "mjackson@example.com")
        self.wait_for("(mail=mjackson@example.com)", lambda r: len(r) == 1, "rename")
        self.world.cli("prov", "ma", "mjackson@example.com", "zimbraHideInGal", "TRUE")
        self.wait_for("(sn=Jackson)", lambda r: r == [], "hidden")
        self.world.cli("prov", "ma", "mjackson@example.com", "zimbraHideInGal", "FALSE")
        self.wait_for("(sn=Jackson)", lambda r: len(r) == 1, "shown again")
        self.world.cli("prov", "da", "mjackson@example.com")
        self.wait_for("(sn=Jackson)", lambda r: r == [], "deleted")

    def test_cos_setting_hides_and_shows(self):
        self.world.cli("prov", "cc", "hidden-cos", "zimbraHideInGal", "TRUE")
        self.world.cli("prov", "ca", "ghost@example.com", PASSWORD, "sn", "Ghost")
        self.wait_for("(sn=Ghost)", lambda r: len(r) == 1, "visible")
        self.world.cli("prov", "ma", "ghost@example.com", "zimbraCOSId", "hidden-cos")
        self.wait_for("(sn=Ghost)", lambda r: r == [], "hidden by its COS")
        self.world.cli("prov", "mc", "hidden-cos", "zimbraHideInGal", "FALSE")
        self.wait_for("(sn=Ghost)", lambda r: len(r) == 1, "COS changed")

    def test_folder_rename_changes_the_label(self):
        self.world.cli("contacts", "createFolder", "alice@example.com", "/Family")
        self.world.cli("contacts", "add", "alice@example.com", "firstName", "Fam", "lastName", "Member",
                       "folder", "/Family")
        got = self.wait_for("(sn=Member)", lambda r: len(r) == 1, "new folder")
        self.assertEqual(got[0][1]["ou"], ["/Family"])
        self.world.cli("contacts", "renameFolder", "alice@example.com", "/Family", "Relatives")
        got = self.wait_for("(sn=Member)", lambda r: len(r) == 1 and r[0][1]["ou"] == ["/Relatives"], "renamed")
        self.assertEqual(got[0][0].split(",", 1)[1], f"ou=/Relatives,{BASE}")

    # ---- mobile addressBook ---------------------------------------------------------------------

    def test_publish_to_a_domain_list_and_remove(self):
        self.world.cli("contacts", "createFolder", "carol@example.com", "/Vendors")
        self.world.cli("contacts", "add", "carol@example.com", "firstName", "Vic", "lastName", "Vendor",
                       "folder", "/Vendors")
        self.assertEqual(self.find("(sn=Vendor)"), [])
        folders = self.world.server.json("contacts", "listFolders", "carol@example.com")["folders"]
        fid = next(f["id"] for f in folders if f["path"] == "/Vendors")
        self.world.cli("mobile", "addressBook", "add", "domain", "carol@example.com", str(fid))
        got = self.wait_for("(sn=Vendor)", lambda r: len(r) == 1, "published")
        self.assertEqual(got[0][1]["ou"], ["Carol Clark/Vendors"])
        # Not for other domains.
        dave = self.world.python_ldap(user="dave@other.org")
        import ldap
        self.assertEqual(dave.search_s("", ldap.SCOPE_SUBTREE, "(sn=Vendor)", ["cn"]), [])
        listing = self.world.server.json("mobile", "addressBook", "list")["addressBooks"]
        mine = [b for b in listing if b["owner"] == "carol@example.com"]
        self.assertEqual(len(mine), 1)
        self.assertEqual((mine[0]["scope"], mine[0]["domain"], mine[0]["folder"]), ("domain", "example.com", "/Vendors"))
        self.assertEqual(len(self.world.server.json("mobile", "addressBook", "list", "global")["addressBooks"]), 1)
        self.assertEqual(len(self.world.server.json("mobile", "addressBook", "list", "domain", "example.com")
                             ["addressBooks"]), 1)
        self.world.cli("mobile", "addressBook", "remove", "domain", "example.com", "carol@example.com", str(fid))
        self.wait_for("(sn=Vendor)", lambda r: r == [], "removed")

    def test_publish_all_folders_of_an_owner_and_orphans(self):
        self.world.cli("prov", "ca", "leaver@example.com", PASSWORD, "displayName", "Lee Leaver")
        self.world.cli("contacts", "add", "leaver@example.com", "firstName", "Left", "lastName", "Behind")
        uuid = self.world.server.json("prov", "ga", "leaver@example.com")["id"]
        self.world.cli("mobile", "addressBook", "add", "global", uuid, "all")
        got = self.wait_for("(sn=Behind)", lambda r: len(r) == 1, "all folders")
        self.assertEqual(got[0][1]["ou"], ["Lee Leaver/Contacts"])
        self.world.cli("prov", "da", "leaver@example.com")
        self.wait_for("(sn=Behind)", lambda r: r == [], "owner deleted")
        listing = self.world.server.json("mobile", "addressBook", "list", "global")["addressBooks"]
        orphan = next(b for b in listing if b["ownerId"] == uuid)
        self.assertEqual(orphan["owner"], "")
        self.world.cli("mobile", "addressBook", "remove", "global", uuid, "all")
        listing = self.world.server.json("mobile", "addressBook", "list", "global")["addressBooks"]
        self.assertFalse([b for b in listing if b["ownerId"] == uuid])

    def test_cli_errors(self):
        for args, message in (
                (("add", "planet", "bob@example.com", "7"), "global' or 'domain"),
                (("add", "global", "nobody@example.com", "7"), "nobody@example.com"),
                (("add", "global", "bob@example.com", "2"), "does not hold contacts"),
                (("add", "global", "bob@example.com", "/Partners"), "already published"),
                (("add", "global", "bob@example.com"), "usage"),
                (("remove", "global", "carol@example.com", "7"), "no global address book"),
                (("list", "domain", "nosuch.example"), "nosuch.example")):
            r = self.world.server.cli("mobile", "addressBook", *args, check=False)
            self.assertNotEqual(r.rc, 0, args)
            self.assertIn(message.lower(), r.err.lower(), args)


if __name__ == "__main__":
    unittest.main()
