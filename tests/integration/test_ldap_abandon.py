"""Abandon (RFC 4511 4.11) over a raw socket: a client that abandons a long search stops receiving
its entries and never gets its SearchResultDone, and the next request on the same connection is
answered. The GAL holds many people (imported LDIF) so that one search is far larger than what the
socket buffers can hold while the client reads slowly."""
import os
import socket
import ssl
import time
import unittest

from harness import gen_people_ldif
from test_ldap_badinput import read_until_closed, search_request
from test_ldap_fixture import BASE, PASSWORD, LdapTestCase, ber_int, read_messages, result_code, simple_bind, tlv

PEOPLE = 30000
EVERYONE = tlv(0x87, b"objectClass")
HOPPER = tlv(0xA3, tlv(0x04, b"sn") + tlv(0x04, b"Hopper"))  # one contact of Alice's


def abandon_request(msgid, abandoned):
    return tlv(0x30, ber_int(msgid) + ber_int(abandoned, tag=0x50))


class LdapAbandonTest(LdapTestCase):
    ldap_config = f"max_size_limit = {PEOPLE * 2}\n"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        server = cls.world.server
        path = gen_people_ldif(os.path.join(server.root, "people.ldif"), PEOPLE)
        server.cli("prov", "importLdif", path, "domain", "example.com")
        cls.total = None

    def slow_socket(self):
        """A bound LDAPS connection with a small receive buffer: the server soon blocks on writing."""
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.settimeout(10)
        raw.connect(("127.0.0.1", self.world.server.ports["ldaps"]))
        ctx = ssl.create_default_context(cafile=self.world.server.ca_file)
        s = ctx.wrap_socket(raw, server_hostname="localhost")
        s.sendall(simple_bind(1, "alice@example.com", PASSWORD))
        # Right after the import the bind waits until the address book has applied it (at most
        # 30 s by design; under ASan and beside other tests that takes longer than 10 s).
        msgs = read_messages(s, until_tag=0x61, timeout=90)
        self.assertTrue(msgs, "no answer to the bind")
        self.assertEqual(result_code(msgs[-1][2]), 0)
        return s

    def full_count(self):
        """Entries of the whole subtree search, read to its end (the reference the abandoned
        search is compared with)."""
        if LdapAbandonTest.total is None:
            with self.slow_socket() as s:
                s.sendall(search_request(2, EVERYONE, BASE.encode()))
                msgs, _ = read_until_closed(s, timeout=120, until=(2, 0x65))
                self.assertEqual(msgs[-1][:2], (2, 0x65), "the full search did not finish")
                self.assertEqual(result_code(msgs[-1][2]), 0)
                LdapAbandonTest.total = len([m for m in msgs if m[1] == 0x64])
        return LdapAbandonTest.total

    def test_full_search_returns_everyone(self):
        self.assertGreater(self.full_count(), PEOPLE)

    def test_abandoned_running_search_stops_and_next_request_is_answered(self):
        total = self.full_count()
        with self.slow_socket() as s:
            s.sendall(search_request(2, EVERYONE, BASE.encode()))
            # Let the search start streaming and fill the buffers while we do not read.
            buf = bytearray()
            head, _ = read_until_closed(s, timeout=10, until=(2, 0x64), buf=buf)
            self.assertEqual(head[-1][:2], (2, 0x64), "the search sent no entry")
            time.sleep(1.0)
            s.sendall(abandon_request(3, 2) + search_request(4, HOPPER, BASE.encode()))
            msgs, closed = read_until_closed(s, timeout=60, until=(4, 0x65), buf=buf)
            msgs = head + msgs
            self.assertFalse(closed, "connection closed after Abandon")
            entries_2 = [m for m in msgs if m[0] == 2 and m[1] == 0x64]
            # Everything of search 2 comes before the answer to 4; nothing of it after Abandon's
            # effect, and never its SearchResultDone.
            self.assertEqual([m for m in msgs if m[0] == 2 and m[1] == 0x65], [], "abandoned search was finished")
            self.assertLess(len(entries_2), total // 2,
                            f"{len(entries_2)} of {total} entries still sent after Abandon")
            self.assertEqual([m[1] for m in msgs if m[0] == 4], [0x64, 0x65])
            self.assertEqual(result_code(msgs[-1][2]), 0)
            self.assertEqual([m for m in msgs if m[0] == 3], [], "Abandon has no response")
            # And nothing more arrives for the abandoned search afterwards.
            s.sendall(search_request(5, HOPPER, BASE.encode()))
            later, _ = read_until_closed(s, timeout=30, until=(5, 0x65), buf=buf)
            self.assertEqual([m[0] for m in later], [5, 5])

    def test_abandoned_queued_search_is_never_started(self):
        total = self.full_count()
        with self.slow_socket() as s:
            # Search 2 streams (slowly), search 6 waits behind it and is abandoned before it starts.
            s.sendall(search_request(2, EVERYONE, BASE.encode()) + search_request(6, EVERYONE, BASE.encode()))
            buf = bytearray()
            head, _ = read_until_closed(s, timeout=10, until=(2, 0x64), buf=buf)
            self.assertEqual(head[-1][:2], (2, 0x64), "the search sent no entry")
            time.sleep(0.5)
            s.sendall(abandon_request(7, 6) + search_request(8, HOPPER, BASE.encode()))
            msgs, closed = read_until_closed(s, timeout=120, until=(8, 0x65), buf=buf)
            msgs = head + msgs
            self.assertFalse(closed)
            ids = [m[0] for m in msgs]
            self.assertNotIn(6, ids, "the abandoned queued search was run")
            done_2 = [m for m in msgs if m[0] == 2 and m[1] == 0x65]
            self.assertEqual(len(done_2), 1, "the search that was not abandoned must finish")
            self.assertEqual(len([m for m in msgs if m[0] == 2 and m[1] == 0x64]), total)
            self.assertEqual([m[1] for m in msgs if m[0] == 8], [0x64, 0x65])

    def test_abandon_of_an_unknown_id_changes_nothing(self):
        with self.slow_socket() as s:
            s.sendall(abandon_request(2, 999) + search_request(3, HOPPER, BASE.encode()))
            msgs, _ = read_until_closed(s, timeout=10, until=(3, 0x65))
            self.assertEqual([(m[0], m[1]) for m in msgs], [(3, 0x64), (3, 0x65)])


if __name__ == "__main__":
    unittest.main()
