"""Bad input to the mail bridges (Postfix's socketmap, Dovecot's passdb/userdb and push-event
listeners): broken netstrings, huge lines and garbage get one error answer and the connection is
closed; the server goes on answering well-formed requests. Also the configuration checks of the
[mail] section and of `mail config`."""
import os
import socket
import unittest

from harness import Server, ServerTestCase


def exchange(address, data, read_timeout=10):
    """Sends `data` and reads until the server closes the connection (bounded)."""
    if isinstance(address, str):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(address)
    else:
        s = socket.create_connection(address, timeout=read_timeout)
    s.settimeout(read_timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed while we were still sending: read what it said
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                return out, True
            out += chunk
            if len(out) > 1 << 20:
                return out, False
        return out, True
    finally:
        s.close()


def request(address, data, read_timeout=10):
    """Sends one request and reads one answer without waiting for the close."""
    s = socket.create_connection(address, timeout=read_timeout) if not isinstance(address, str) else None
    if s is None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(address)
        s.settimeout(read_timeout)
    try:
        s.sendall(data)
        out = b""
        while not (out.endswith(b"\n") or out.endswith(b",")):
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def ns(text):
    return f"{len(text)}:{text},".encode()


def host_port(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


class MailBridgeBadInputTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.cli("prov", "cd", "example.com")
        cls.server.cli("prov", "ca", "kim@example.com", "kim-pw")
        listeners = cls.server.status()["listeners"]
        cls.socketmap = host_port(listeners["mailSocketmap"])
        cls.events = host_port(listeners["mailEvents"])
        cls.auth = listeners["mailAuth"]

    def assertStillServes(self):
        self.assertEqual(request(self.socketmap, ns("mailboxes kim@example.com"))[:6], b"40:OK ")
        self.assertEqual(request(self.auth, b"USER\timap\tkim@example.com\n")[:3], b"OK\t")
        self.assertTrue(self.server.proc.poll() is None)

    def test_socketmap_answers_and_refuses(self):
        self.assertEqual(request(self.socketmap, ns("domains example.com")), ns("OK example.com"))
        self.assertEqual(request(self.socketmap, ns("mailboxes x@example.com")), ns("NOTFOUND "))
        for garbage in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"5:abcde;", b"99999999:",
                        b"\x00\xff\x10garbage", b"3:a b,,,,", b"-1:"):
            out, closed = exchange(self.socketmap, garbage)
            self.assertTrue(closed, garbage)
            length, _, rest = out.partition(b":")
            self.assertEqual(len(rest), int(length) + 1, out)  # exactly one netstring
            self.assertTrue(rest.startswith(b"PERM ") and rest.endswith(b","), out)
        out, closed = exchange(self.socketmap, b"4:ab c,")
        self.assertTrue(closed)
        self.assertIn(b"PERM unknown table", out)
        # A huge netstring is refused from its length, before its bytes arrive.
        out, closed = exchange(self.socketmap, b"100000000:" + b"x" * 100000)
        self.assertTrue(closed)
        self.assertIn(b"PERM netstring longer than", out)
        self.assertStillServes()

    def test_auth_listener_refuses_garbage_and_huge_lines(self):
        out, closed = exchange(self.auth, b"HELLO\tworld\n")
        self.assertTrue(closed)
        self.assertTrue(out.startswith(b"ERROR\tunknown request 'HELLO'"), out)
        out, closed = exchange(self.auth, b"A" * 200000)
        self.assertTrue(closed)
        self.assertTrue(out.startswith(b"ERROR\tline longer than"), out)
        out, closed = exchange(self.auth, b"PASS\timap\tkim@example.com\t127.0.0.1\tx\x01z\n")
        self.assertTrue(closed)
        self.assertIn(b"unknown escape", out)
        out, closed = exchange(self.auth, b"PASS\timap\n")
        self.assertTrue(closed)
        self.assertIn(b"PASS takes", out)
        # A well-formed refusal keeps the connection (an auth worker's connection lives on).
        self.assertTrue(request(self.auth, b"PASS\timap\tkim@example.com\t192.0.2.5\twrong\n")
                        .startswith(b"FAIL\tdenied\t"))
        self.assertStillServes()

    def test_events_listener_refuses_garbage(self):
        self.assertEqual(request(self.events, b"EVENT\tnew\t\tkim@example.com\tINBOX\t1\t5\n"), b"OK\n")
        self.assertTrue(request(self.events, b"EVENT\tnew\t\tnobody@example.com\tINBOX\t1\t5\n")
                        .startswith(b"FAIL\t"))
        for garbage in (b"EVENT\tnew\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\n",
                        b"EVENT\tnew\t\tkim@example.com\tINBOX\t-1\t5\n", b"x" * 50000):
            out, closed = exchange(self.events, garbage)
            self.assertTrue(closed, garbage)
            self.assertTrue(out.startswith(b"ERROR\t"), out)
        self.assertEqual(len(self.json("mail", "events", "kim@example.com")["events"]), 1)
        self.assertStillServes()

    def test_mail_config_errors(self):
        self.assertFails("mail", "config", "exim", contains="unknown product 'exim'")
        self.assertFails("mail", "config", "postfix", "instance", "/tmp/x", "sasl", "1234",
                         contains="smtp HOST:PORT")
        self.assertFails("mail", "config", "dovecot", "instance", "relative/dir", "sasl", "1",
                         contains="absolute")
        self.assertFails("mail", "config", "dovecot", "instance", "/tmp/x", contains="sasl PORT")
        self.assertFails("mail", "events", "nobody@example.com", contains="no such account")
        text = self.cli("mail", "config", "dovecot").out
        self.assertIn("# ===== conf.d/90-switchboard.conf =====", text)
        self.assertIn(f'local ENDPOINT = "{self.auth}"', text)


class MailConfigTest(unittest.TestCase):
    def start_fails(self, mail_section, contains):
        s = Server(mail_section)
        try:
            with self.assertRaises(RuntimeError) as e:
                s.start(timeout=30)
            self.assertIn(contains, str(e.exception))
        finally:
            s.cleanup()

    def test_bad_mail_settings_stop_the_start_with_the_key(self):
        self.start_fails('[mail]\nmail_root = "relative"\n', "mail.mail_root' must be an absolute path")
        self.start_fails('[mail]\nsocketmap_listen = "127.0.0.1"\n', "mail.socketmap_listen")
        self.start_fails('[mail]\nbogus = 1\n', "unknown configuration key 'mail.bogus'")

    def test_listeners_can_be_off(self):
        s = Server('[mail]\nauth_listen = "off"\nsocketmap_listen = "off"\nevents_listen = "off"\n')
        try:
            s.start()
            listeners = s.status()["listeners"]
            for name in ("mailAuth", "mailSocketmap", "mailEvents"):
                self.assertNotIn(name, listeners)
            self.assertFalse(os.path.exists(os.path.join(s.data_dir, "dovecot-auth.sock")))
            r = s.cli("mail", "config", "dovecot", check=False)
            self.assertEqual(r.rc, 1)
            self.assertIn("listener is off", r.err)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
