"""Directory through the CLI: domains, classes of service with attribute inheritance
(account → COS → domain → global), aliases and renames."""
import unittest

from harness import ServerTestCase


class DomainTest(ServerTestCase):
    def test_create_get_list_modify_delete(self):
        uuid = self.cli("prov", "cd", "Domains.Example").out.strip()
        self.assertRegex(uuid, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")
        # Names are stored lower-case, and the long verbs are the same commands.
        gd = self.json("prov", "getDomain", "domains.example")
        self.assertEqual(gd["name"], "domains.example")
        self.assertEqual(gd["attrs"]["zimbraId"], uuid)
        self.assertIn("zimbraDomainName: domains.example", self.cli("prov", "gd", "DOMAINS.example").out)
        self.assertIn({"name": "domains.example", "id": uuid}, self.json("prov", "gad")["domains"])
        self.assertIn(f"domains.example  {uuid}", self.cli("prov", "gad", "-v").out.splitlines())

        self.cli("prov", "cc", "domaincos")
        self.cli("prov", "md", "domains.example", "zimbraDomainDefaultCOSId", "domaincos", "zimbraHideInGal", "TRUE")
        attrs = self.json("prov", "gd", "domains.example")["attrs"]
        self.assertEqual(attrs["zimbraDomainDefaultCOSName"], "domaincos")
        self.assertEqual(attrs["zimbraDomainDefaultCOSId"], self.json("prov", "gc", "domaincos")["attrs"]["zimbraId"])
        self.assertEqual(attrs["zimbraHideInGal"], "TRUE")
        # Only the attributes asked for.
        self.assertEqual(self.cli("prov", "gd", "domains.example", "zimbraHideInGal").out,
                         "# name domains.example\nzimbraHideInGal: TRUE\n")
        # The COS is in use by the domain: it cannot go.
        self.assertFailsUnchanged("prov", "deleteCos", "domaincos", contains="still assigned")

        self.cli("prov", "dd", "domains.example")
        self.assertNotIn("domains.example", self.cli("prov", "gad").out.split())
        self.assertFails("prov", "gd", "domains.example", contains="no such domain")
        self.cli("prov", "dc", "domaincos")  # free again

    def test_duplicate_and_bad_names_are_refused(self):
        self.cli("prov", "cd", "dup.example")
        self.assertFailsUnchanged("prov", "cd", "dup.example", contains="already exists")
        self.assertFailsUnchanged("prov", "cd", "DUP.Example", contains="already exists")
        for bad in ("bad_name!.example", "", "-lead.example", "a..b", "with space.example", "x" * 300 + ".example"):
            with self.subTest(name=bad):
                self.assertFailsUnchanged("prov", "cd", bad)
        self.assertFailsUnchanged("prov", "cd", "attrs.example", "noSuchAttribute", "1", contains="unknown attribute")
        self.assertFails("prov", "gd", "attrs.example", contains="no such domain")

    def test_non_empty_domain_cannot_be_deleted(self):
        self.cli("prov", "cd", "busy.example")
        self.cli("prov", "cd", "other.example")
        self.cli("prov", "ca", "user@busy.example", "", "displayName", "Busy User")
        self.assertFailsUnchanged("prov", "dd", "busy.example", contains="busy.example")
        self.assertEqual(self.json("prov", "ga", "user@busy.example")["name"], "user@busy.example")
        # An alias in the domain keeps it alive too.
        self.cli("prov", "ca", "holder@other.example", "")
        self.cli("prov", "aaa", "holder@other.example", "alias@busy.example")
        self.cli("prov", "da", "user@busy.example")
        self.assertFailsUnchanged("prov", "dd", "busy.example", contains="alias")
        self.cli("prov", "raa", "holder@other.example", "alias@busy.example")
        self.cli("prov", "dd", "busy.example")
        self.assertFails("prov", "dd", "busy.example", contains="no such domain")

    def test_account_needs_an_existing_domain(self):
        self.assertFailsUnchanged("prov", "ca", "nobody@missing.example", "", contains="prov cd missing.example")


class CosInheritanceTest(ServerTestCase):
    """The Carbonio Mobile flow: `prov mc default zimbraFeatureMobileSyncEnabled TRUE` then
    `prov ma john@example.com zimbraFeatureMobileSyncEnabled FALSE`."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        for d in ("example.com", "branch.example"):
            s.cli("prov", "cd", d)
        for a in ("john@example.com", "jane@example.com", "exec@example.com", "bob@branch.example"):
            s.cli("prov", "ca", a, "")

    def effective(self, account, attr):
        ev = self.json("prov", "ga", account, attr)["attrs"][attr]
        return ev["values"], ev["source"]

    def test_seed_001_flow(self):
        self.assertEqual(self.effective("john@example.com", "zimbraFeatureMobileSyncEnabled"), (["FALSE"], "cos default"))
        self.cli("prov", "mc", "default", "zimbraFeatureMobileSyncEnabled", "TRUE")
        self.cli("prov", "ma", "john@example.com", "zimbraFeatureMobileSyncEnabled", "FALSE")
        out = self.cli("prov", "ga", "john@example.com", "zimbraFeatureMobileSyncEnabled").out
        self.assertEqual(out, "# name john@example.com\nzimbraFeatureMobileSyncEnabled: FALSE\n"
                              "# zimbraFeatureMobileSyncEnabled comes from: account\n")
        out = self.cli("prov", "ga", "jane@example.com", "zimbraFeatureMobileSyncEnabled").out
        self.assertIn("zimbraFeatureMobileSyncEnabled: TRUE\n", out)
        self.assertIn("comes from: cos default", out)
        self.assertEqual(self.effective("jane@example.com", "zimbraFeatureMobileSyncEnabled"), (["TRUE"], "cos default"))
        # The default COS shows its own value.
        self.assertIn("zimbraFeatureMobileSyncEnabled: TRUE", self.cli("prov", "gc", "default").out)
        # '' unsets the account's own value: the COS value applies again.
        self.cli("prov", "ma", "john@example.com", "zimbraFeatureMobileSyncEnabled", "")
        self.assertEqual(self.effective("john@example.com", "zimbraFeatureMobileSyncEnabled"), (["TRUE"], "cos default"))
        # Without an attribute list, ga shows every effective value with its source in JSON.
        full = self.json("prov", "ga", "john@example.com")["attrs"]
        self.assertEqual(full["zimbraFeatureMobileSyncEnabled"], {"values": ["TRUE"], "source": "cos default"})
        self.assertEqual(full["mail"]["values"], ["john@example.com"])
        self.cli("prov", "mc", "default", "zimbraFeatureMobileSyncEnabled", "FALSE")

    def test_account_cos_and_domain_default_cos(self):
        cos_id = self.cli("prov", "cc", "executives", "zimbraMobilePolicyRefreshInterval", "720").out.strip()
        self.assertIn({"name": "executives", "id": cos_id}, self.json("prov", "gac")["cos"])
        self.assertIn("executives", self.cli("prov", "getAllCos").out.split())
        # A new COS starts with the COS defaults.
        self.assertIn("zimbraFeatureMobileSyncEnabled: FALSE", self.cli("prov", "gc", "executives").out)
        self.cli("prov", "mc", "executives", "zimbraFeatureMobileSyncEnabled", "TRUE")

        # By name; stored as the COS id.
        self.cli("prov", "ma", "exec@example.com", "zimbraCOSId", "executives")
        self.assertEqual(self.effective("exec@example.com", "zimbraCOSId"), ([cos_id], "account"))
        self.assertEqual(self.effective("exec@example.com", "zimbraMobilePolicyRefreshInterval"), (["720"], "cos executives"))
        self.assertEqual(self.effective("exec@example.com", "zimbraFeatureMobileSyncEnabled"), (["TRUE"], "cos executives"))
        self.assertEqual(self.effective("jane@example.com", "zimbraMobilePolicyRefreshInterval"), (["1440"], "cos default"))

        # A domain's default COS applies to its accounts without a COS of their own.
        self.cli("prov", "md", "branch.example", "zimbraDomainDefaultCOSId", cos_id)
        self.assertEqual(self.effective("bob@branch.example", "zimbraMobilePolicyRefreshInterval"), (["720"], "cos executives"))
        self.assertEqual(self.effective("jane@example.com", "zimbraMobilePolicyRefreshInterval"), (["1440"], "cos default"))
        # The account's own COS wins over the domain's default.
        self.cli("prov", "ma", "bob@branch.example", "zimbraCOSId", "default")
        self.assertEqual(self.effective("bob@branch.example", "zimbraMobilePolicyRefreshInterval"), (["1440"], "cos default"))
        self.cli("prov", "ma", "bob@branch.example", "zimbraCOSId", "")
        self.assertEqual(self.effective("bob@branch.example", "zimbraMobilePolicyRefreshInterval"), (["720"], "cos executives"))

        # An account value beats every COS.
        self.cli("prov", "ma", "exec@example.com", "zimbraMobilePolicyRefreshInterval", "5")
        self.assertEqual(self.effective("exec@example.com", "zimbraMobilePolicyRefreshInterval"), (["5"], "account"))
        self.cli("prov", "ma", "exec@example.com", "zimbraMobilePolicyRefreshInterval", "")
        self.assertEqual(self.effective("exec@example.com", "zimbraMobilePolicyRefreshInterval"), (["720"], "cos executives"))

        self.assertFailsUnchanged("prov", "ma", "exec@example.com", "zimbraCOSId", "no-such-cos", contains="no such cos")
        self.assertFailsUnchanged("prov", "cc", "executives", contains="already exists")
        self.assertFailsUnchanged("prov", "dc", "default", contains="default COS")
        self.cli("prov", "md", "branch.example", "zimbraDomainDefaultCOSId", "")
        self.cli("prov", "ma", "exec@example.com", "zimbraCOSId", "")
        self.cli("prov", "dc", "executives")
        self.assertEqual(self.effective("bob@branch.example", "zimbraMobilePolicyRefreshInterval"), (["1440"], "cos default"))

    def test_domain_and_global_fallback(self):
        # zimbraHideInGal has no COS default: the chain reaches the domain, then global, then the built-in.
        attr = "zimbraHideInGal"
        self.assertEqual(self.effective("bob@branch.example", attr), (["FALSE"], "default"))
        self.cli("config", "set", "global", attr, "TRUE")
        self.assertEqual(self.effective("bob@branch.example", attr), (["TRUE"], "global"))
        self.assertIn(f"{attr}: TRUE    # from global", self.cli("config", "get", "account", "bob@branch.example", attr).out)
        self.cli("prov", "md", "branch.example", attr, "FALSE")
        self.assertEqual(self.effective("bob@branch.example", attr), (["FALSE"], "domain branch.example"))
        self.assertEqual(self.effective("jane@example.com", attr), (["TRUE"], "global"))
        self.cli("prov", "mc", "default", attr, "TRUE")
        self.assertEqual(self.effective("bob@branch.example", attr), (["TRUE"], "cos default"))
        self.cli("prov", "ma", "bob@branch.example", attr, "FALSE")
        self.assertEqual(self.effective("bob@branch.example", attr), (["FALSE"], "account"))
        # Unset level by level, back to the built-in default.
        self.cli("prov", "ma", "bob@branch.example", attr, "")
        self.cli("prov", "mc", "default", attr, "")
        self.assertEqual(self.effective("bob@branch.example", attr), (["FALSE"], "domain branch.example"))
        self.cli("config", "unset", "domain", "branch.example", attr)
        self.assertEqual(self.effective("bob@branch.example", attr), (["TRUE"], "global"))
        self.cli("config", "unset", "global", attr)
        self.assertEqual(self.effective("bob@branch.example", attr), (["FALSE"], "default"))

    def test_values_are_checked(self):
        # Booleans are normalised, bad values refused with the attribute named.
        self.cli("prov", "ma", "jane@example.com", "zimbraHideInGal", "true")
        self.assertEqual(self.effective("jane@example.com", "zimbraHideInGal"), (["TRUE"], "account"))
        self.cli("prov", "ma", "jane@example.com", "zimbraHideInGal", "")
        state = lambda: (self.server.directory_state(), self.json("prov", "ga", "jane@example.com")["attrs"],
                         self.json("prov", "gc", "default")["attrs"])
        self.assertFailsUnchanged("prov", "ma", "jane@example.com", "zimbraHideInGal", "maybe",
                                  contains="zimbraHideInGal must be TRUE or FALSE", state=state)
        self.assertFailsUnchanged("prov", "mc", "default", "zimbraMobilePolicyRefreshInterval", "lots",
                                  contains="zimbraMobilePolicyRefreshInterval must be an integer", state=state)
        self.assertFailsUnchanged("prov", "ma", "jane@example.com", "zimbraMobilePolicyRefreshInterval", "-1",
                                  contains="zimbraMobilePolicyRefreshInterval must be between", state=state)
        self.assertFailsUnchanged("prov", "ma", "jane@example.com", "zimbraMobilePolicyRefreshInterval", "12abc", state=state)
        # One bad pair refuses the whole command: the good pair before it is not applied either.
        self.assertFailsUnchanged("prov", "ma", "jane@example.com", "title", "Boss", "zimbraMobilePolicyRefreshInterval", "x",
                                  contains="zimbraMobilePolicyRefreshInterval", state=state)
        self.assertFailsUnchanged("prov", "ma", "jane@example.com", "title", "Boss", "noSuchAttr", "1",
                                  contains="unknown attribute: noSuchAttr", state=state)
        # Odd number of attribute words.
        self.assertFailsUnchanged("prov", "ma", "jane@example.com", "title", "Boss", "zimbraMobilePolicyRefreshInterval",
                                  contains="zimbraMobilePolicyRefreshInterval", state=state)
        self.assertFailsUnchanged("prov", "ma", "jane@example.com", "title", contains="usage", state=state)
        self.assertFailsUnchanged("prov", "ca", "new@example.com", "", "title", contains="title", state=state)
        # Read-only and wrong-level attributes.
        self.assertFailsUnchanged("prov", "ma", "jane@example.com", "mail", "x@example.com",
                                  contains="read-only", state=state)
        self.assertFailsUnchanged("prov", "mc", "default", "displayName", "Everyone",
                                  contains="cannot be set", state=state)
        self.assertFailsUnchanged("prov", "ma", "jane@example.com", "zimbraAccountStatus", "frozen",
                                  contains="active", state=state)
        self.assertFailsUnchanged("prov", "ma", "nobody@example.com", "title", "Boss",
                                  contains="no such account: nobody@example.com", state=state)
        self.assertFailsUnchanged("prov", "ga", "jane@example.com", "noSuchAttr", contains="unknown attribute",
                                  state=state)
        self.assertFailsUnchanged("prov", "ma", "jane@example.com", "userPassword", "x", contains="setPassword",
                                  state=state)
        self.assertFailsUnchanged("config", "set", "global", "authThrottleWindow", "0", contains="between",
                                  state=state)
        self.assertFailsUnchanged("config", "set", "global", "noSuchSetting", "1", contains="noSuchSetting",
                                  state=state)

    def test_settings_not_enforced_yet_are_refused(self):
        # Known settings of the original product that no code reads yet: a value would be a lie.
        state = lambda: (self.server.directory_state(), self.json("config", "list"),
                         self.json("prov", "gc", "default")["attrs"], self.json("prov", "gd", "example.com"))
        pending = {"abqMode": ("global", "Strict"), "abqNotificationsInterval": ("global", "60"),
                   "abq_enabled_at_startup": ("global", "FALSE"),
                   "mobileAntiDosServiceEnabled": ("global", "TRUE"),
                   "mobileAntiDosServiceJailDuration": ("global", "1000"),
                   "mobileAntiDosServiceTimeWindow": ("global", "1000"),
                   "mobileAntiDosServiceMaxRequests": ("global", "10"),
                   "zimbraMailQuota": ("cos", "1073741824")}
        for name, (level, value) in pending.items():
            args = ["config", "set", "global", name, value] if level == "global" else \
                ["prov", "mc", "default", name, value]
            r = self.assertFailsUnchanged(*args, contains=f"{name} is not enforced yet", state=state)
            self.assertEqual(r.rc, 1, r)
            info = self.cli("config", "info", name).out
            self.assertIn("not enforced yet", info)
            j = self.json("config", "info", name)
            self.assertFalse(j["enforced"])
            self.assertTrue(j["notEnforcedReason"])
            # Unsetting is allowed (a database of an earlier version may hold a value).
            if level == "global":
                self.cli("config", "unset", "global", name)
        self.assertFailsUnchanged("prov", "ma", "jane@example.com", "zimbraMailQuota", "5",
                                  contains="zimbraMailQuota is not enforced yet", state=state)
        self.assertFailsUnchanged("prov", "md", "example.com", "zimbraMailQuota", "5",
                                  contains="mail store", state=state)
        self.assertFailsUnchanged("prov", "ca", "quota@example.com", "pw-quota-2026", "zimbraMailQuota", "5",
                                  contains="zimbraMailQuota is not enforced yet", state=state)
        listed = self.json("config", "list")
        self.assertFalse(listed["abqMode"]["enforced"])
        self.assertEqual(listed["abqMode"]["value"], "")  # no built-in value pretends to be in force
        self.assertTrue(listed["authThrottleWindow"]["enforced"])
        self.assertIn("abqMode:     # not enforced yet", self.cli("config", "list").out)
        self.assertEqual(self.json("config", "info", "authThrottleWindow")["enforced"], True)
        # A new COS no longer gets a quota that nothing applies.
        self.cli("prov", "cc", "quota-check")
        self.assertNotIn("zimbraMailQuota", self.json("prov", "gc", "quota-check")["attrs"])
        self.cli("prov", "dc", "quota-check")


class AccountTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.cli("prov", "cd", "example.com")
        cls.server.cli("prov", "cd", "example.org")

    def test_create_with_person_attributes(self):
        r = self.json("prov", "ca", "Ann.Lee@Example.com", "", "displayName", "Ann Lee", "givenName", "Ann", "sn", "Lee",
                      "title", "CFO", "department", "Finance", "telephoneNumber", "+1 555 0100",
                      "zimbraMailAlias", "ann@example.org")
        self.assertEqual(r["name"], "ann.lee@example.com")
        self.assertEqual(r["aliases"], ["ann@example.org"])
        self.assertEqual(r["status"], "active")
        self.assertFalse(r["hasPassword"])
        ga = self.json("prov", "ga", "ann@example.org")  # an alias finds the account
        self.assertEqual(ga["id"], r["id"])
        attrs = ga["attrs"]
        for k, v in (("displayName", "Ann Lee"), ("givenName", "Ann"), ("sn", "Lee"), ("title", "CFO"),
                     ("ou", "Finance"), ("telephoneNumber", "+1 555 0100"), ("zimbraMailAlias", "ann@example.org")):
            self.assertEqual(attrs[k], {"values": [v], "source": "account"}, k)
        self.assertEqual(self.json("prov", "ga", r["id"])["name"], "ann.lee@example.com")  # and the uuid
        self.assertIn("ann.lee@example.com", self.cli("prov", "gaa", "example.com").out.split())
        self.assertNotIn("ann.lee@example.com", self.cli("prov", "gaa", "example.org").out.split())
        self.assertFailsUnchanged("prov", "ca", "ANN.LEE@example.com", "", contains="already in use")
        self.assertFailsUnchanged("prov", "ca", "ann@example.org", "", contains="already in use")
        self.assertFailsUnchanged("prov", "ca", "not-an-address", "", contains="not-an-address")
        self.assertFailsUnchanged("prov", "ca", "x@example.com", "pw", "userPassword", "{SSHA}abc",
                                  contains="not both")
        self.assertFailsUnchanged("prov", "ca", "y@example.com", "", "zimbraMailAlias", "ann@example.org",
                                  contains="already in use")

    def test_status_lock_and_delete(self):
        self.cli("prov", "ca", "temp@example.com", "temp-pass-1")
        self.assertLogin("temp@example.com", "temp-pass-1")
        self.cli("prov", "ma", "temp@example.com", "zimbraAccountStatus", "locked")
        self.assertEqual(self.json("prov", "ga", "temp@example.com")["status"], "locked")
        self.assertLoginRefused("temp@example.com", "temp-pass-1", service="web", contains="locked")
        self.cli("prov", "da", "temp@example.com")
        self.assertFails("prov", "ga", "temp@example.com", contains="no such account")
        self.assertLoginRefused("temp@example.com", "temp-pass-1", contains="no account")
        self.assertFails("prov", "da", "temp@example.com", contains="no such account")

    def test_aliases(self):
        self.cli("prov", "ca", "carol@example.com", "carol-pass-1")
        self.cli("prov", "aaa", "carol@example.com", "C.Smith@example.com")
        self.cli("prov", "addAccountAlias", "carol@example.com", "carol@example.org")
        self.assertEqual(self.json("prov", "ga", "carol@example.com")["aliases"],
                         ["c.smith@example.com", "carol@example.org"])
        # Every alias is a login, in any case; the answer names the primary address.
        for login in ("c.smith@example.com", "CAROL@example.org"):
            self.assertEqual(self.assertLogin(login, "carol-pass-1")["account"], "carol@example.com")
        self.assertLoginRefused("c.smith@example.com", "wrong")
        # Addresses are unique across accounts and aliases.
        self.cli("prov", "ca", "dave@example.com", "")
        self.assertFailsUnchanged("prov", "aaa", "dave@example.com", "carol@example.org", contains="already in use")
        self.assertFailsUnchanged("prov", "aaa", "dave@example.com", "carol@example.com", contains="already in use")
        self.assertFailsUnchanged("prov", "aaa", "dave@example.com", "x@nodomain.example", contains="no such domain")
        self.assertFailsUnchanged("prov", "aaa", "nobody@example.com", "n2@example.com", contains="no such account")
        self.assertFailsUnchanged("prov", "raa", "dave@example.com", "carol@example.org", contains="not an alias")
        self.cli("prov", "raa", "carol@example.com", "c.smith@example.com")
        self.assertEqual(self.json("prov", "ga", "carol@example.com")["aliases"], ["carol@example.org"])
        self.assertLoginRefused("c.smith@example.com", "carol-pass-1", contains="no account")
        self.assertFails("prov", "ga", "c.smith@example.com", contains="no such account")
        # The removed alias is free again.
        self.cli("prov", "aaa", "dave@example.com", "c.smith@example.com")

    def test_rename(self):
        self.cli("prov", "ca", "erin@example.com", "erin-pass-1", "title", "Engineer")
        self.cli("prov", "aaa", "erin@example.com", "erin.alias@example.com")
        uuid = self.json("prov", "ga", "erin@example.com")["id"]
        r = self.json("prov", "ra", "erin@example.com", "erin.new@example.org")
        self.assertEqual((r["name"], r["domain"], r["id"]), ("erin.new@example.org", "example.org", uuid))
        self.assertFails("prov", "ga", "erin@example.com", contains="no such account")
        ga = self.json("prov", "ga", "erin.new@example.org")
        self.assertEqual(ga["aliases"], ["erin.alias@example.com"])
        self.assertEqual(ga["attrs"]["title"]["values"], ["Engineer"])
        self.assertEqual(self.assertLogin("erin.new@example.org", "erin-pass-1", service="web")["account"],
                         "erin.new@example.org")
        self.assertEqual(self.assertLogin("erin.alias@example.com", "erin-pass-1", service="web")["account"],
                         "erin.new@example.org")
        self.assertLoginRefused("erin@example.com", "erin-pass-1", service="web", contains="no account")
        self.assertIn("erin.new@example.org", self.cli("prov", "gaa", "example.org").out.split())
        # The old name is free again.
        self.cli("prov", "ca", "erin@example.com", "")
        # Renaming onto a used address or a missing domain changes nothing.
        self.assertFailsUnchanged("prov", "ra", "erin.new@example.org", "erin@example.com", contains="already in use")
        self.assertFailsUnchanged("prov", "ra", "erin.new@example.org", "erin@nowhere.example", contains="no such domain")
        self.assertFailsUnchanged("prov", "ra", "ghost@example.com", "ghost2@example.com", contains="no such account")
        # Renaming to one of its own aliases: the alias becomes the name.
        self.cli("prov", "renameAccount", "erin.new@example.org", "erin.alias@example.com")
        ga = self.json("prov", "ga", "erin.alias@example.com")
        self.assertEqual((ga["id"], ga["aliases"]), (uuid, []))


if __name__ == "__main__":
    unittest.main()
