"""Directory sync against a real slapd: OpenLDAP-style users and groups
(inetOrgPerson + groupOfNames, posixAccount + memberUid), nested groups, renames with the same
entryUUID, removals within and beyond the threshold, dry runs, incremental runs, status, and
AD-style values (userPrincipalName, proxyAddresses, userAccountControl, objectGUID).

Each test builds its own scenario: a subtree ou=NAME of the one slapd and a domain NAME.test
whose directory sync reads that subtree, so tests share the servers but not their data."""
import time
import unittest
import uuid

from harness import Server
from slapd import Slapd, entry_ldif, person_ldif


class Scenario:
    def __init__(self, case, name):
        self.case = case
        self.name = name
        self.domain = f"{name}.test"
        self.base = f"ou={name},{case.slapd.suffix}"
        self.people = f"ou=people,{self.base}"
        self.groups = f"ou=groups,{self.base}"

    def dn(self, uid):
        return f"uid={uid},{self.people}"

    def group_dn(self, cn):
        return f"cn={cn},{self.groups}"

    def address(self, uid):
        return f"{uid}@{self.domain}"

    def add_people(self, *uids, **attrs):
        ldif = "".join(person_ldif(self.dn(u), u, mail=self.address(u), password=f"pw-{u}", **attrs) for u in uids)
        self.case.slapd.add_ldif(ldif)

    def add_group(self, cn, members, cls="groupOfNames", attr="member"):
        a = {"objectClass": cls, "cn": cn, attr: members}
        if cls == "posixGroup":
            a["gidNumber"] = str(5000 + abs(hash(cn)) % 1000)
        self.case.slapd.add_ldif(entry_ldif(self.group_dn(cn), a))

    def set(self, *pairs):
        return self.case.server.cli("dirsync", "set", self.domain, *pairs)

    def run(self, *args, check=True):
        """With check: the JSON report of a run that must succeed; without: the plain CLI result
        (errors on stderr)."""
        r = self.case.server.cli("dirsync", "run", self.domain, *args, json_out=check, check=False)
        if check and r.rc != 0:
            raise AssertionError(f"dirsync run failed: {r}\n{self.case.server.log_tail()}")
        return r

    def report(self, *args):
        return self.run(*args).data

    def test(self, *args, check=True):
        r = self.case.server.cli("dirsync", "test", self.domain, *args, json_out=check, check=False)
        if check and r.rc != 0:
            raise AssertionError(f"dirsync test failed: {r}")
        return r

    def status(self):
        return self.case.server.json("dirsync", "status", self.domain)

    def accounts(self):
        data = self.case.server.json("prov", "gaa", self.domain)
        return {a["name"]: a for a in data["accounts"]}

    def account(self, address):
        return self.case.server.json("prov", "ga", address)


class DirsyncCase(unittest.TestCase):
    """One slapd and one Switchboard server for a test class; scenarios isolate the tests."""
    slapd_options = {}

    @classmethod
    def preload(cls, slapd):
        """Entries to load with slapadd before slapd starts (subclasses with large data)."""

    @classmethod
    def setUpClass(cls):
        cls.slapd = Slapd(**cls.slapd_options)
        try:
            cls.preload(cls.slapd)
            cls.slapd.start()
            cls.server = Server()
            cls.server.start()
        except Exception:
            cls.slapd.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.cleanup()
        finally:
            cls.slapd.cleanup()

    @staticmethod
    def subtree_ldif(s):
        return (entry_ldif(s.base, {"objectClass": "organizationalUnit", "ou": s.name}) +
                entry_ldif(s.people, {"objectClass": "organizationalUnit", "ou": "people"}) +
                entry_ldif(s.groups, {"objectClass": "organizationalUnit", "ou": "groups"}))

    def scenario(self, name, preloaded=False, **settings):
        """A domain NAME.test syncing ou=NAME; `preloaded`: the subtree came with preload()."""
        s = Scenario(self, name)
        if not preloaded:
            self.slapd.add_ldif(self.subtree_ldif(s))
        self.server.cli("prov", "cd", s.domain)
        keys = {"server": self.slapd.uri("ldap"), "bind_dn": self.slapd.service_dn,
                "bind_password": self.slapd.service_password, "base_dn": s.base,
                "user_filter": "(objectClass=inetOrgPerson)", "page_size": "2", "network_timeout": "3s",
                "search_timeout": "10s", "login_timeout": "5s"}
        keys.update(settings)
        # A preset first: the keys given with it override its values.
        if "preset" in keys:
            keys = {"preset": keys.pop("preset"), **keys}
        pairs = []
        for k, v in keys.items():
            pairs += [k, v]
        s.set(*pairs)
        return s

    def assertCliFails(self, *args, contains=()):
        r = self.server.cli(*args, check=False)
        self.assertNotEqual(r.rc, 0, f"expected a failure: {r}")
        for c in ([contains] if isinstance(contains, str) else contains):
            self.assertIn(c.lower(), r.err.lower(), f"{r}")
        return r


class SyncTest(DirsyncCase):
    def test_inetorgperson_and_nested_groupofnames(self):
        s = self.scenario("nested", group_filter="(objectClass=groupOfNames)", groups="Staff")
        s.add_people("ann", "bob", "cid", "dan", "eve", title="Engineer", telephoneNumber="+39 02 1234")
        s.add_group("Sales", [s.dn("bob"), s.group_dn("Europe")])
        s.add_group("Europe", [s.dn("cid"), s.group_dn("Sales")])  # a cycle back to Sales
        s.add_group("Staff", [s.dn("ann"), s.group_dn("Sales")])
        s.add_group("Other", [s.dn("dan")])
        report = s.report()
        self.assertEqual(report["outcome"], "ok", report)
        self.assertEqual(report["kind"], "full")
        self.assertEqual(report["counts"]["created"], 3)
        self.assertEqual(report["directoryCounts"]["listed"], 5)
        self.assertEqual(report["directoryCounts"]["inScope"], 3)
        self.assertGreaterEqual(report["directoryCounts"]["pages"], 3, "page_size 2 must page")
        accounts = s.accounts()
        self.assertEqual(set(accounts), {s.address(u) for u in ("ann", "bob", "cid")})
        for a in accounts.values():
            self.assertEqual(a["authSource"], "directory")
            self.assertEqual(a["status"], "active")
        ga = s.account(s.address("bob"))
        self.assertEqual(ga["attrs"]["displayName"]["values"], ["Bob Bob"])
        self.assertEqual(ga["attrs"]["title"]["values"], ["Engineer"])
        self.assertEqual(ga["attrs"]["telephoneNumber"]["values"], ["+39 02 1234"])
        groups = self.server.json("dirsync", "groups", s.domain)["groups"]
        self.assertEqual({g["name"] for g in groups}, {"Sales", "Europe", "Staff", "Other"})
        # Runs after it change nothing: an incremental one sees no change, a full one finds all as they are.
        again = s.report()
        self.assertEqual(again["kind"], "incremental")
        self.assertEqual(again["counts"]["created"] + again["counts"]["updated"], 0)
        again = s.report("mode", "full")
        self.assertEqual(again["counts"]["created"] + again["counts"]["updated"], 0)
        self.assertEqual(again["counts"]["unchanged"], 3)

    def test_posixaccount_and_memberuid_groups(self):
        s = self.scenario("posix", preset="openldap", groups="mailusers")
        for i, u in enumerate(("pam", "pat", "pia", "pol")):
            s.add_people(u, extra_classes=("posixAccount",), uidNumber=str(2000 + i), gidNumber="100",
                         homeDirectory=f"/home/{u}")
        s.add_group("admins", ["pat"], cls="posixGroup", attr="memberUid")
        s.add_group("mailusers", ["pam", "admins", "ghost"], cls="posixGroup", attr="memberUid")
        s.add_group("others", ["pol"], cls="posixGroup", attr="memberUid")
        report = s.report()
        self.assertEqual(report["outcome"], "ok", report)
        self.assertEqual(set(s.accounts()), {s.address("pam"), s.address("pat")})
        self.assertGreaterEqual(report["directoryCounts"]["memberSearches"], 3)

    def test_rename_with_the_same_entryuuid_keeps_the_account(self):
        s = self.scenario("rename")
        s.add_people("rita", "rob")
        self.assertEqual(s.report()["counts"]["created"], 2)
        before = s.account(s.address("rita"))
        self.slapd.modify_ldif(f"dn: {s.dn('rita')}\nchangetype: modrdn\nnewrdn: uid=rita.moss\ndeleteoldrdn: 1\n"
                               f"newsuperior: {s.base}\n\n")
        report = s.report()
        self.assertEqual(report["counts"]["renamed"], 1, report)
        self.assertEqual(report["counts"]["created"], 0)
        self.assertEqual(report["counts"]["lockedForRemoval"] + report["counts"]["deleted"], 0)
        after = s.account(s.address("rita.moss"))
        self.assertEqual(after["id"], before["id"], "same zimbraId: the account was renamed, not recreated")
        self.assertIn(s.address("rita"), after["aliases"], "the old mail value stays an alias")
        self.assertNotIn(s.address("rita"), s.accounts())

    def test_removal_within_the_threshold_locks_then_deletes(self):
        s = self.scenario("removal", delete_out_of_scope="TRUE", delete_threshold="10", delete_grace_period="0",
                          incremental="off")
        users = [f"r{i}" for i in range(10)]
        s.add_people(*users)
        self.assertEqual(s.report()["counts"]["created"], 10)
        self.slapd.delete(s.dn("r9"))
        report = s.report()
        self.assertEqual(report["counts"]["lockedForRemoval"], 1, report)
        self.assertEqual(report["examples"]["locked for removal"],
                         [f"{s.address('r9')} (not in the directory's user listing: deleted, or no longer matched "
                          "by user_filter)"])
        accounts = s.accounts()
        self.assertEqual(accounts[s.address("r9")]["status"], "locked", "locked first, not deleted")
        self.assertEqual(self.server.json("dirsync", "status", s.domain)["lockedForRemoval"], 1)
        report = s.report()
        self.assertEqual(report["counts"]["deleted"], 1, report)
        self.assertNotIn(s.address("r9"), s.accounts())
        self.assertEqual(len(s.accounts()), 9)

    def test_grace_period_keeps_a_removed_user_locked_then_deletes_it(self):
        grace = 3  # seconds: the smallest unit of delete_grace_period
        s = self.scenario("grace", delete_out_of_scope="TRUE", delete_threshold="50",
                          delete_grace_period=f"{grace}s", incremental="off")
        s.add_people("g1", "g2", "g3")
        self.assertEqual(s.report()["counts"]["created"], 3)
        self.slapd.delete(s.dn("g3"))
        report = s.report()
        self.assertEqual(report["counts"]["lockedForRemoval"], 1, report)
        self.assertEqual(report["counts"]["deleted"], 0)
        (missing_since,), = self.server.db_query(
            "SELECT l.missing_since FROM dirsync_links l JOIN accounts a ON a.id = l.account_id "
            "WHERE a.address = ?", (s.address("g3"),))
        # Inside the grace period: still there, locked, reported as waiting.
        report = s.report()
        self.assertLess(time.time(), missing_since + grace, "the run above was inside the grace period")
        self.assertEqual(report["counts"]["deleted"], 0, report)
        self.assertEqual(s.accounts()[s.address("g3")]["status"], "locked")
        self.assertTrue(any(e.startswith(s.address("g3")) for e in report["examples"]["waiting for deletion"]),
                        report)
        self.assertEqual(s.status()["lockedForRemoval"], 1)
        # After it: a dry run shows the deletion and deletes nothing; a run deletes.
        deadline = time.time() + grace + 5
        while time.time() < missing_since + grace + 0.05 and time.time() < deadline:
            time.sleep(0.1)
        dry = s.test().data
        self.assertEqual(dry["counts"]["deleted"], 1, dry)
        self.assertEqual(dry["examples"]["deleted"], [s.address("g3")])
        self.assertIn(s.address("g3"), self.server.cli("dirsync", "test", s.domain).out)
        self.assertIn(s.address("g3"), s.accounts(), "a dry run deletes nothing")
        report = s.report()
        self.assertEqual(report["counts"]["deleted"], 1, report)
        self.assertEqual(set(s.accounts()), {s.address("g1"), s.address("g2")})
        self.assertEqual(s.status()["lockedForRemoval"], 0)

    def test_removal_beyond_the_threshold_stops_the_run(self):
        s = self.scenario("threshold", delete_out_of_scope="TRUE", delete_threshold="10", incremental="off")
        users = [f"t{i}" for i in range(10)]
        s.add_people(*users)
        s.report()
        self.slapd.delete(s.dn("t7"), s.dn("t8"), s.dn("t9"))
        s.add_people("t10")  # a creation in the same run is held back too
        r = s.run(check=False)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("would remove 3 of the 10 synced accounts", r.err)
        self.assertIn("delete_threshold 10%", r.err)
        self.assertIn("nothing was changed", r.err)
        accounts = s.accounts()
        self.assertEqual(len(accounts), 10)
        self.assertTrue(all(a["status"] == "active" for a in accounts.values()))
        st = s.status()
        self.assertEqual(st["lastRun"]["outcome"], "stopped")
        self.assertIn("delete_threshold", st["lastRun"]["error"])
        text = self.server.cli("dirsync", "status", s.domain).out
        self.assertIn("stopped", text)
        # The admin confirms once.
        report = s.report("force", "true")
        self.assertEqual(report["counts"]["lockedForRemoval"], 3)
        self.assertEqual(report["counts"]["created"], 1)

    def test_dry_run_reports_and_changes_nothing(self):
        s = self.scenario("dryrun", delete_out_of_scope="TRUE", delete_threshold="50", incremental="off")
        s.add_people("d1", "d2", "d3", "d4")
        s.report()
        self.slapd.delete(s.dn("d4"))
        s.add_people("d5")
        self.slapd.modify_ldif(f"dn: {s.dn('d1')}\nchangetype: modify\nreplace: displayName\ndisplayName: Dee One\n\n")
        before_accounts = s.accounts()
        before_status = s.status()
        r = s.test()
        report = r.data
        self.assertEqual(report["outcome"], "dry run")
        self.assertTrue(report["dryRun"])
        self.assertEqual(report["counts"]["created"], 1)
        self.assertEqual(report["counts"]["updated"], 1)
        self.assertEqual(report["counts"]["lockedForRemoval"], 1)
        self.assertEqual(report["examples"]["created"], [s.address("d5")])
        self.assertTrue(any(s.address("d1") in e for e in report["examples"]["updated"]), report)
        text = self.server.cli("dirsync", "test", s.domain).out
        self.assertIn("would be:", text)
        self.assertIn("Nothing was changed", text)
        self.assertIn(s.address("d5"), text)
        self.assertEqual(s.accounts(), before_accounts)
        self.assertEqual(s.status()["lastRun"], before_status["lastRun"], "a dry run is not a run")
        self.assertEqual(s.account(s.address("d1"))["attrs"]["displayName"]["values"], ["D1 D1"])

    def test_incremental_runs_use_the_sync_cookie_and_timestamps(self):
        s = self.scenario("incr")
        s.add_people("i1", "i2", "i3")
        self.assertEqual(s.report()["kind"], "full")
        self.slapd.modify_ldif(f"dn: {s.dn('i2')}\nchangetype: modify\nreplace: title\ntitle: Director\n\n")
        s.add_people("i4")
        report = s.report()
        self.assertEqual(report["kind"], "incremental", report)
        self.assertIn("RFC 4533", report["method"])
        self.assertEqual(report["counts"]["created"], 1)
        self.assertEqual(report["counts"]["updated"], 1)
        self.assertEqual(s.account(s.address("i2"))["attrs"]["title"]["values"], ["Director"])
        # Without content synchronisation: modifyTimestamp (with an overlap, so recent entries come again).
        s.set("incremental", "timestamp")
        self.slapd.modify_ldif(f"dn: {s.dn('i3')}\nchangetype: modify\nreplace: title\ntitle: Chief\n\n")
        report = s.report()
        self.assertEqual(report["kind"], "incremental")
        self.assertIn("modifyTimestamp >=", report["method"])
        self.assertEqual(s.account(s.address("i3"))["attrs"]["title"]["values"], ["Chief"])
        # Incremental runs never remove: a deletion waits for the next full run.
        s.set("delete_out_of_scope", "TRUE", "delete_threshold", "50")
        s.report()
        self.slapd.delete(s.dn("i1"))
        report = s.report("mode", "incremental")
        self.assertEqual(report["kind"], "incremental")
        self.assertEqual(report["counts"]["lockedForRemoval"], 0)
        self.assertEqual(s.accounts()[s.address("i1")]["status"], "active")
        report = s.report("mode", "full")
        self.assertEqual(report["counts"]["lockedForRemoval"], 1)

    def test_status_and_log_tell_last_run_duration_counts_and_next_run(self):
        s = self.scenario("status")
        s.add_people("s1", "s2")
        s.report()
        s.set("enabled", "TRUE", "interval", "1h")
        st = s.status()
        self.assertTrue(st["configured"])
        self.assertEqual(st["syncedAccounts"], 2)
        self.assertEqual(st["lastRun"]["outcome"], "ok")
        self.assertIn("durationMs", st["lastRun"])
        self.assertEqual(st["lastRun"]["counts"]["created"], 2)
        self.assertTrue(st["lastFullRun"])
        self.assertRegex(st["nextRun"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$|^soon$")
        text = self.server.cli("dirsync", "status", s.domain).out
        for needle in ("last successful run", "next run", "created", "synced accounts", self.slapd.uri("ldap")):
            self.assertIn(needle, text)
        with open(self.server.log_path) as f:
            log = f.read()
        self.assertRegex(log, rf"dirsync: {s.domain}: full run from {self.slapd.uri('ldap')} \(\d+ ms\) ok: 2 listed")
        hist = self.server.json("dirsync", "history", s.domain)["runs"]
        self.assertGreaterEqual(len(hist), 1)

    def test_scheduler_runs_enabled_domains(self):
        s = self.scenario("sched")
        s.add_people("sa")
        s.set("enabled", "TRUE", "interval", "1m")
        deadline = time.time() + 20
        while time.time() < deadline and s.address("sa") not in s.accounts():
            time.sleep(0.2)
        self.assertIn(s.address("sa"), s.accounts(), "the scheduler ran the enabled domain")
        self.assertEqual(s.status()["lastRun"]["trigger"], "schedule")

    def test_secrets_are_never_shown(self):
        s = self.scenario("secret")
        r = self.server.cli("dirsync", "get", s.domain)
        self.assertIn("bind_password: (set)", r.out)
        self.assertNotIn(self.slapd.service_password, r.out)
        j = self.server.json("dirsync", "get", s.domain)
        self.assertEqual(j["settings"]["bind_password"], "(set)")
        show = self.server.cli("dirsync", "show", s.domain).out
        self.assertNotIn(self.slapd.service_password, show)
        self.assertIn("user_filter", show)
        with open(self.server.log_path) as f:
            self.assertNotIn(self.slapd.service_password, f.read())

    def test_configuration_from_a_toml_file(self):
        s = self.scenario("toml")
        s.add_people("tom")
        path = self.server.write_file("dirsync.toml", f"""
[dirsync]
server = ["{self.slapd.uri('ldap')}"]
bind_dn = "{self.slapd.service_dn}"
base_dn = "{s.base}"
user_filter = "(&(objectClass=inetOrgPerson) (mail=*))"
email_attributes = ["mail"]
delete_threshold = 20
local_part_only = true
interval = "30m"
""")
        r = self.server.cli("dirsync", "load", s.domain, path)
        self.assertIn("loaded", r.out)
        got = self.server.json("dirsync", "get", s.domain)["settings"]
        self.assertEqual(got["user_filter"], "(&(objectClass=inetOrgPerson)(mail=*))")
        self.assertEqual(got["delete_threshold"], "20")
        self.assertEqual(got["interval"], "30m")
        self.assertEqual(got["bind_password"], "(set)", "the stored password is kept")
        self.assertNotIn("page_size", got, "keys not in the file return to their defaults")
        self.assertEqual(s.report()["counts"]["created"], 1)
        bad = self.server.write_file("bad.toml", 'user_filter = "(uid=x"\n')
        self.assertCliFails("dirsync", "load", s.domain, bad, contains="user_filter")

    def test_ad_style_values(self):
        s = self.scenario("adlike", preset="active-directory", user_filter="(objectClass=adUserTest)",
                          group_filter="(objectClass=groupOfNames)")
        guid = uuid.UUID("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")
        ldif = person_ldif(s.dn("jdoe"), "jdoe", given="John", sn="Doe", extra_classes=("adUserTest",),
                           userPrincipalName="jdoe@corp.local", objectGUID=guid.bytes_le, userAccountControl="512",
                           proxyAddresses=[f"smtp:jd@{s.domain}", f"SMTP:john.doe@{s.domain}",
                                           "X500:/o=Org/ou=Exchange/cn=jdoe", "smtp:jd@not-hosted.org"],
                           department="Sales")
        ldif += person_ldif(s.dn("gone"), "gone", extra_classes=("adUserTest",), userPrincipalName="gone@corp.local",
                            objectGUID=uuid.uuid4().bytes_le, userAccountControl="514")
        self.slapd.add_ldif(ldif)
        report = s.report()
        self.assertEqual(report["outcome"], "ok", report)
        self.assertEqual(report["directory"], "LDAP")
        accounts = s.accounts()
        jdoe = accounts[s.address("jdoe")]
        self.assertEqual(sorted(jdoe["aliases"]), sorted([f"jd@{s.domain}", f"john.doe@{s.domain}"]))
        self.assertEqual(accounts[s.address("gone")]["status"], "locked", "userAccountControl 514: disabled")
        self.assertEqual(s.account(s.address("jdoe"))["attrs"]["ou"]["values"], ["Sales"])
        self.assertTrue(any("not-hosted.org" in w for w in report["warnings"]), report)
        # Enabled again in the directory: unlocked by the next run.
        self.slapd.modify_ldif(f"dn: {s.dn('gone')}\nchangetype: modify\nreplace: userAccountControl\n"
                               f"userAccountControl: 512\n\n")
        report = s.report()
        self.assertEqual(report["counts"]["unlocked"], 1, report)
        self.assertEqual(s.accounts()[s.address("gone")]["status"], "active")

    def test_new_accounts_get_the_default_privileges(self):
        self.server.cli("prov", "cc", "mobile-users", "zimbraFeatureMobileSyncEnabled", "TRUE")
        s = self.scenario("privs", default_cos="mobile-users", default_mobile_enabled="TRUE")
        s.add_people("pv")
        s.report()
        ga = s.account(s.address("pv"))
        self.assertEqual(ga["attrs"]["zimbraFeatureMobileSyncEnabled"]["values"], ["TRUE"])
        cos = self.server.json("prov", "gc", "mobile-users")
        self.assertEqual(ga["attrs"]["zimbraCOSId"]["values"], [cos["attrs"]["zimbraId"]])


if __name__ == "__main__":
    unittest.main()
