"""Directory sync against directories that differ from the default test slapd: more users than
the size limit (paging must carry the listing past it), a server without RFC 4533 content
synchronisation (incremental runs fall back to modifyTimestamp), and no base DN configured (the
rootDSE's naming context is used)."""
import subprocess
import unittest

import test_dirsync as common
from slapd import LDAPSEARCH, person_ldif


class PagingTest(common.DirsyncCase):
    """1,300 users under ou=people,ou=big, loaded with slapadd; the size limit is 1000 for every
    identity but the root DN, so only a paged listing can see them all."""
    USERS = 1300
    slapd_options = {"size_limit": 1000}

    @classmethod
    def preload(cls, slapd):
        s = common.Scenario(cls, "big")
        ldif = cls.subtree_ldif(s) + "".join(
            person_ldif(s.dn(f"u{i:04d}"), f"u{i:04d}", mail=s.address(f"u{i:04d}")) for i in range(cls.USERS))
        slapd.load_ldif(ldif)

    def test_more_users_than_the_size_limit_are_all_synced_page_by_page(self):
        s = self.scenario("big", preloaded=True, page_size="", delete_out_of_scope="TRUE", incremental="off")
        # The service account's listing without paging stops at the size limit.
        p = subprocess.run([LDAPSEARCH, "-x", "-LLL", "-o", "ldif-wrap=no", "-H", self.slapd.uri("ldap"),
                            "-D", self.slapd.service_dn, "-w", self.slapd.service_password, "-b", s.people,
                            "(objectClass=inetOrgPerson)", "uid"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 4, f"sizeLimitExceeded (4) expected: {p.returncode} {p.stderr}")
        self.assertEqual(p.stdout.count("dn: uid="), 1000)
        self.assertNotIn("page_size", self.server.json("dirsync", "get", s.domain)["settings"],
                         "the default page size (1000)")

        report = s.report()
        self.assertEqual(report["outcome"], "ok", report)
        self.assertEqual(report["directoryCounts"]["listed"], self.USERS)
        self.assertEqual(report["directoryCounts"]["pages"], 2, "1000 + 300")
        self.assertEqual(report["counts"]["created"], self.USERS)
        accounts = s.accounts()
        self.assertEqual(len(accounts), self.USERS)
        self.assertEqual(set(accounts), {s.address(f"u{i:04d}") for i in range(self.USERS)})
        # A full run again sees every user: none is taken for removed.
        again = s.report("mode", "full")
        self.assertEqual(again["counts"]["unchanged"], self.USERS, again)
        self.assertEqual(again["counts"]["lockedForRemoval"], 0)


class WithoutContentSyncTest(common.DirsyncCase):
    """A slapd without the syncprov overlay: no RFC 4533 in its rootDSE."""
    slapd_options = {"syncprov": False}

    def test_rootdse_does_not_offer_content_synchronisation(self):
        out = self.slapd.search("", "(objectClass=*)", ("supportedControl",), scope="base")
        self.assertNotIn("1.3.6.1.4.1.4203.1.9.1.1", out)

    def test_incremental_runs_fall_back_to_modify_timestamp(self):
        s = self.scenario("nosync")  # incremental: auto
        s.add_people("n1", "n2")
        first = s.report()
        self.assertEqual(first["kind"], "full")
        self.assertEqual(first["counts"]["created"], 2)
        self.slapd.modify_ldif(f"dn: {s.dn('n2')}\nchangetype: modify\nreplace: title\ntitle: Director\n\n")
        s.add_people("n3")
        report = s.report()
        self.assertEqual(report["outcome"], "ok", report)
        self.assertEqual(report["kind"], "incremental", report)
        self.assertIn("modifyTimestamp >=", report["method"])
        self.assertNotIn("RFC 4533", report["method"])
        self.assertEqual(report["counts"]["created"], 1, report)
        self.assertEqual(report["counts"]["updated"], 1, report)
        self.assertEqual(s.account(s.address("n2"))["attrs"]["title"]["values"], ["Director"])
        self.assertIn(s.address("n3"), s.accounts())
        st = s.status()
        self.assertEqual(st["lastRun"]["kind"], "incremental")
        self.assertIn("modifyTimestamp >=", st["lastRun"]["method"])
        text = self.server.cli("dirsync", "status", s.domain).out
        self.assertRegex(text, r"method:?\s+modifyTimestamp >=")
        # Asking for RFC 4533 explicitly: the run says the server lacks it and runs in full.
        s.set("incremental", "sync")
        report = s.report("mode", "incremental")
        self.assertEqual(report["kind"], "full", report)
        self.assertTrue(any("does not offer RFC 4533" in n for n in report["notes"]), report)

    def test_empty_base_dn_uses_the_naming_context_of_the_root_dse(self):
        # Only this scenario's users match the filter, wherever the search starts.
        s = self.scenario("rootdse", base_dn="", user_filter="(&(objectClass=inetOrgPerson)(mail=*@rootdse.test))")
        self.assertNotIn("base_dn", self.server.json("dirsync", "get", s.domain)["settings"])
        s.add_people("r1", "r2")
        report = s.report()
        self.assertEqual(report["outcome"], "ok", report)
        self.assertEqual(report["base"], self.slapd.suffix)
        self.assertEqual(report["counts"]["created"], 2)
        self.assertEqual(set(s.accounts()), {s.address("r1"), s.address("r2")})
        self.assertEqual(s.status()["lastRun"]["base"], self.slapd.suffix)


if __name__ == "__main__":
    unittest.main()
