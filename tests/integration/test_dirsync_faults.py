"""Directory sync when things go wrong: an unreachable server, a bad filter, a filter the directory
refuses or cannot match, a wrong bind password, an entry missing an attribute, a directory stopped
in the middle of a run, a hung directory. Each gives a clear error in dirsync test/run/status,
naming the domain, the server and the reason, and changes nothing: the tests start from a synced
domain with directory changes waiting, so a run that went ahead would show."""
import socket
import time
import unittest

import test_dirsync as common
from slapd import CuttingProxy, entry_ldif


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Primed:
    """Fault tests start from a synced domain with directory changes waiting."""

    def primed(self, name, group=False, **settings):
        """A synced domain (pa..pd) with directory changes waiting, so that a run that went ahead
        despite a fault would visibly change accounts: pa's display name modified (update), pb
        deleted (lock for removal, 1 of 4 is within the threshold), pe added (create). With
        `group`, the scope is the members of group Staff and pe is added to it."""
        keys = {"delete_out_of_scope": "TRUE", "delete_threshold": "50", "delete_grace_period": "0",
                "incremental": "off"}
        if group:
            keys.update(group_filter="(objectClass=groupOfNames)")
        keys.update(settings)
        s = self.scenario(name, **keys)
        s.add_people("pa", "pb", "pc", "pd")
        if group:
            s.add_group("Staff", [s.dn(u) for u in ("pa", "pb", "pc", "pd")])
            s.set("groups", "Staff")
        self.assertEqual(s.report()["counts"]["created"], 4)
        self.slapd.modify_ldif(f"dn: {s.dn('pa')}\nchangetype: modify\nreplace: displayName\n"
                               "displayName: Pa Renamed\n\n")
        self.slapd.delete(s.dn("pb"))
        s.add_people("pe")
        if group:
            self.slapd.modify_ldif(f"dn: {s.group_dn('Staff')}\nchangetype: modify\nadd: member\n"
                                   f"member: {s.dn('pe')}\n\n")
        return s

    def snapshot(self, s):
        """Every account of the domain as `prov gaa` lists it, with its effective attributes."""
        return {name: (a, s.account(name)["attrs"]) for name, a in s.accounts().items()}

    def assertPendingChangesApply(self, s):
        """Once the fault is gone, a run makes the waiting changes: the fault was all that held them."""
        report = s.report()
        c = report["counts"]
        self.assertEqual((c["created"], c["updated"], c["lockedForRemoval"]), (1, 1, 1), report)
        accounts = s.accounts()
        self.assertEqual(accounts[s.address("pb")]["status"], "locked")
        self.assertIn(s.address("pe"), accounts)
        self.assertEqual(s.account(s.address("pa"))["attrs"]["displayName"]["values"], ["Pa Renamed"])

    def assertFailsEverywhere(self, s, *needles):
        """dirsync test and run fail with the needles in the message; status shows the reason."""
        before = self.snapshot(s)
        self.assertEqual(len(before), 4, "a primed domain")
        synced_before = s.status()["syncedAccounts"]
        for verb in ("test", "run"):
            r = self.server.cli("dirsync", verb, s.domain, check=False)
            self.assertNotEqual(r.rc, 0, f"{verb}: {r}")
            for n in (s.domain, *needles):
                self.assertIn(n.lower(), r.err.lower(), f"{verb}: {r}")
        self.assertEqual(self.snapshot(s), before, "nothing changed")
        st = s.status()
        self.assertEqual(st["syncedAccounts"], synced_before)
        self.assertEqual(st["lockedForRemoval"], 0)
        self.assertEqual(st["lastRun"]["outcome"], "failed")
        for n in needles:
            self.assertIn(n.lower(), st["lastRun"]["error"].lower())
        text = self.server.cli("dirsync", "status", s.domain).out
        self.assertIn("failed", text)
        return st


class FaultTest(Primed, common.DirsyncCase):
    def test_unreachable_server(self):
        port = closed_port()
        s = self.primed("unreachable")
        s.set("server", f"127.0.0.1:{port}")
        self.assertFailsEverywhere(s, f"ldap://127.0.0.1:{port}", "no directory server answered", "nothing was changed")
        s.set("server", self.slapd.uri("ldap"))
        self.assertPendingChangesApply(s)

    def test_failover_to_the_next_server(self):
        port = closed_port()
        s = self.scenario("failover", server=f"127.0.0.1:{port} {self.slapd.uri('ldap')}")
        s.add_people("fa")
        report = s.report()
        self.assertEqual(report["server"], self.slapd.uri("ldap"))
        self.assertEqual(report["counts"]["created"], 1)

    def test_wrong_bind_password(self):
        s = self.primed("badbind")
        wrong = "Wr0ng-Bind-Secret-4711"
        s.set("bind_password", wrong)
        self.assertFailsEverywhere(s, "invalid credentials (49)", self.slapd.service_dn)
        # Neither the wrong password nor the right one shows in any output or the log.
        outputs = [self.server.cli("dirsync", verb, s.domain, *args, check=False, json_out=j)
                   for verb, args in (("test", ()), ("run", ()), ("status", ()), ("history", ()), ("get", ()),
                                      ("show", ()))
                   for j in (False, True)]
        for r in outputs:
            for secret in (wrong, self.slapd.service_password):
                self.assertNotIn(secret, r.out + r.err, r)
        with open(self.server.log_path) as f:
            log = f.read()
        self.assertIn(f"dirsync: {s.domain}", log, "the failed runs are logged")
        for secret in (wrong, self.slapd.service_password):
            self.assertNotIn(secret, log)
        s.set("bind_password", self.slapd.service_password)
        self.assertPendingChangesApply(s)

    def test_empty_bind_password_is_refused_before_any_bind(self):
        s = self.scenario("nopass")
        s.set("bind_password", "")
        r = s.test(check=False)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("anonymous bind", r.err)

    def test_bad_filter_is_refused_when_set(self):
        s = self.scenario("badfilter")
        r = self.assertCliFails("dirsync", "set", s.domain, "user_filter", "(&(objectClass=person)(uid=x)",
                                contains=("user_filter", "missing ')'"))
        self.assertIn("position", r.err)
        self.assertEqual(self.server.json("dirsync", "get", s.domain, "user_filter")["settings"]["user_filter"],
                         "(objectClass=inetOrgPerson)", "the old value stays")

    def test_filter_naming_an_attribute_the_directory_does_not_know(self):
        # The filter is well formed, so it is accepted when set; slapd takes a filter on an unknown
        # attribute as Undefined and answers with no entry and no error. Removing every account
        # is far past the threshold: test and run say so and change nothing.
        s = self.primed("unknownattr")
        before = self.snapshot(s)
        s.set("user_filter", "(&(objectClass=inetOrgPerson)(departmentNumbr=42))")
        dry = s.test().data
        self.assertEqual(dry["directoryCounts"]["listed"], 0, dry)
        self.assertIn("a real run would stop", dry["error"])
        self.assertIn("would remove 4 of the 4 synced accounts", dry["error"])
        # The report points at the likely cause even where no removal would stop the run.
        self.assertTrue(any("matched no entry" in w and "departmentNumbr" in w for w in dry["warnings"]),
                        dry["warnings"])
        r = s.run(check=False)
        self.assertNotEqual(r.rc, 0, r)
        for needle in (s.domain, "would remove 4 of the 4 synced accounts", "check the filters",
                       "nothing was changed"):
            self.assertIn(needle.lower(), r.err.lower(), r)
        self.assertEqual(self.snapshot(s), before)
        st = s.status()
        self.assertEqual(st["lastRun"]["outcome"], "stopped")
        self.assertEqual(st["lockedForRemoval"], 0)
        self.assertIn("would remove 4 of the 4", self.server.cli("dirsync", "status", s.domain).out)
        s.set("user_filter", "(objectClass=inetOrgPerson)")
        self.assertPendingChangesApply(s)

    def test_missing_base_dn(self):
        s = self.primed("nobase")
        s.set("base_dn", "ou=nosuch,dc=example,dc=com")
        self.assertFailsEverywhere(s, "base dn ou=nosuch,dc=example,dc=com does not exist")
        s.set("base_dn", s.base)
        self.assertPendingChangesApply(s)

    def test_an_entry_missing_the_user_name_attribute(self):
        s = self.primed("noattr", user_name_attribute="mail")
        self.slapd.add_ldif(entry_ldif(s.dn("nomail"), {"objectClass": "inetOrgPerson", "uid": "nomail",
                                                       "cn": "No Mail", "sn": "Mail"}))
        self.assertFailsEverywhere(s, s.dn("nomail"), "has no mail")
        # Skipping the entry syncs the others but removes nothing.
        s.set("on_entry_error", "skip")
        report = s.report()
        self.assertEqual(report["outcome"], "ok with errors")
        self.assertEqual(report["directoryCounts"]["entryErrors"], 1)
        self.assertIn("could not be read", report["removalsSkipped"])
        c = report["counts"]
        self.assertEqual((c["created"], c["updated"], c["lockedForRemoval"]), (1, 1, 0), report)
        self.assertEqual(s.accounts()[s.address("pb")]["status"], "active", "nothing removed")

    def test_directory_stopped_in_the_middle_of_a_run_deletes_nothing(self):
        s = self.scenario("midrun", delete_out_of_scope="TRUE", delete_threshold="100", delete_grace_period="0")
        s.add_people(*[f"m{i:02d}" for i in range(30)])
        self.assertEqual(s.report()["counts"]["created"], 30)
        # The next run reads through a proxy that stops slapd after a few entries of the listing.
        proxy = CuttingProxy(self.slapd.ports["ldap"], cut_after=8, on_cut=self.slapd.stop)
        try:
            s.set("server", f"127.0.0.1:{proxy.port}", "incremental", "off")
            r = s.run(check=False)
            self.assertTrue(proxy.cut.is_set(), "the proxy cut the listing")
            self.assertNotEqual(r.rc, 0, r)
            self.assertIn(f"127.0.0.1:{proxy.port}", r.err)
            self.assertIn("nothing was changed", r.err)
            accounts = s.accounts()
            self.assertEqual(len(accounts), 30)
            self.assertTrue(all(a["status"] == "active" for a in accounts.values()), "nothing locked or deleted")
            st = s.status()
            self.assertEqual(st["lastRun"]["outcome"], "failed")
            self.assertEqual(st["lockedForRemoval"], 0)
        finally:
            proxy.close()
            self.slapd.start()
        s.set("server", self.slapd.uri("ldap"))
        self.assertEqual(s.report()["counts"]["unchanged"], 30)

    def test_a_hung_directory_times_out(self):
        s = self.primed("hung", search_timeout="2s", network_timeout="2s")
        before = self.snapshot(s)
        self.slapd.pause()
        try:
            started = time.time()
            r = s.run(check=False)
            took = time.time() - started
        finally:
            self.slapd.resume()
        self.assertNotEqual(r.rc, 0, r)
        self.assertLess(took, 15, "every network call is bounded")
        self.assertIn("nothing was changed", r.err)
        self.assertEqual(self.snapshot(s), before)
        self.assertEqual(s.status()["lastRun"]["outcome"], "failed")
        self.assertPendingChangesApply(s)

    def test_unknown_group_name_stops_instead_of_removing_everyone(self):
        s = self.primed("nogroup", group=True, delete_threshold="100")
        s.set("groups", "MailStore Users")
        self.assertFailsEverywhere(s, "group 'mailstore users'")
        s.set("groups", "Staff")
        self.assertPendingChangesApply(s)

    def test_one_run_at_a_time_per_domain(self):
        # The scheduler starts a run against a hung directory; an admin's run meanwhile is refused.
        s = self.scenario("busy", search_timeout="4s", network_timeout="4s")
        s.add_people("b1")
        self.slapd.pause()
        try:
            s.set("enabled", "TRUE", "interval", "1h")
            deadline = time.time() + 5
            while time.time() < deadline and not s.status()["running"]:
                time.sleep(0.05)
            self.assertTrue(s.status()["running"], "the scheduler's run is shown as running")
            self.assertEqual(s.status()["running"]["trigger"], "schedule")
            second = s.run(check=False)
        finally:
            self.slapd.resume()
            s.set("enabled", "FALSE")
        self.assertNotEqual(second.rc, 0)
        self.assertIn("in progress", second.err)
        self.assertIn("by schedule", second.err)


class ServerRefusesTheFilterTest(Primed, common.DirsyncCase):
    """A directory that refuses searches it cannot answer from an index (slapd's unchecked limit
    for the service account, as large directories are set up): a well-formed filter on an
    unindexed attribute is refused by the server, not by Switchboard."""
    slapd_options = {"extra_config": 'limits dn.exact="cn=switchboard,ou=services,dc=example,dc=com" '
                                     "size.unchecked=8"}

    def test_a_filter_the_server_refuses(self):
        s = self.primed("refused")  # (objectClass=inetOrgPerson) is indexed: 5 candidates
        s.set("user_filter", "(|(objectClass=inetOrgPerson)(description=staff))")
        st = self.assertFailsEverywhere(s, "administrative limit exceeded (11)", self.slapd.uri("ldap"),
                                        "nothing was changed")
        self.assertIn("user", st["lastRun"]["error"].lower())
        s.set("user_filter", "(objectClass=inetOrgPerson)")
        self.assertPendingChangesApply(s)


if __name__ == "__main__":
    unittest.main()
