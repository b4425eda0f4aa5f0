"""Directory sync safety against a real slapd: an e-mail address beats a name made from another
user's user name (AD preset, primary_address email); a user gone from the directory is locked at
once and out of the GAL, and no login of a linked account (mobile password included, ActiveSync and
the LDAP address book) outlives its entry; a new directory identity does not inherit the account of
a gone one (conflict, `dirsync relink`, `dirsync retire`, reuse_account_of_deleted_user).

Logins go through real clients: python-ldap binds to Switchboard's LDAPS port, and the ActiveSync
client of eas_client.py sends OPTIONS over HTTPS."""
import time
import unittest
import uuid

import test_dirsync as common
from eas_client import Device
from slapd import person_ldif


def ldap_bind(server, user, password):
    """A bind to the LDAP address book as Outlook does it; returns the connection."""
    import ldap
    conn = ldap.initialize(f"ldaps://127.0.0.1:{server.ports['ldaps']}")
    conn.set_option(ldap.OPT_X_TLS_CACERTFILE, server.ca_file)
    conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
    conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    conn.set_option(ldap.OPT_REFERRALS, 0)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    conn.simple_bind_s(user, password)
    return conn


class AddressOwnershipTest(common.DirsyncCase):
    """John Doe's userPrincipalName is jdoe@corp.local, so the AD preset with primary_address email
    makes jdoe@DOMAIN an alias of his account; Jane Doe's proxyAddresses hold smtp:jdoe@DOMAIN, a
    real address. The address is Jane's, whatever the order of the entries or the runs."""

    def ad_scenario(self, name):
        return self.scenario(name, preset="active-directory", user_filter="(objectClass=adUserTest)",
                             group_filter="", primary_address="email", default_mobile_enabled="TRUE")

    def add_ad_user(self, s, uid, upn, addresses):
        self.slapd.add_ldif(person_ldif(s.dn(uid), uid, extra_classes=("adUserTest",), password=f"pw-{uid}",
                                        userPrincipalName=upn, objectGUID=uuid.uuid4().bytes_le,
                                        userAccountControl="512", proxyAddresses=addresses))

    def aliases(self, s, address):
        return sorted(s.account(address)["aliases"])

    def test_an_email_address_beats_a_user_name_in_one_run_whatever_the_entry_order(self):
        # John's DN sorts before Jane's in one domain and after it in the other.
        for name, john_uid, jane_uid in (("upnfirst", "ajohn", "jane"), ("upnlast", "zjohn", "jane")):
            with self.subTest(order=name):
                s = self.ad_scenario(name)
                self.add_ad_user(s, john_uid, "jdoe@corp.local", [f"SMTP:john.doe@{s.domain}"])
                self.add_ad_user(s, jane_uid, "jane@corp.local",
                                 [f"SMTP:jane.doe@{s.domain}", f"smtp:jdoe@{s.domain}"])
                report = s.report()
                self.assertEqual(report["counts"]["created"], 2, report)
                self.assertEqual(self.aliases(s, f"jane.doe@{s.domain}"),
                                 [f"jane@{s.domain}", f"jdoe@{s.domain}"])
                self.assertEqual(self.aliases(s, f"john.doe@{s.domain}"), [])
                self.assertTrue(any(f"jdoe@{s.domain}, made from its user name jdoe@corp.local, is an e-mail "
                                    f"address of entry {s.dn(jane_uid)}" in w for w in report["warnings"]),
                                report["warnings"])
                # The name is Jane's login too: it opens Jane's account, not John's.
                ok = self.server.cli("auth", "test", f"jdoe@{s.domain}", f"pw-{jane_uid}", "service", "EAS",
                                     check=False)
                self.assertEqual(ok.rc, 0, ok)
                self.assertIn(f"jane.doe@{s.domain}", ok.out)
                refused = self.server.cli("auth", "test", f"jdoe@{s.domain}", f"pw-{john_uid}", "service", "EAS",
                                          "client", "198.51.100.31", check=False)
                self.assertNotEqual(refused.rc, 0, refused)

    def test_a_user_name_given_earlier_moves_to_the_real_owner(self):
        s = self.ad_scenario("upnmove")
        self.add_ad_user(s, "john", "jdoe@corp.local", [f"SMTP:john.doe@{s.domain}"])
        s.report()
        self.assertEqual(self.aliases(s, f"john.doe@{s.domain}"), [f"jdoe@{s.domain}"],
                         "alone, John gets his user name as an alias")
        # Jane is hired with the address jdoe@: one run gives it to her (an incremental one here).
        self.add_ad_user(s, "jane", "jane@corp.local", [f"SMTP:jane.doe@{s.domain}", f"smtp:jdoe@{s.domain}"])
        report = s.report()
        self.assertEqual(report["counts"]["created"], 1, report)
        self.assertEqual(self.aliases(s, f"jane.doe@{s.domain}"), [f"jane@{s.domain}", f"jdoe@{s.domain}"])
        self.assertEqual(self.aliases(s, f"john.doe@{s.domain}"), [])
        self.assertEqual(report["counts"]["aliasesMoved"], 1, report)
        self.assertEqual(report["examples"]["aliases moved"],
                         [f"jdoe@{s.domain}: john.doe@{s.domain} → jane.doe@{s.domain}"])
        self.assertFalse([w for w in report["warnings"] if "belongs to another account" in w], report)
        # A full run afterwards agrees.
        report = s.report("mode", "full")
        self.assertEqual(report["counts"]["aliasesMoved"] + report["counts"]["updated"], 0, report)
        self.assertEqual(self.aliases(s, f"jane.doe@{s.domain}"), [f"jane@{s.domain}", f"jdoe@{s.domain}"])


class DepartedUserTest(common.DirsyncCase):
    """delete_out_of_scope stays FALSE (the default) in every scenario here."""

    def people(self, s, *extra):
        """Ten users, so that one leaving stays within delete_threshold 10%."""
        users = [f"{s.name[:3]}{i}" for i in range(10)] + list(extra)
        s.add_people(*users)
        return users

    def mobile_password(self, address, secret):
        self.server.cli("auth", "credential", "add", address, "password", secret, "service", "EAS")

    def eas_status(self, address, secret):
        return Device(self.server.ports["eas"], self.server.ca_file, address, secret).options()[0]

    def gal(self, conn, address):
        import ldap
        return conn.search_s("", ldap.SCOPE_SUBTREE, f"(mail={address})", ["mail"])

    def wait_gal(self, conn, address, present, limit=10.0):
        """The address book applies committed changes a moment later (debounced)."""
        deadline = time.time() + limit
        while True:
            got = self.gal(conn, address)
            if bool(got) == present:
                return
            if time.time() > deadline:
                self.fail(f"{address} {'not ' if present else ''}in the GAL after {limit} s: {got}")
            time.sleep(0.05)

    def test_a_deleted_user_loses_every_login_at_once_and_is_locked_by_the_next_run(self):
        import ldap
        s = self.scenario("departed", default_mobile_enabled="TRUE", incremental="off")
        users = self.people(s)
        s.report()
        stay, leave = s.address(users[0]), s.address(users[1])
        self.mobile_password(stay, "mobile-stay-1")
        self.mobile_password(leave, "mobile-leave-1")
        conn = ldap_bind(self.server, stay, "mobile-stay-1")
        self.assertEqual(self.eas_status(stay, "mobile-stay-1"), 200, "a user in the directory syncs")
        self.wait_gal(conn, leave, True)

        # The user is deleted in the directory; no sync runs. Every login with the mobile password
        # is refused: ActiveSync, the address book, and the check admins use.
        self.slapd.delete(s.dn(users[1]))
        self.assertEqual(self.eas_status(leave, "mobile-leave-1"), 401)
        with self.assertRaises(ldap.INVALID_CREDENTIALS):
            ldap_bind(self.server, leave, "mobile-leave-1")
        r = self.server.cli("auth", "test", leave, "mobile-leave-1", "service", "EAS", "client", "198.51.100.40",
                            check=False)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("its directory entry is gone", r.err)
        # And with the directory password (which the directory no longer knows either).
        r = self.server.cli("auth", "test", leave, f"pw-{users[1]}", "service", "IMAP", "client", "198.51.100.41",
                            check=False)
        self.assertIn("its directory entry is gone", r.err)
        self.assertEqual(self.server.cli("auth", "test", stay, "mobile-stay-1", "service", "LDAP").rc, 0)

        # The next full run locks it (delete_out_of_scope is off: kept), out of the GAL at once.
        report = s.report()
        self.assertEqual(s.accounts()[leave]["status"], "locked", report)
        self.assertEqual(report["counts"]["lockedGone"], 1, report)
        self.assertEqual(report["counts"]["lockedForRemoval"] + report["counts"]["deleted"], 0)
        self.assertEqual(report["examples"]["locked (gone from the directory)"],
                         [f"{leave} (not in the directory's user listing: deleted, or no longer matched by "
                          "user_filter)"])
        self.assertEqual(s.accounts()[leave]["status"], "locked")
        self.wait_gal(conn, leave, False)
        text = self.server.cli("dirsync", "run", s.domain).out
        self.assertIn("gone, kept locked", text)
        st = s.status()
        self.assertEqual(st["lockedGone"], 1)
        self.assertEqual(st["goneAccounts"], [leave])
        self.assertIn(f"locked, gone", self.server.cli("dirsync", "status", s.domain).out)
        with open(self.server.log_path) as f:
            log = f.read()
        self.assertIn(f"dirsync: {s.domain}: {leave}: locked: gone from the directory", log)
        self.assertIn("delete_out_of_scope is off", log)

    def test_a_disabled_user_loses_its_mobile_login(self):
        import ldap
        s = self.scenario("disabledmob", default_mobile_enabled="TRUE")
        self.people(s)
        self.slapd.add_ldif(person_ldif(s.dn("dora"), "dora", mail=s.address("dora"), password="pw-dora",
                                        extra_classes=("adUserTest",), userAccountControl="512"))
        s.report()
        self.mobile_password(s.address("dora"), "mobile-dora-1")
        self.slapd.modify_ldif(f"dn: {s.dn('dora')}\nchangetype: modify\nreplace: userAccountControl\n"
                               "userAccountControl: 514\n\n")
        self.assertEqual(self.eas_status(s.address("dora"), "mobile-dora-1"), 401)
        with self.assertRaises(ldap.INVALID_CREDENTIALS):
            ldap_bind(self.server, s.address("dora"), "mobile-dora-1")
        r = self.server.cli("auth", "test", s.address("dora"), "mobile-dora-1", "client", "198.51.100.42",
                            check=False)
        self.assertIn("is disabled", r.err)
        # Enabled again: back within a minute at most (a refusal is asked again after a minute;
        # login_check_interval 0 asks at every login).
        s.set("login_check_interval", "0")
        self.slapd.modify_ldif(f"dn: {s.dn('dora')}\nchangetype: modify\nreplace: userAccountControl\n"
                               "userAccountControl: 512\n\n")
        self.assertEqual(self.eas_status(s.address("dora"), "mobile-dora-1"), 200)

    def test_leaving_the_filter_locks_and_coming_back_unlocks_only_what_the_sync_locked(self):
        s = self.scenario("leftfilter", default_mobile_enabled="TRUE", incremental="off",
                          user_filter="(&(objectClass=inetOrgPerson)(!(description=left)))")
        users = self.people(s)
        s.report()
        mine, admins = s.address(users[2]), s.address(users[3])
        self.server.cli("prov", "ma", admins, "zimbraAccountStatus", "locked")
        for u in users[2:4]:
            self.slapd.modify_ldif(f"dn: {s.dn(u)}\nchangetype: modify\nreplace: description\ndescription: left\n\n")
        report = s.report("mode", "full")
        self.assertEqual(s.accounts()[mine]["status"], "locked")
        self.assertEqual(report["counts"]["lockedGone"], 1, "the admin's locked account needs no lock")
        self.assertEqual(report["counts"]["outOfScopeKept"], 1)
        for u in users[2:4]:
            self.slapd.modify_ldif(f"dn: {s.dn(u)}\nchangetype: modify\ndelete: description\n\n")
        report = s.report("mode", "full")
        self.assertEqual(report["counts"]["returned"], 1, report)
        self.assertEqual(report["counts"]["unlocked"], 1, report)
        accounts = s.accounts()
        self.assertEqual(accounts[mine]["status"], "active", "the sync locked it: unlocked")
        self.assertEqual(accounts[admins]["status"], "locked", "an admin locked it: stays locked")

    def test_leaving_the_synced_groups_locks_with_that_reason(self):
        s = self.scenario("leftgroup", default_mobile_enabled="TRUE", group_filter="(objectClass=groupOfNames)")
        users = self.people(s)
        s.add_group("Mail", [s.dn(u) for u in users])
        s.set("groups", "Mail")
        s.report()
        self.slapd.modify_ldif(f"dn: {s.group_dn('Mail')}\nchangetype: modify\ndelete: member\n"
                               f"member: {s.dn(users[4])}\n\n")
        report = s.report()  # the membership change makes it a full run
        self.assertEqual(report["kind"], "full", report)
        self.assertIn("group membership changed", " ".join(report["notes"]))
        self.assertEqual(s.accounts()[s.address(users[4])]["status"], "locked")
        self.assertEqual(report["examples"]["locked (gone from the directory)"],
                         [f"{s.address(users[4])} (no longer a member of the synced groups)"])

    def test_an_unreachable_directory_lets_known_users_in_for_login_offline_grace(self):
        s = self.scenario("offline", default_mobile_enabled="TRUE")
        users = self.people(s)
        s.report()
        addr = s.address(users[5])
        self.mobile_password(addr, "mobile-off-1")
        self.slapd.stop()
        try:
            # Listed by the last full run a moment ago, within login_offline_grace (4h): allowed.
            self.assertEqual(self.eas_status(addr, "mobile-off-1"), 200)
            # Without a grace, no answer means no login (a new credential: no cached login).
            s.set("login_offline_grace", "0")
            self.mobile_password(addr, "mobile-off-2")
            status = self.eas_status(addr, "mobile-off-2")
            self.assertNotEqual(status, 200)
            r = self.server.cli("auth", "test", addr, "mobile-off-2", "client", "198.51.100.43", check=False)
            self.assertIn("the directory cannot confirm its entry", r.err)
            self.assertIn("login_offline_grace 0", r.err)
        finally:
            self.slapd.start()
        with open(self.server.log_path) as f:
            self.assertIn(f"dirsync: login of {addr} allowed without the directory", f.read())
        self.assertEqual(self.eas_status(addr, "mobile-off-2"), 200)


class NewIdentityTest(common.DirsyncCase):
    """jdoe leaves; a new person is given the same uid and mail (a new entryUUID)."""

    def rehire(self, name, **settings):
        s = self.scenario(name, default_mobile_enabled="TRUE", incremental="off", **settings)
        s.add_people(*[f"{name[:3]}{i}" for i in range(10)])
        s.add_people("jdoe")
        s.report()
        old = s.account(s.address("jdoe"))
        self.server.cli("prov", "aaa", s.address("jdoe"), f"john.doe@{s.domain}")
        self.slapd.delete(s.dn("jdoe"))
        s.add_people("jdoe")  # same DN, same mail, new entryUUID, new password
        self.slapd.modify_ldif(f"dn: {s.dn('jdoe')}\nchangetype: modify\nreplace: userPassword\n"
                               "userPassword: pw-new-jdoe\n\n")
        return s, old

    def test_a_new_identity_is_a_conflict_with_the_commands_to_settle_it(self):
        s, old = self.rehire("rehire")
        addr = s.address("jdoe")
        dry = s.test().data
        report = s.report()
        r = self.server.cli("auth", "test", addr, "pw-new-jdoe", "client", "198.51.100.50", check=False)
        self.assertNotEqual(r.rc, 0, "the new person does not get into the old mailbox")
        self.assertEqual(dry["counts"]["identityConflicts"], 1, dry)
        self.assertEqual(report["counts"]["identityConflicts"], 1, report)
        self.assertEqual(report["counts"]["created"], 0)
        conflict = [c for c in report["conflicts"] if c.startswith(addr)]
        self.assertEqual(len(conflict), 1, report["conflicts"])
        self.assertIn(f"switchboard dirsync relink {addr}", conflict[0])
        self.assertIn(f"switchboard dirsync retire {addr}", conflict[0])
        self.assertIn(self.slapd.entry_uuid(s.dn("jdoe")), conflict[0])
        # The old account is the departed person's: not handed over, locked as gone.
        acc = s.account(addr)
        self.assertEqual(acc["id"], old["id"])
        self.assertEqual(acc["status"], "locked")
        text = self.server.cli("dirsync", "run", s.domain).out
        self.assertIn("new identity refused", text)
        self.assertIn(f"switchboard dirsync relink {addr}", text)

        # The admin hands it over: same account, now the new person's, unlocked by the next run.
        r = self.server.cli("dirsync", "relink", addr)
        self.assertIn(f"{addr} now follows directory entry {s.dn('jdoe')}", r.out)
        report = s.report("mode", "full")
        self.assertEqual(report["counts"]["identityConflicts"], 0, report)
        self.assertEqual(report["counts"]["unlocked"], 1, report)
        acc = s.account(addr)
        self.assertEqual((acc["id"], acc["status"]), (old["id"], "active"))
        self.assertEqual(self.server.cli("auth", "test", addr, "pw-new-jdoe").rc, 0)
        # relink refuses while the linked entry exists.
        self.assertCliFails("dirsync", "relink", addr, contains="still in the directory")

    def test_retire_starts_fresh(self):
        s, old = self.rehire("retire")
        addr = s.address("jdoe")
        s.report()
        r = self.server.cli("dirsync", "retire", addr, "as", f"jdoe.old@{s.domain}")
        self.assertIn(f"renamed to jdoe.old@{s.domain} and locked", r.out)
        accounts = s.accounts()
        self.assertNotIn(addr, accounts)
        self.assertEqual(accounts[f"jdoe.old@{s.domain}"]["status"], "locked")
        report = s.report()
        self.assertEqual(report["counts"]["created"], 1, report)
        self.assertEqual(report["counts"]["identityConflicts"], 0, report)
        new = s.account(addr)
        self.assertNotEqual(new["id"], old["id"], "a new account, a new mailbox")
        self.assertEqual(new["status"], "active")
        self.assertEqual(self.server.cli("auth", "test", addr, "pw-new-jdoe").rc, 0)
        self.assertEqual(s.account(f"jdoe.old@{s.domain}")["aliases"], [f"john.doe@{s.domain}"],
                         "an alias the admin added stays with the old account")
        # Retiring an account whose entry is still there is refused.
        self.assertCliFails("dirsync", "retire", addr, contains="still in the directory")

    def test_reuse_account_of_deleted_user_keeps_the_old_behaviour(self):
        s, old = self.rehire("reuse", reuse_account_of_deleted_user="TRUE")
        report = s.report()
        self.assertEqual(report["counts"]["identityConflicts"], 0, report)
        self.assertEqual(report["examples"]["taken over by a new identity"],
                         [f"{s.address('jdoe')} (entry {s.dn('jdoe')})"])
        acc = s.account(s.address("jdoe"))
        self.assertEqual((acc["id"], acc["status"]), (old["id"], "active"))
        self.assertEqual(self.server.cli("auth", "test", s.address("jdoe"), "pw-new-jdoe").rc, 0)


if __name__ == "__main__":
    unittest.main()
