"""Real clients against the real server: ldapsearch/ldapwhoami/ldapcompare (LDAPS with the
generated CA, and StartTLS with -ZZ), python3-ldap3 (paged search), python-ldap (server-side
sort, virtual list view by offset and by value), a byte-exact Outlook name resolution with 4-byte
lengths over a raw TLS socket, Thunderbird's infix filter, macOS Contacts filters."""
import subprocess
import time
import unittest

from test_ldap_fixture import (BASE, PASSWORD, LdapTestCase, children, read_messages, result_code,
                               simple_bind)

GAL = "ou=InternalGAL/example.com," + BASE


class LdapClientsTest(LdapTestCase):
    def server_log(self):
        with open(self.world.server.log_path, errors="replace") as f:
            return f.read()

    def alice(self, **kw):
        return self.search(user="alice@example.com", **kw)

    # ---- bind --------------------------------------------------------------------------------

    def test_ldapsearch_over_ldaps_sees_own_folders_gal_and_published(self):
        rc, entries, err = self.alice(filt="(mail=*)", attrs=["cn", "mail", "ou"])
        self.assertEqual(rc, 0, err)
        names = self.names(entries)
        for n in ("Grace Hopper", "Alan Turing", "Sam Supplier",  # own /Contacts, /Contacts/Suppliers
                  "Alice Anderson", "Bob Brown", "Carol Clark",   # GAL of example.com
                  "Paula Partner"):                                # published by Bob
            self.assertIn(n, names)
        for n in ("Secret Friend", "Dave Davis", "Olga Other", "Erin Evans", "Frank Fisher"):
            self.assertNotIn(n, names)
        ous = {a["cn"][0]: a["ou"][0] for _, a in entries}
        self.assertEqual(ous["Grace Hopper"], "/Contacts")
        self.assertEqual(ous["Sam Supplier"], "/Contacts/Suppliers")
        self.assertEqual(ous["Bob Brown"], "InternalGAL/example.com")
        self.assertEqual(ous["Paula Partner"], "Bob Brown/Partners")

    def test_starttls_with_ZZ_on_the_plain_port(self):
        rc, entries, err = self.alice(url=self.world.ldap_url, starttls=True, filt="(sn=Hopper)", attrs=["cn"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.names(entries), ["Grace Hopper"])

    def test_bind_with_alias_and_with_own_dn(self):
        rc, entries, err = self.search(user="ali@example.com", filt="(sn=Hopper)", attrs=["cn"])
        self.assertEqual((rc, self.names(entries)), (0, ["Grace Hopper"]), err)
        dn = "uid=alice@example.com," + GAL
        rc, entries, err = self.search(user=dn, filt="(sn=Hopper)", attrs=["cn"])
        self.assertEqual((rc, self.names(entries)), (0, ["Grace Hopper"]), err)

    def test_wrong_password_and_disabled_accounts_are_invalid_credentials_with_reason_logged(self):
        cases = [("alice@example.com", "wrong", "wrong password for alice@example.com"),
                 ("carol@example.com", PASSWORD, "carol@example.com does not have mobile sync enabled"),
                 ("frank@example.com", PASSWORD, "account frank@example.com is locked"),
                 ("nobody@example.com", PASSWORD, "no account or alias named 'nobody@example.com'"),
                 ("uid=bob@example.com,ou=Elsewhere," + BASE, PASSWORD, "is not an account entry")]
        for user, password, reason in cases:
            rc, _, err = self.search(user=user, password=password, base=BASE, scope="base", check=False)
            self.assertEqual(rc, 49, f"{user}: {err}")  # invalidCredentials, whatever the reason
            self.assertNotIn(reason, err)               # the client is not told why
            deadline = time.time() + 5
            while reason not in self.server_log() and time.time() < deadline:
                time.sleep(0.1)
            log = self.server_log()
            line = next((l for l in log.splitlines() if reason in l), "")
            self.assertIn(reason, log)
            self.assertIn("127.0.0.1", line)  # the client address is in the same line

    def test_mobile_password_replaces_the_account_password(self):
        self.world.cli("prov", "ca", "mia@example.com", PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
        r = self.world.server.json("auth", "credential", "add", "mia@example.com", "password", "Mobile-Only-9")
        self.assertTrue(r)
        rc, _, err = self.search(user="mia@example.com", password="Mobile-Only-9", base=BASE, scope="base")
        self.assertEqual(rc, 0, err)
        rc, _, err = self.search(user="mia@example.com", password=PASSWORD, base=BASE, scope="base", check=False)
        self.assertEqual(rc, 49, err)

    def test_whoami_and_compare(self):
        env = self.world.env()
        p = subprocess.run(["/usr/bin/ldapwhoami", "-x", "-H", self.world.ldaps_url, "-D", "alice@example.com",
                            "-w", PASSWORD], capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "dn:uid=alice@example.com," + GAL)
        base = ["/usr/bin/ldapcompare", "-x", "-H", self.world.ldaps_url, "-D", "alice@example.com", "-w", PASSWORD]
        p = subprocess.run(base + ["uid=bob@example.com," + GAL, "sn:brown"], capture_output=True, text=True,
                           env=env, timeout=30)
        self.assertEqual((p.returncode, p.stdout.strip()), (6, "TRUE"), p.stderr)  # compareTrue
        p = subprocess.run(base + ["uid=bob@example.com," + GAL, "sn:Smith"], capture_output=True, text=True,
                           env=env, timeout=30)
        self.assertEqual((p.returncode, p.stdout.strip()), (5, "FALSE"), p.stderr)
        p = subprocess.run(base + ["uid=bob@example.com," + GAL, "nosuchattr:x"], capture_output=True, text=True,
                           env=env, timeout=30)
        self.assertEqual(p.returncode, 17, p.stderr)  # undefinedAttributeType

    # ---- python clients ------------------------------------------------------------------------

    def test_ldap3_paged_search(self):
        import ldap3
        tls = ldap3.Tls(ca_certs_file=self.world.server.ca_file, validate=2)
        srv = ldap3.Server("127.0.0.1", port=self.world.server.ports["ldaps"], use_ssl=True, tls=tls)
        conn = ldap3.Connection(srv, user="alice@example.com", password=PASSWORD, auto_bind=True)
        seen, cookie, pages = [], None, 0
        while True:
            conn.search(BASE, "(objectClass=inetOrgPerson)", attributes=["cn", "mail"], paged_size=2,
                        paged_cookie=cookie)
            pages += 1
            seen += [str(e.entry_dn) for e in conn.entries]
            cookie = conn.result["controls"]["1.2.840.113556.1.4.319"]["value"]["cookie"]
            if not cookie:
                break
        conn.unbind()
        self.assertEqual(len(seen), len(set(seen)))
        rc, everything, _ = self.search(user="alice@example.com", base=BASE, filt="(objectClass=inetOrgPerson)",
                                        attrs=["1.1"])
        self.assertEqual(sorted(seen), sorted(dn for dn, _ in everything))
        self.assertEqual(pages, (len(everything) + 1) // 2)

    def sorted_vlv(self, conn, before, after, offset=None, count=0, value=None):
        import ldap
        from ldap.controls.sss import SSSRequestControl
        from ldap.controls.vlv import VLVRequestControl, VLVResponseControl
        ctrls = [SSSRequestControl(criticality=True, ordering_rules=["displayName"]),
                 VLVRequestControl(criticality=True, before_count=before, after_count=after, offset=offset,
                                   content_count=count if offset is not None else None,
                                   greater_than_or_equal=value)]
        msgid = conn.search_ext("", ldap.SCOPE_SUBTREE, "(mail=*)", ["displayName"], serverctrls=ctrls)
        _, data, _, resp = conn.result3(msgid, resp_ctrl_classes={VLVResponseControl.controlType: VLVResponseControl})
        vlv = next(c for c in resp if c.controlType == VLVResponseControl.controlType)
        return [a["displayName"][0].decode() for _, a in data], vlv

    def test_python_ldap_server_side_sort(self):
        import ldap
        from ldap.controls.sss import SSSRequestControl
        conn = self.world.python_ldap()
        msgid = conn.search_ext("", ldap.SCOPE_SUBTREE, "(mail=*)", ["displayName"],
                                serverctrls=[SSSRequestControl(criticality=True, ordering_rules=["-cn"])])
        _, data, _, _ = conn.result3(msgid)
        names = [a["displayName"][0].decode() for _, a in data]
        self.assertEqual(names, sorted(names, key=str.lower, reverse=True))
        self.assertGreaterEqual(len(names), 8)

    def test_python_ldap_vlv_by_offset_and_by_value(self):
        conn = self.world.python_ldap()
        window, vlv = self.sorted_vlv(conn, 0, 3, offset=1, count=0)
        everything, _ = self.sorted_vlv(conn, 0, 1000, offset=1, count=0)
        self.assertEqual(everything, sorted(everything, key=str.lower))
        self.assertEqual(window, everything[:4])
        self.assertEqual((vlv.targetPosition, vlv.contentCount), (1, len(everything)))
        middle, vlv = self.sorted_vlv(conn, 1, 1, offset=3, count=0)
        self.assertEqual(middle, everything[1:4])
        by_value, vlv = self.sorted_vlv(conn, 1, 2, value=b"c")
        first_c = next(i for i, n in enumerate(everything) if n.lower() >= "c")
        self.assertEqual(vlv.targetPosition, first_c + 1)
        self.assertEqual(by_value, everything[first_c - 1:first_c + 3])

    def test_outlook_browse_window_with_enable_browsing_controls(self):
        conn = self.world.python_ldap()
        window, vlv = self.sorted_vlv(conn, 0, 49, offset=1, count=0)
        self.assertEqual(vlv.targetPosition, 1)
        self.assertEqual(len(window), min(50, vlv.contentCount))

    # ---- Outlook, byte for byte ----------------------------------------------------------------

    # Outlook's name resolution as captured: every length in the 4-byte form, base "" subtree,
    # sizeLimit 100, timeLimit 60, the default filter for "abc" and Outlook's attribute list.
    OUTLOOK_SEARCH = bytes.fromhex(
        "30 84 00 00 01 a1 02 84 00 00 00 01 02 63 84 00 00 01 94 04 84 00 00 00 "
        "00 0a 84 00 00 00 01 02 0a 84 00 00 00 01 00 02 84 00 00 00 01 64 02 84 "
        "00 00 00 01 3c 01 84 00 00 00 01 00 a0 84 00 00 00 99 87 84 00 00 00 04 "
        "6d 61 69 6c a1 84 00 00 00 89 a4 84 00 00 00 19 04 84 00 00 00 04 6d 61 "
        "69 6c 30 84 00 00 00 09 80 84 00 00 00 03 61 62 63 a1 84 00 00 00 64 a4 "
        "84 00 00 00 17 04 84 00 00 00 02 63 6e 30 84 00 00 00 09 80 84 00 00 00 "
        "03 61 62 63 a1 84 00 00 00 41 a4 84 00 00 00 17 04 84 00 00 00 02 73 6e "
        "30 84 00 00 00 09 80 84 00 00 00 03 61 62 63 a4 84 00 00 00 1e 04 84 00 "
        "00 00 09 67 69 76 65 6e 4e 61 6d 65 30 84 00 00 00 09 80 84 00 00 00 03 "
        "61 62 63 30 84 00 00 00 c6 04 84 00 00 00 0c 64 69 73 70 6c 61 79 2d 6e "
        "61 6d 65 04 84 00 00 00 02 63 6e 04 84 00 00 00 0a 63 6f 6d 6d 6f 6e 4e "
        "61 6d 65 04 84 00 00 00 04 6d 61 69 6c 04 84 00 00 00 09 67 69 76 65 6e "
        "4e 61 6d 65 04 84 00 00 00 02 73 6e 04 84 00 00 00 07 73 75 72 6e 61 6d "
        "65 04 84 00 00 00 0f 74 65 6c 65 70 68 6f 6e 65 4e 75 6d 62 65 72 04 84 "
        "00 00 00 05 74 69 74 6c 65 04 84 00 00 00 0a 64 65 70 61 72 74 6d 65 6e "
        "74 04 84 00 00 00 07 63 6f 6d 70 61 6e 79 04 84 00 00 00 1a 70 68 79 73 "
        "69 63 61 6c 44 65 6c 69 76 65 72 79 4f 66 66 69 63 65 4e 61 6d 65 04 84 "
        "00 00 00 0b 6f 62 6a 65 63 74 43 6c 61 73 73")

    def test_outlook_name_resolution_replayed_byte_for_byte(self):
        for chunked in (False, True):
            with self.world.tls_socket() as s:
                s.sendall(simple_bind(1, "alice@example.com", PASSWORD, long_form=True))
                msgs = read_messages(s, until_tag=0x61)
                self.assertEqual(result_code(msgs[-1][2]), 0)
                if chunked:  # the request split into tiny writes
                    for i in range(0, len(self.OUTLOOK_SEARCH), 7):
                        s.sendall(self.OUTLOOK_SEARCH[i:i + 7])
                        time.sleep(0.001)
                else:
                    s.sendall(self.OUTLOOK_SEARCH)
                msgs = read_messages(s, until_tag=0x65)
                self.assertEqual(msgs[-1][0], 2)
                self.assertEqual(result_code(msgs[-1][2]), 0)
                entries = [m for m in msgs if m[1] == 0x64]
                self.assertEqual(len(entries), 1)
                dn = children(entries[0][2])[0][1].decode()
                self.assertEqual(dn, "uid=abc.person@example.com," + GAL)
                attrs = {children(a)[0][1].decode(): [v.decode() for _, v in children(children(a)[1][1])]
                         for _, a in children(children(entries[0][2])[1][1])}
                self.assertEqual(attrs["display-name"], ["Abcde Person"])
                self.assertEqual(attrs["mail"], ["abc.person@example.com"])
                self.assertEqual(attrs["physicalDeliveryOfficeName"], ["InternalGAL/example.com"])
                self.assertNotIn("commonName", attrs)  # cn was asked first: returned once, as cn
                self.assertIn("inetOrgPerson", attrs["objectClass"])

    # ---- Thunderbird and macOS -------------------------------------------------------------------

    def test_thunderbird_infix_autocomplete(self):
        conn = self.world.python_ldap()
        import ldap
        filt = "(|(cn=*nders*)(mail=*nders*)(givenName=*nders*)(sn=*nders*))"
        msgid = conn.search_ext("", ldap.SCOPE_SUBTREE, filt, ["cn", "mail"], sizelimit=100)
        _, data = conn.result(msgid)
        self.assertEqual([a["cn"][0].decode() for _, a in data], ["Alice Anderson"])
        # Typing on: Thunderbird abandons the previous search and starts the next. (python-ldap drops
        # late replies itself; that the server stops is checked on the wire in test_ldap_abandon.)
        m1 = conn.search_ext("", ldap.SCOPE_SUBTREE, "(|(cn=*a*)(mail=*a*))", ["cn"], sizelimit=100)
        conn.abandon(m1)
        m2 = conn.search_ext("", ldap.SCOPE_SUBTREE, "(|(cn=*ane*)(mail=*ane*))", ["cn"], sizelimit=100)
        _, data = conn.result(m2)
        self.assertEqual(len(data), 0)
        msgid = conn.search_ext("", ldap.SCOPE_SUBTREE, "(|(cn=*o*)(mail=*o*))", ["cn"], sizelimit=2)
        with self.assertRaises(ldap.SIZELIMIT_EXCEEDED):
            conn.result(msgid)

    def test_macos_contacts_filters(self):
        filt = ("(&(|(objectClass=inetOrgPerson)(objectClass=person)(objectClass=apple-user))"
                "(|(givenName=Gr*)(sn=Gr*)(cn=Gr*)(mail=Gr*)))")
        rc, entries, err = self.alice(filt=filt, attrs=["givenName", "sn", "cn", "mail", "telephoneNumber", "o"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.names(entries), ["Grace Hopper"])
        self.assertEqual(entries[0][1]["o"], ["US Navy"])
        # sizeLimit 1 is answered with success, not sizeLimitExceeded.
        rc, entries, err = self.alice(filt="(|(cn=A*)(sn=A*))", extra=["-z", "1"])
        self.assertEqual((rc, len(entries)), (0, 1), err)
        rc, entries, err = self.alice(filt="(|(cn=A*)(sn=A*))", extra=["-z", "2"], check=False)
        self.assertEqual((rc, len(entries)), (4, 2), err)

    def test_attribute_aliases_and_options(self):
        rc, entries, err = self.alice(filt="(surname=Hopper)", attrs=["commonName", "company", "surname"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(entries[0][1], {"commonname": ["Grace Hopper"], "company": ["US Navy"],
                                         "surname": ["Hopper"]})
        rc, entries, err = self.alice(filt="(cn;lang-en=Grace Hopper)")
        self.assertEqual((rc, entries), (0, []), err)


if __name__ == "__main__":
    unittest.main()
