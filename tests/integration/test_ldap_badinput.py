"""Bad input never crashes or hangs the server: truncated and garbage BER, huge lengths, deep
nesting, invalid filters, unknown controls, floods. Each gets a protocol error or a closed
connection, and the server keeps serving everyone else."""
import socket
import time
import unittest

from test_ldap_fixture import (BASE, PASSWORD, LdapTestCase, ber_int, children, read_element, read_messages,
                               result_code, simple_bind, tlv)


NOTICE_OF_DISCONNECTION = b"1.3.6.1.4.1.1466.20036"


def read_until_closed(sock, timeout, until=None, buf=None):
    """Reads LDAP messages until the server closes the connection, or until the message
    `until` = (message_id, op_tag) arrives, or `timeout` seconds pass. Returns (messages, closed);
    closed is False when the deadline came with the connection still open. `buf` (a bytearray)
    carries bytes past the last message from one call to the next on the same connection."""
    buf = bytearray() if buf is None else buf
    out = []
    deadline = time.monotonic() + timeout
    while True:
        while True:
            el = read_element(buf)
            if not el:
                break
            _, contents, used = el
            del buf[:used]
            parts = children(bytes(contents))
            out.append((int.from_bytes(parts[0][1], "big", signed=True), parts[1][0], parts[1][1]))
            if until is not None and out[-1][:2] == until:
                return out, False
        left = deadline - time.monotonic()
        if left <= 0:
            return out, False
        sock.settimeout(min(left, 1.0))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:  # socket.timeout: still open, nothing yet
            continue
        except OSError:       # reset, or TLS torn down: closed
            return out, True
        if not chunk:
            return out, True
        buf += chunk


def read_raw_until_closed(sock, timeout):
    """Bytes the server sends until it closes the connection or `timeout` seconds pass; returns
    (bytes, closed)."""
    data = b""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, False
        sock.settimeout(min(left, 1.0))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            return data, True
        if not chunk:
            return data, True
        data += chunk


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

    def assert_notice_and_close(self, s, data):
        """Sends bytes that cannot be framed: the server must answer with a Notice of Disconnection
        (protocolError) and close the connection within a bounded time. A server that keeps the
        connection open and silent fails here instead of passing on a read timeout."""
        try:
            s.sendall(data)
        except OSError:
            pass  # already closed by the server: what it sent before is still read below
        msgs, closed = read_until_closed(s, timeout=10)
        self.assertTrue(closed, f"{data[:16]!r}: connection still open after 10 s (hang), got {msgs}")
        self.assertTrue(msgs, f"{data[:16]!r}: closed without a Notice of Disconnection")
        msgid, op, contents = msgs[-1]
        self.assertEqual((msgid, op), (0, 0x78), f"{data[:16]!r}: last message is not an unsolicited notice")
        self.assertEqual(result_code(contents), 2, data[:16])  # protocolError
        self.assertIn(NOTICE_OF_DISCONNECTION, contents)
        self.assertEqual([m for m in msgs if m[1] != 0x78], [], "nothing but the notice is sent")

    def assert_search_refused(self, s, msgid, codes=(2,)):
        """The search `msgid` was invalid: the server must either answer it with an error result and
        no entries, or send a notice and close; never leave it unanswered."""
        msgs, closed = read_until_closed(s, timeout=10, until=(msgid, 0x65))
        done = [m for m in msgs if m[0] == msgid and m[1] == 0x65]
        if done:
            self.assertIn(result_code(done[0][2]), codes)
            self.assertEqual([m for m in msgs if m[1] == 0x64], [], "entries sent for an invalid filter")
            return False
        self.assertTrue(closed, f"search {msgid} neither answered nor the connection closed within 10 s")
        self.assertTrue(msgs and msgs[-1][:2] == (0, 0x78), f"closed without a notice: {msgs}")
        return True

    def test_garbage_and_non_ldap_bytes(self):
        for data in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"\x00" * 64, b"\xff\xfe\xfd", b"\x16\x03\x01\x02\x00"):
            if data[0] != 0x16:  # on the LDAP port, 0x16 first starts TLS (next test)
                with self.world.plain_socket() as s:
                    self.assert_notice_and_close(s, data)
            with self.bound_socket() as s:
                self.assert_notice_and_close(s, data)
        self.assertTrue(self.server_still_serves())

    def test_bad_tls_on_the_ldap_port_is_closed(self):
        """A first byte 0x16 on the LDAP port starts a TLS handshake: a record that is no
        ClientHello fails it, and the connection closes without any LDAP message."""
        for data in (b"\x16\x03\x01\x00\x04\x00\x00\x00\x00", b"\x16\x03\x03\x00\x05" + b"\xff" * 5):
            with self.world.plain_socket() as s:
                s.sendall(data)
                raw, closed = read_raw_until_closed(s, timeout=10)
                self.assertTrue(closed, f"{data!r}: connection still open after 10 s")
                self.assertFalse(raw.startswith(b"\x30"), f"{data!r}: answered in LDAP: {raw!r}")
        self.assertTrue(self.server_still_serves())

    def test_huge_and_indefinite_lengths(self):
        for data in (b"\x30\x84\x7f\xff\xff\xff", b"\x30\x85\x01\x00\x00\x00\x00", b"\x30\x80\x02\x01\x01",
                     b"\x30\x84\x00\x10\x00\x00" + b"\x02" * 100):
            with self.bound_socket() as s:
                self.assert_notice_and_close(s, data)
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

    # Filters a client library would never build, sent as raw BER so they really reach the server.
    INVALID_FILTERS = {
        "substrings without components": tlv(0xA4, tlv(0x04, b"cn") + tlv(0x30, b"")),
        "substrings without the sequence": tlv(0xA4, tlv(0x04, b"cn")),
        "substrings: initial after any": tlv(0xA4, tlv(0x04, b"cn") + tlv(0x30, tlv(0x81, b"a") + tlv(0x80, b"b"))),
        "substrings: two finals": tlv(0xA4, tlv(0x04, b"cn") + tlv(0x30, tlv(0x82, b"a") + tlv(0x82, b"b"))),
        "substrings: unknown choice": tlv(0xA4, tlv(0x04, b"cn") + tlv(0x30, tlv(0x83, b"a"))),
        "unknown filter choice [11]": tlv(0xAB, b"\x04\x00"),
        "equality without a value": tlv(0xA3, tlv(0x04, b"cn")),
        "equality with three parts": tlv(0xA3, tlv(0x04, b"cn") + tlv(0x04, b"x") + tlv(0x04, b"y")),
        "equality encoded primitive": tlv(0x83, tlv(0x04, b"cn") + tlv(0x04, b"a")),
        "and encoded primitive": tlv(0x80, PRESENT_OBJECTCLASS),
        "not with two filters": tlv(0xA2, PRESENT_OBJECTCLASS + PRESENT_OBJECTCLASS),
        "not with nothing": tlv(0xA2, b""),
        "and with trailing garbage": tlv(0xA0, PRESENT_OBJECTCLASS + b"\xff\xff"),
        "an OCTET STRING as filter": tlv(0x04, b"cn"),
        "inner length past its parent": b"\xa3\x10\x04\x02cn",
        "extensible match without a value": tlv(0xA9, tlv(0x82, b"cn")),
    }

    def test_invalid_filters_over_the_wire(self):
        with self.bound_socket() as s:
            for i, (name, f) in enumerate(self.INVALID_FILTERS.items()):
                with self.subTest(name):
                    msgid = 100 + i
                    s.sendall(search_request(msgid, f, BASE.encode()))
                    if self.assert_search_refused(s, msgid):
                        s.close()  # the server chose to close: go on with a fresh connection
                        s = self.bound_socket()
                    # The same connection (or a fresh one) still answers a valid search.
                    s.sendall(search_request(msgid + 1000, tlv(0xA3, tlv(0x04, b"sn") + tlv(0x04, b"Hopper")),
                                             BASE.encode()))
                    msgs, _ = read_until_closed(s, timeout=10, until=(msgid + 1000, 0x65))
                    self.assertEqual([m[0] for m in msgs if m[1] == 0x65], [msgid + 1000])
                    self.assertEqual(result_code(msgs[-1][2]), 0)
                    self.assertEqual(len([m for m in msgs if m[1] == 0x64]), 1)
        self.assertTrue(self.server_still_serves())

    def test_deep_nesting_is_refused_not_recursed(self):
        for depth, op in ((200, 0xA2), (5000, 0xA2), (200, 0xA0), (200, 0xA1)):
            deep = PRESENT_OBJECTCLASS
            for _ in range(depth):
                deep = tlv(op, deep)  # (!(!(!... or (&(&(&... or (|(|(|...
            with self.subTest(depth=depth, op=hex(op)), self.bound_socket() as s:
                s.sendall(search_request(3, deep, BASE.encode()))
                self.assert_search_refused(s, 3, codes=(2, 11))  # protocolError / adminLimitExceeded
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

    def test_many_requests_pipelined_are_answered_in_order(self):
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
        msgs, closed = read_until_closed(s, timeout=10)
        s.close()
        self.assertTrue(closed, "idle connection still open after 10 s")
        self.assertEqual([m for m in msgs if m[1] != 0x78], [])
        self.assertLess(time.time() - start, 8)

    def test_silent_connection_on_the_ldap_port_is_closed(self):
        """Before its first byte a connection to the LDAP port is neither TLS nor LDAP: the idle
        timeout bounds the wait."""
        with self.world.plain_socket() as s:
            raw, closed = read_raw_until_closed(s, timeout=10)
            self.assertTrue(closed, "silent connection still open after 10 s")
            self.assertEqual(raw, b"")

    def test_stalled_tls_handshake_on_the_ldap_port_is_closed(self):
        with self.world.plain_socket() as s:
            s.sendall(b"\x16\x03\x01\x02\x00")  # a TLS record header, then nothing
            raw, closed = read_raw_until_closed(s, timeout=10)
            self.assertTrue(closed, "stalled TLS handshake still open after 10 s")
            self.assertFalse(raw.startswith(b"\x30"))


if __name__ == "__main__":
    unittest.main()
