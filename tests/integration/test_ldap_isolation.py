"""Isolation: for each user, every combination of base, scope and filter returns exactly what a
model of that user's address book says (their own folders, their domain's GAL, the published
books) — never another user's folders, shared or not. And writes of every kind are refused and
change nothing."""
import subprocess
import unittest

from test_ldap_fixture import BASE, PASSWORD, LdapTestCase

PERSON = ["top", "person", "organizationalPerson", "inetOrgPerson"]


def container_dn(label):
    return f"ou={label},{BASE}"


class Model:
    """What the server should contain, computed from the CLI's view of the store."""

    def __init__(self, world):
        self.world = world

    def contacts(self, account, folder_path):
        folders = self.world.server.json("contacts", "listFolders", account)["folders"]
        fid = next(f["id"] for f in folders if f["path"] == folder_path)
        data = self.world.server.json("contacts", "list", account, "folder", str(fid))["contacts"]
        out = []
        for c in data:
            f = c["fields"]
            cn = f.get("fullName") or " ".join(x for x in (f.get("firstName"), f.get("lastName")) if x)
            mails = [f[k] for k in ("email", "email2", "email3") if k in f]
            out.append((str(c["id"]), cn, mails))
        return out

    def view(self, user):
        """Every entry `user` may see: {dn: {"cn": [...], "mail": [...], "ou": [...], "objectclass": [...]}}."""
        domain = user.split("@")[1]
        books = []  # (label, [(rdn value, cn, mails)])
        for path in self.own_folders(user):
            books.append((path, self.contacts(user, path)))
        gal = [(a, n, [a] + aliases) for a, n, aliases in self.gal(domain)]
        books.append((f"InternalGAL/{domain}", gal))
        if user != "bob@example.com":
            books.append(("Bob Brown/Partners", self.contacts("bob@example.com", "/Partners")))
        entries = {BASE: {"objectclass": ["top", "organization"], "o": ["switchboard"]}}
        for label, people in books:
            cdn = container_dn(label)
            entries[cdn] = {"objectclass": ["top", "organizationalUnit"], "ou": [label]}
            for rdn, cn, mails in people:
                entries[f"uid={rdn},{cdn}"] = {"objectclass": PERSON, "cn": [cn], "mail": mails, "ou": [label]}
        return entries

    def own_folders(self, user):
        folders = self.world.server.json("contacts", "listFolders", user)["folders"]
        return sorted(f["path"] for f in folders if f["view"] == "contact")

    def gal(self, domain):
        """(address, display name, aliases) of the accounts in the GAL of `domain`."""
        out = []
        for a in self.world.server.json("prov", "gaa", domain)["accounts"]:
            if a["status"] != "active":
                continue
            attrs = self.world.server.json("prov", "ga", a["name"], "displayName", "cn", "givenName", "sn",
                                           "zimbraHideInGal")["attrs"]
            first = lambda n: (attrs.get(n, {}).get("values") or [""])[0]
            if first("zimbraHideInGal") == "TRUE":
                continue
            display = first("displayName") or first("cn") or " ".join(
                x for x in (first("givenName"), first("sn")) if x) or a["name"].split("@")[0]
            out.append((a["name"], display, a["aliases"]))
        return out


def in_scope(dn, base, scope, entries):
    if base == "":
        return scope in ("sub", "children") or (scope == "one" and dn == BASE)
    if base not in entries:
        return False
    if scope == "base":
        return dn == base
    parent = dn.split(",", 1)[1] if "," in dn else ""
    if scope == "one":
        return parent == base
    below = dn.endswith("," + base)
    return below or (scope == "sub" and dn == base)


FILTERS = {
    "(objectClass=*)": lambda e: True,
    "(mail=*)": lambda e: bool(e.get("mail")),
    "(cn=*)": lambda e: bool(e.get("cn")),
    "(|(cn=*e*)(mail=*e*))": lambda e: any("e" in v.lower() for v in e.get("cn", []) + e.get("mail", [])),
    "(!(cn=Grace Hopper))": lambda e: "grace hopper" not in [v.lower() for v in e.get("cn", [])],
    "(objectClass=organizationalUnit)": lambda e: "organizationalUnit" in e["objectclass"],
    "(&(objectClass=person)(|(sn=*)(givenName=*)(cn=P*)))": lambda e: "person" in e["objectclass"],
}


class LdapIsolationTest(LdapTestCase):
    USERS = ["alice@example.com", "bob@example.com", "dave@other.org"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = Model(cls.world)
        cls.views = {u: cls.model.view(u) for u in cls.USERS}
        # Bases: every DN anyone can see, plus names that exist nowhere.
        cls.bases = sorted({dn for v in cls.views.values() for dn in v} |
                           {"", "ou=/Private," + BASE, "uid=nobody@example.com,ou=InternalGAL/example.com," + BASE,
                            "dc=example,dc=com"})

    def test_every_base_scope_filter_gives_exactly_the_users_view(self):
        import ldap
        checked = found = 0
        for user in self.USERS:
            conn = self.world.python_ldap(user=user)
            view = self.views[user]
            for base in self.bases:
                for scope_name, scope in (("base", ldap.SCOPE_BASE), ("one", ldap.SCOPE_ONELEVEL),
                                          ("sub", ldap.SCOPE_SUBTREE), ("children", 3)):
                    if base == "" and scope_name == "base":
                        continue  # the root DSE, the same for everyone
                    for filt, pred in FILTERS.items():
                        expected = sorted(dn for dn, e in view.items() if in_scope(dn, base, scope_name, view) and pred(e))
                        what = f"{user}: base={base!r} scope={scope_name} filter={filt}"
                        try:
                            got = sorted(dn for dn, _ in conn.search_s(base, scope, filt, ["1.1"]))
                        except ldap.NO_SUCH_OBJECT:
                            self.assertTrue(base != "" and base not in view, f"{what}: unexpected noSuchObject")
                            continue
                        self.assertTrue(base == "" or base in view, f"{what}: found a base the user cannot see")
                        self.assertEqual(got, expected, what)
                        checked += 1
                        found += len(got)
            conn.unbind_s()
        self.assertGreater(checked, 800)
        self.assertGreater(found, 1000)  # the combinations do return entries, not just nothing

    def test_own_published_folder_is_not_shown_twice(self):
        view = self.views["bob@example.com"]
        self.assertIn(container_dn("/Partners"), view)
        import ldap
        conn = self.world.python_ldap(user="bob@example.com")
        dns = [dn for dn, _ in conn.search_s("", ldap.SCOPE_SUBTREE, "(objectClass=organizationalUnit)", ["1.1"])]
        self.assertNotIn(container_dn("Bob Brown/Partners"), dns)
        self.assertIn(container_dn("/Partners"), dns)

    def test_private_contacts_of_others_cannot_be_found_by_any_filter(self):
        import ldap
        conn = self.world.python_ldap(user="alice@example.com")
        for filt in ("(mail=secret.friend@private.net)", "(cn=*Secret*)", "(sn=Friend)", "(|(cn=*)(!(cn=*)))",
                     "(mail:caseIgnoreMatch:=secret.friend@private.net)", "(olga=*)", "(cn=Olga Other)"):
            got = conn.search_s("", ldap.SCOPE_SUBTREE, filt, ["cn"])
            self.assertFalse([a for _, a in got if a.get("cn", [b""])[0] in (b"Secret Friend", b"Olga Other")], filt)

    def write(self, tool, ldif=None, args=()):
        cmd = [f"/usr/bin/{tool}", "-x", "-H", self.world.ldaps_url, "-D", "alice@example.com", "-w", PASSWORD,
               *args]
        return subprocess.run(cmd, input=ldif, capture_output=True, text=True, env=self.world.env(), timeout=30)

    def test_writes_of_every_kind_are_refused_and_change_nothing(self):
        import ldap
        conn = self.world.python_ldap(user="alice@example.com")
        before = sorted(conn.search_s("", ldap.SCOPE_SUBTREE, "(objectClass=*)"))
        contacts_before = self.world.server.json("contacts", "list", "alice@example.com")
        bob = "uid=bob@example.com,ou=InternalGAL/example.com," + BASE
        grace = next(dn for dn, a in before if a.get("cn") == [b"Grace Hopper"])
        add = (f"dn: uid=new,ou=/Contacts,{BASE}\nobjectClass: inetOrgPerson\ncn: New\nsn: New\n")
        r = self.write("ldapadd", add)
        self.assertEqual(r.returncode, 53, r.stderr)  # unwillingToPerform
        r = self.write("ldapmodify", f"dn: {grace}\nchangetype: modify\nreplace: sn\nsn: Changed\n")
        self.assertEqual(r.returncode, 53, r.stderr)
        r = self.write("ldapmodify", f"dn: {bob}\nchangetype: modify\nadd: mail\nmail: x@y.z\n")
        self.assertEqual(r.returncode, 53, r.stderr)
        r = self.write("ldapdelete", args=[grace])
        self.assertEqual(r.returncode, 53, r.stderr)
        r = self.write("ldapmodrdn", args=[grace, "uid=999"])
        self.assertEqual(r.returncode, 53, r.stderr)
        # Password Modify (RFC 3062) is a write like the others: unwillingToPerform, for someone
        # else's entry and for one's own; no password changes.
        for args in (["-s", "New-Pass-9", bob], ["-s", "New-Pass-9"], ["-a", PASSWORD, "-s", "New-Pass-9"]):
            r = self.write("ldappasswd", args=args)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("Result: Server is unwilling to perform (53)", r.stdout, args)
            self.assertIn("read-only", r.stdout, args)
        for user in ("alice@example.com", "bob@example.com"):
            rc, _, err = self.world.ldapsearch(user=user, base=BASE, scope="base", check=False)
            self.assertEqual(rc, 0, f"{user}: old password refused after ldappasswd: {err}")
            rc, _, err = self.world.ldapsearch(user=user, password="New-Pass-9", base=BASE, scope="base",
                                               check=False)
            self.assertEqual(rc, 49, f"{user}: the new password was set: {err}")
        for op in (lambda: conn.add_s(f"uid=x,ou=/Contacts,{BASE}", [("cn", [b"x"])]),
                   lambda: conn.modify_s(grace, [(ldap.MOD_REPLACE, "cn", [b"y"])]),
                   lambda: conn.delete_s(grace),
                   lambda: conn.rename_s(grace, "uid=1000")):
            with self.assertRaises(ldap.UNWILLING_TO_PERFORM):
                op()
        self.assertEqual(sorted(conn.search_s("", ldap.SCOPE_SUBTREE, "(objectClass=*)")), before)
        self.assertEqual(self.world.server.json("contacts", "list", "alice@example.com"), contacts_before)


if __name__ == "__main__":
    unittest.main()
