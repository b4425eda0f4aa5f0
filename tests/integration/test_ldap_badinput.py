"""Bad input never crashes or hangs the server: truncated and garbage BER, huge lengths, deep
nesting, invalid filters, unknown controls, floods. Each gets a protocol error or a closed
connection, and the server keeps serving everyone else."""
import socket
import time
import unittest

from test_ldap_fixture import (BASE, PASSWORD, LdapTestCase, ber_int, read_messages, result_code,
                               simple_bind, tlv)


def search_request(msgid, filt_bytes, base=b"", controls=b"", attrs=b""):
    body = (tlv(0x04, base) + tlv(0x0A, b"\x02") + tlv(0x0A, b"\x00") + ber_int(0) + ber_int(0) +
            tlv(0x01, b"\x00") + filt_bytes + tlv(0x30, attrs))
    return tlv(0x30, ber_int(msgid) + tlv(0x63, body) + controls)


PRESENT_OBJECTCLASS = tlv(0x87, b"objectClass")


class LdapBadInputTest(LdapTestCase):
    ldap_config = "max_connections = 40\n"

    def setUp(self):
        self.assertTrue(self.server_still_serves(), "server not serving before the test")

    def server_still_serves(self):
        rc, entries, _ = self.search(user="alice@example.com", filt="(sn=Hopper)", attrs=["cn"], check=False)
        return rc == 0 and len(entries) == 1

    def bound_socket(self):
        s = self.world.tls_socket()
        s.sendall(simple_bind(1, "alice@example.com", PASSWORD))
        msgs = read_messages(s, until_tag=0x61)
        self.assertEqual(result_code(msgs[-1][2]), 0)
        return s

    def closed_after(self, s, data, expect_notice=True):
        """Sends data; the server answers a Notice of Disconnection (or nothing) and closes."""
        try:
            s.sendall(data)
        except OSError:
            return True
        msgs = read_messages(s, timeout=10)
        if expect_notice and msgs:
            self.assertEqual(msgs[-1][0], 0)       # unsolicited
            self.assertEqual(msgs[-1][1], 0x78)    # ExtendedResponse
            self.assertEqual(result_code(msgs[-1][2]), 2)  # protocolError
        try:
            s.settimeout(5)
            return s.recv(1) == b""
        except (ConnectionError, OSError):
            return True

    def test_garbage_and_non_ldap_bytes(self):
        for data in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"\x00" * 64, b"\xff\xfe\xfd", b"\x16\x03\x01\x02\x00"):
            with self.world.plain_socket() as s:
                self.assertTrue(self.closed_after(s, data), data)
            with self.bound_socket() as s:
                self.assertTrue(self.closed_after(s, data), data)
        self.assertTrue(self.server_still_serves())

    def test_huge_and_indefinite_lengths(self):
        for data in (b"\x30\x84\x7f\xff\xff\xff", b"\x30\x85\x01\x00\x00\x00\x00", b"\x30\x80\x02\x01\x01",
                     b"\x30\x84\x00\x10\x00\x00" + b"\x02" * 100):
            with self.bound_socket() as s:
                self.assertTrue(self.closed_after(s, data), data)
        self.assertTrue(self.server_still_serves())

    def test_truncated_message_then_silence_does_not_block_others(self):
        s = self.bound_socket()
        req = search_request(2, PRESENT_OBJECTCLASS)
        s.sendall(req[:len(req) // 2])  # and never the rest
        self.assertTrue(self.server_still_serves())
        s.close()

    def test_malformed_search_body_is_protocol_error(self):
        with self.bound_socket() as s:
            bad = tlv(0x30, ber_int(2) + tlv(0x63, tlv(0x04, b"") + tlv(0x0A, b"\x09")))  # scope 9, truncated
            s.sendall(bad)
            msgs = read_messages(s, timeout=5)
            self.assertTrue(msgs)
            self.assertEqual((msgs[0][0], msgs[0][1], result_code(msgs[0][2])), (2, 0x65, 2))
        self.assertTrue(self.server_still_serves())

    def test_deep_nesting_and_invalid_filters(self):
        deep = PRESENT_OBJECTCLASS
        for _ in range(200):
            deep = tlv(0xA2, deep)  # (!(!(!...
        bad_substrings = tlv(0xA4, tlv(0x04, b"cn") + tlv(0x30, b""))  # no components
        unknown_choice = tlv(0xAB, b"\x04\x00")
        for f in (deep, bad_substrings, unknown_choice):
            with self.bound_socket() as s:
                s.sendall(search_request(3, f))
                msgs = read_messages(s, until_tag=0x65, timeout=5)
                if msgs:
                    self.assertEqual(msgs[-1][1], 0x65)
                    self.assertIn(result_code(msgs[-1][2]), (2, 11))  # protocolError / adminLimitExceeded
        rc, _, err = self.search(user="alice@example.com", filt="(cn=a", check=False)
        self.assertNotEqual(rc, 0)  # ldapsearch itself refuses; nothing reaches the server
        self.assertTrue(self.server_still_serves())

    def test_unknown_controls(self):
        critical = tlv(0xA0, tlv(0x30, tlv(0x04, b"1.2.3.4.5.6") + tlv(0x01, b"\xff")))
        not_critical = tlv(0xA0, tlv(0x30, tlv(0x04, b"1.2.3.4.5.6") + tlv(0x01, b"\x00")))
        with self.bound_socket() as s:
            s.sendall(search_request(4, PRESENT_OBJECTCLASS, BASE.encode(), critical))
            msgs = read_messages(s, until_tag=0x65)
            self.assertEqual(result_code(msgs[-1][2]), 12)  # unavailableCriticalExtension
            s.sendall(search_request(5, PRESENT_OBJECTCLASS, BASE.encode(), not_critical))
            msgs = read_messages(s, until_tag=0x65)
            self.assertEqual(result_code(msgs[-1][2]), 0)
            # A broken value of a known critical control is a protocol error.
            bad_sort = tlv(0xA0, tlv(0x30, tlv(0x04, b"1.2.840.113556.1.4.473") + tlv(0x01, b"\xff") +
                                     tlv(0x04, b"\x30\x03\x04")))
            s.sendall(search_request(6, PRESENT_OBJECTCLASS, BASE.encode(), bad_sort))
            msgs = read_messages(s, until_tag=0x65)
            self.assertEqual(result_code(msgs[-1][2]), 2)
        rc, _, err = self.search(user="alice@example.com", base=BASE, scope="base",
                                 extra=["-e", "!1.2.3.4.5"], check=False)
        self.assertEqual(rc, 12, err)

    def test_unsupported_bind_methods(self):
        with self.world.tls_socket() as s:
            sasl = tlv(0x30, ber_int(1) + tlv(0x60, ber_int(3) + tlv(0x04, b"") + tlv(0xA3, tlv(0x04, b"NTLM"))))
            s.sendall(sasl)
            msgs = read_messages(s, until_tag=0x61)
            self.assertEqual(result_code(msgs[-1][2]), 7)  # authMethodNotSupported
            s.sendall(simple_bind(2, "alice@example.com", ""))  # unauthenticated bind
            msgs = read_messages(s, until_tag=0x61)
            self.assertEqual(result_code(msgs[-1][2]), 53)
            v2 = tlv(0x30, ber_int(3) + tlv(0x60, ber_int(2) + tlv(0x04, b"") + tlv(0x80, b"")))
            s.sendall(v2)
            msgs = read_messages(s, until_tag=0x61)
            self.assertEqual(result_code(msgs[-1][2]), 2)

    def test_many_requests_pipelined_and_abandoned(self):
        with self.bound_socket() as s:
            batch = b"".join(search_request(10 + i, PRESENT_OBJECTCLASS, BASE.encode()) for i in range(200))
            s.sendall(batch)
            msgs = read_messages(s, timeout=30, limit=100000)
            done = [m for m in msgs if m[1] == 0x65]
            self.assertEqual(len(done), 200)
            self.assertEqual([m[0] for m in done], list(range(10, 210)))  # answered in order

    def test_split_everywhere_still_decodes(self):
        req = search_request(7, tlv(0xA4, tlv(0x04, b"sn") + tlv(0x30, tlv(0x80, b"Hop"))), BASE.encode(),
                             attrs=tlv(0x04, b"cn"))
        with self.bound_socket() as s:
            for b in req:
                s.sendall(bytes([b]))
            msgs = read_messages(s, until_tag=0x65)
            self.assertEqual(result_code(msgs[-1][2]), 0)
            self.assertEqual(len([m for m in msgs if m[1] == 0x64]), 1)

    def test_connection_flood_is_bounded(self):
        socks = []
        try:
            for _ in range(60):
                try:
                    socks.append(socket.create_connection(("127.0.0.1", self.world.server.ports["ldap"]), timeout=5))
                except OSError:
                    break
            time.sleep(0.5)
            alive = 0
            for s in socks:
                s.sendall(simple_bind(1, "", ""))
                try:
                    s.settimeout(3)
                    if s.recv(100):
                        alive += 1
                except (OSError, socket.timeout):
                    pass
            self.assertLessEqual(alive, 40)
            self.assertGreater(alive, 0)
        finally:
            for s in socks:
                s.close()
        time.sleep(0.5)
        self.assertTrue(self.server_still_serves())


class LdapIdleTimeoutTest(LdapTestCase):
    ldap_config = "idle_timeout = 2\n"

    def test_idle_connection_is_closed(self):
        s = self.world.tls_socket()
        s.sendall(simple_bind(1, "alice@example.com", PASSWORD))
        read_messages(s, until_tag=0x61)
        s.settimeout(10)
        start = time.time()
        try:
            data = s.recv(100)
        except (ConnectionError, OSError):
            data = b""
        s.close()
        self.assertEqual(data, b"")
        self.assertLess(time.time() - start, 8)


if __name__ == "__main__":
    unittest.main()
