"""Directory sync when things go wrong: an unreachable server, a bad filter, a wrong bind
password, an entry missing an attribute, a directory stopped in the middle of a run, a hung
directory. Each gives a clear error in dirsync test/run/status, naming the domain, the server and
the reason, and changes nothing."""
import socket
import time
import unittest

import test_dirsync as common
from slapd import CuttingProxy, entry_ldif


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FaultTest(common.DirsyncCase):
    def assertNothingChanged(self, s, before):
        self.assertEqual(s.accounts(), before)

    def assertFailsEverywhere(self, s, *needles):
        """dirsync test and run fail with the needles in the message; status shows the reason."""
        before = s.accounts()
        for verb in ("test", "run"):
            r = self.server.cli("dirsync", verb, s.domain, check=False)
            self.assertNotEqual(r.rc, 0, f"{verb}: {r}")
            for n in (s.domain, *needles):
                self.assertIn(n.lower(), r.err.lower(), f"{verb}: {r}")
        self.assertNothingChanged(s, before)
        st = s.status()
        self.assertEqual(st["lastRun"]["outcome"], "failed")
        for n in needles:
            self.assertIn(n.lower(), st["lastRun"]["error"].lower())
        text = self.server.cli("dirsync", "status", s.domain).out
        self.assertIn("failed", text)
        return st

    def test_unreachable_server(self):
        port = closed_port()
        s = self.scenario("unreachable", server=f"127.0.0.1:{port}")
        self.assertFailsEverywhere(s, f"ldap://127.0.0.1:{port}", "no directory server answered", "nothing was changed")

    def test_failover_to_the_next_server(self):
        port = closed_port()
        s = self.scenario("failover", server=f"127.0.0.1:{port} {self.slapd.uri('ldap')}")
        s.add_people("fa")
        report = s.report()
        self.assertEqual(report["server"], self.slapd.uri("ldap"))
        self.assertEqual(report["counts"]["created"], 1)

    def test_wrong_bind_password(self):
        s = self.scenario("badbind")
        s.add_people("bb")
        s.report()
        s.set("bind_password", "not-the-password")
        self.assertFailsEverywhere(s, "invalid credentials (49)", self.slapd.service_dn)

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

    def test_missing_base_dn(self):
        s = self.scenario("nobase", base_dn="ou=nosuch,dc=example,dc=com")
        self.assertFailsEverywhere(s, "base dn ou=nosuch,dc=example,dc=com does not exist")

    def test_an_entry_missing_the_user_name_attribute(self):
        s = self.scenario("noattr", user_name_attribute="mail", delete_out_of_scope="TRUE", delete_threshold="100",
                          incremental="off")
        s.add_people("na1", "na2")
        s.report()
        self.slapd.add_ldif(entry_ldif(s.dn("nomail"), {"objectClass": "inetOrgPerson", "uid": "nomail",
                                                       "cn": "No Mail", "sn": "Mail"}))
        self.slapd.delete(s.dn("na2"))
        st = self.assertFailsEverywhere(s, s.dn("nomail"), "has no mail")
        self.assertEqual(s.accounts()[s.address("na2")]["status"], "active", "nothing removed")
        # Skipping the entry syncs the others but removes nothing.
        s.set("on_entry_error", "skip")
        report = s.report()
        self.assertEqual(report["outcome"], "ok with errors")
        self.assertEqual(report["directoryCounts"]["entryErrors"], 1)
        self.assertIn("could not be read", report["removalsSkipped"])
        self.assertEqual(s.accounts()[s.address("na2")]["status"], "active")

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
        s = self.scenario("hung", search_timeout="2s", network_timeout="2s")
        s.add_people("h1")
        s.report()
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

    def test_unknown_group_name_stops_instead_of_removing_everyone(self):
        s = self.scenario("nogroup", group_filter="(objectClass=groupOfNames)", delete_out_of_scope="TRUE",
                          delete_threshold="100")
        s.add_people("g1")
        s.add_group("Staff", [s.dn("g1")])
        s.set("groups", "Staff")
        s.report()
        s.set("groups", "MailStore Users")
        self.assertFailsEverywhere(s, "group 'mailstore users'")
        self.assertEqual(s.accounts()[s.address("g1")]["status"], "active")

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


if __name__ == "__main__":
    unittest.main()
