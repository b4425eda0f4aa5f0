"""ActiveSync limits and run-time tuning against the real server over TLS: 503 + Retry-After when
the connection limit is reached (and recovery once connections close), in the order connections
were accepted; 503 for new requests beyond the worker queue while every parked Ping woken at once
is answered; Ping heartbeat bounds with the default `min_heartbeat` (Status 5), too many Ping
folders (Status 6), and the global settings ZxMobile_MaxPingHeartbeat,
ZxMobile_NotificationsLatency and ZxMobile_UseInstantNotficiations changed with
`switchboard config set global`. No assertion depends on how fast the machine is: tests wait
(bounded) for what the server reports, and time is measured only where a setting is a time, with
margins of several seconds."""
import http.client
import socket
import ssl
import threading
import time

from eas_client import Device, Phone, parked, text, wait_parked
from harness import ServerTestCase

PASSWORD = "Secret-Pass-1"


def ping_xml(heartbeat, folders=("7",)):
    f = "".join(f"<Folder><Id>{i}</Id><Class>Contacts</Class></Folder>" for i in folders)
    return f'<Ping xmlns="Ping:"><HeartbeatInterval>{heartbeat}</HeartbeatInterval><Folders>{f}</Folders></Ping>'


class EasBase(ServerTestCase):
    domain = "lim.example"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.cli("prov", "cd", cls.domain)
        cls.port = int(cls.server.status()["listeners"]["eas"].rsplit(":", 1)[1])

    def account(self, local):
        user = f"{local}@{self.domain}"
        self.server.cli("prov", "ca", user, PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
        return user

    def device(self, user, device_id, **kw):
        return Device(self.port, self.server.ca_file, user, PASSWORD, device_id=device_id, **kw)

    def ready(self, user, device_id, **kw):
        d = self.device(user, device_id, **kw)
        d.provision()
        fs = d.folder_sync()
        self.assertEqual(text(fs.xml, "Status"), "1", fs)
        return d


class ManualTls:
    """A TLS client driven by hand over ssl.MemoryBIO, so a test decides when the server gets the
    client's Finished message (the end of the server's handshake)."""

    def __init__(self, port, ca_file):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        ctx = ssl.create_default_context(cafile=ca_file)
        self.tls = ctx.wrap_bio(self.incoming, self.outgoing, server_hostname="localhost")

    def _flush(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def _receive(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.incoming.write(chunk)

    def handshake_holding_finished(self):
        """Runs the client side of the handshake; the client's last flight (Finished) is kept."""
        for _ in range(100):
            try:
                self.tls.do_handshake()
                return
            except ssl.SSLWantReadError:
                self._flush()
                self._receive()
        raise RuntimeError("the TLS handshake did not end")

    def request(self, raw):
        """Sends what is held back, then one HTTP request; returns the response's status."""
        self._flush()
        self.tls.write(raw)
        self._flush()
        data = b""
        for _ in range(1000):
            try:
                data += self.tls.read(65536)
            except ssl.SSLWantReadError:
                self._receive()
                continue
            head, sep, _ = data.partition(b"\r\n\r\n")
            if sep:
                return int(head.split(b" ", 2)[1])
        raise RuntimeError("no complete response")

    def close(self):
        self.sock.close()


class EasOverloadTest(EasBase):
    """A server that accepts two connections at a time."""
    # The [eas] section is the last one the harness writes: this key lands in it.
    extra_config = "max_connections = 2\n"

    def options_on(self, conn, d):
        conn.request("OPTIONS", "/Microsoft-Server-ActiveSync",
                     headers={"Authorization": d.auth_header(), "User-Agent": d.user_agent})
        r = conn.getresponse()
        r.read()
        return r.status, dict(r.getheaders())

    def test_503_with_retry_after_beyond_max_connections_then_recovers(self):
        user = self.account("olga")
        d = self.device(user, "OverDev")
        held = [d.connection(timeout=30) for _ in range(2)]
        try:
            for c in held:
                c.connect()  # TLS handshake done: the server has accepted the connection
            # A third connection is refused with 503 + Retry-After, and closed.
            status, headers = d.options()
            self.assertEqual(status, 503)
            self.assertGreater(int(headers.get("Retry-After", "0")), 0, headers)
            self.assertEqual(headers.get("Connection", "").lower(), "close", headers)
            # The connections within the limit are still served.
            self.assertEqual(self.options_on(held[0], d)[0], 200)
            self.assertEqual(self.options_on(held[1], d)[0], 200)
        finally:
            for c in held:
                c.close()
        # Once they close, new connections are served again (the server notices the close).
        deadline = time.time() + 120
        status = None
        while time.time() < deadline:
            status, _ = d.options()
            if status == 200:
                break
            time.sleep(0.2)
        self.assertEqual(status, 200, "the server did not recover after the connections closed")
        self.assertEqual(d.options()[0], 200)
        self.assertIsNone(self.server.proc.poll())


class EasOverloadOrderTest(EasBase):
    """The same limit of two connections, on a server of its own: no connection of another test
    may still be open when this one starts."""
    extra_config = "max_connections = 2\n"
    options_on = EasOverloadTest.options_on

    def test_connection_within_the_limit_is_served_when_its_handshake_ends_late(self):
        """The limit counts connections in the order they were accepted: the first connection
        stays within it even when its TLS handshake ends after a third one was accepted."""
        user = self.account("pete")
        d = self.device(user, "LateDev")
        first = ManualTls(self.port, self.server.ca_file)
        second = d.connection(timeout=60)
        third = d.connection(timeout=60)
        try:
            first.handshake_holding_finished()  # accepted; the server waits for our Finished
            second.connect()
            # The third handshake is complete here, so the server has accepted it: three
            # connections are open when the first one's handshake ends.
            third.connect()
            request = (f"OPTIONS /Microsoft-Server-ActiveSync HTTP/1.1\r\nHost: localhost\r\n"
                       f"Authorization: {d.auth_header()}\r\nUser-Agent: {d.user_agent}\r\n\r\n").encode()
            self.assertEqual(first.request(request), 200)
            self.assertEqual(self.options_on(second, d)[0], 200)
            status, headers = self.options_on(third, d)
            self.assertEqual(status, 503)
            self.assertGreater(int(headers.get("Retry-After", "0")), 0, headers)
        finally:
            first.close()
            second.close()
            third.close()
        deadline = time.time() + 120
        status = None
        while time.time() < deadline:
            status, _ = d.options()
            if status == 200:
                break
            time.sleep(0.2)
        self.assertEqual(status, 200, "the server did not recover after the connections closed")


def burst(devices, timeout=120):
    """A burst of OPTIONS requests, one per device, each on a connection whose TLS handshake is
    already done: the requests leave within a moment of each other. Returns (status, headers)."""
    conns = [d.connection(timeout=timeout) for d in devices]
    try:
        for c in conns:
            c.connect()
        for c, d in zip(conns, devices):
            c.request("OPTIONS", "/Microsoft-Server-ActiveSync",
                      headers={"Authorization": d.auth_header(), "User-Agent": d.user_agent})
        out = []
        for c in conns:
            r = c.getresponse()
            r.read()
            out.append((r.status, dict(r.getheaders())))
        return out
    finally:
        for c in conns:
            c.close()


class EasQueueTest(EasBase):
    """One worker and room for one more request: a burst of first logins (each a full password
    hash on the worker) overflows the queue."""
    extra_config = "workers = 1\nmax_queue = 1\n"

    def test_503_with_retry_after_when_the_worker_queue_is_full_then_recovers(self):
        users = [self.account(f"q{i}") for i in range(12)]
        devices = [self.device(u, f"QDev{i}") for i, u in enumerate(users)]
        results = burst(devices)
        statuses = sorted(status for status, _ in results)
        self.assertIn(503, statuses, statuses)
        self.assertIn(200, statuses, statuses)
        self.assertEqual(set(statuses), {200, 503}, statuses)
        for status, headers in results:
            if status == 503:
                self.assertGreater(int(headers.get("Retry-After", "0")), 0, headers)
        # One at a time, every one of them is served.
        for d in devices:
            self.assertEqual(d.options()[0], 200)


class EasWakeStormTest(EasBase):
    """One worker and a queue of two. Pings parked are not queued work: more than twice as many
    as the queue holds wait at once, a burst of new requests beyond the queue gets 503 meanwhile,
    and one change wakes them all: every one is answered with Status 2."""
    extra_config = "workers = 1\nmax_queue = 2\n"

    def test_every_woken_ping_is_answered_and_new_work_beyond_the_queue_gets_503(self):
        user = self.account("storm")
        devices = []
        for i in range(7):
            d = self.ready(user, f"Storm{i}")
            primed = d.sync([{"id": "7", "key": "0"}])
            self.assertEqual(text(primed.xml, "Collections/Collection/Status"), "1", primed)
            devices.append(d)
        answers = [None] * len(devices)

        def ping(i):
            answers[i] = devices[i].post("Ping", ping_xml(3000), timeout=3100)

        threads = []
        for i in range(len(devices)):
            threads.append(threading.Thread(target=ping, args=(i,)))
            threads[-1].start()
            wait_parked(self.server, i + 1)  # one at a time: none is refused on arrival
        # New work beyond the queue is refused while they wait, and none of them is disturbed.
        others = [self.device(self.account(f"new{i}"), f"NewDev{i}") for i in range(12)]
        statuses = sorted(status for status, _ in burst(others))
        self.assertIn(503, statuses, statuses)
        self.assertEqual(parked(self.server), len(devices))
        self.assertTrue(all(t.is_alive() for t in threads), answers)
        # One change wakes them all at once.
        self.server.cli("contacts", "add", user, "firstName", "Storm")
        for t in threads:
            t.join(300)
        for i, a in enumerate(answers):
            self.assertIsNotNone(a, f"Ping {i} was not answered")
            self.assertEqual(a.status, 200, a)
            self.assertEqual(text(a.xml, "Status"), "2", a)
            self.assertEqual(text(a.xml, "Folders/Folder"), "7", a)


class EasPingBoundsTest(EasBase):
    """Default `[eas] min_heartbeat` (60 s) and the run-time tuning of Ping."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A probe whose contacts collection always has a change waiting (primed, never synced):
        # an accepted Ping answers it at once with Status 2, a refused one with Status 5.
        user = f"probe@{cls.domain}"
        cls.server.cli("prov", "ca", user, PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE")
        cls.server.cli("contacts", "add", user, "firstName", "Waiting")
        cls.probe = Device(cls.port, cls.server.ca_file, user, PASSWORD, device_id="Probe")
        cls.probe.provision()
        assert text(cls.probe.folder_sync().xml, "Status") == "1"
        primed = cls.probe.sync([{"id": "7", "key": "0"}])
        assert text(primed.xml, "Collections/Collection/Status") == "1", primed

    def setUp(self):
        # Each test starts from the defaults.
        self.set_global("ZxMobile_MaxPingHeartbeat", "3540")
        self.set_global("ZxMobile_UseInstantNotficiations", "TRUE")
        self.set_global("ZxMobile_NotificationsLatency", "0")

    def set_global(self, key, value):
        self.server.cli("config", "set", "global", key, value)

    def await_max_heartbeat(self, value):
        """The server re-reads its tuning every few seconds: wait (bounded) until the probe's Ping
        above `value` is answered with Status 5 and `value`, and one at `value` is accepted. Every
        key set before this is then in effect."""
        deadline = time.time() + 120
        a = None
        while time.time() < deadline:
            a = self.probe.post("Ping", ping_xml(value + 1), timeout=30)
            self.assertIn(text(a.xml, "Status"), ("2", "5"), a)
            if text(a.xml, "Status") == "5" and text(a.xml, "HeartbeatInterval") == str(value):
                ok = self.probe.post("Ping", ping_xml(value), timeout=30)
                self.assertEqual(text(ok.xml, "Status"), "2", ok)
                return
            time.sleep(0.3)
        self.fail(f"ZxMobile_MaxPingHeartbeat {value} not in effect: {a}")

    def synced_phone(self, local):
        user = self.account(local)
        d = self.ready(user, f"{local}Phone")
        phone = Phone(d)
        phone.sync_all()
        return user, d, phone

    def test_heartbeat_below_default_minimum_gets_status_5_with_minimum(self):
        _, d, phone = self.synced_phone("pia")
        for hb in (1, 59):
            a = d.post("Ping", ping_xml(hb))
            self.assertEqual(text(a.xml, "Status"), "5", a)
            self.assertEqual(text(a.xml, "HeartbeatInterval"), "60", a)
        # Sync with a HeartbeatInterval or Wait below the minimum: Status 14 with the bound.
        s = d.sync([{"id": "7", "key": phone.key}], outer="<HeartbeatInterval>30</HeartbeatInterval>")
        self.assertEqual(text(s.xml, "Status"), "14", s)
        self.assertEqual(text(s.xml, "Limit"), "60", s)
        # 60 itself is accepted: with a change pending the Ping answers at once with Status 2.
        self.server.cli("contacts", "add", phone.d.user, "firstName", "Pending")
        ok = d.post("Ping", ping_xml(60), timeout=30)
        self.assertEqual(text(ok.xml, "Status"), "2", ok)

    def test_too_many_folders_gets_status_6_with_max_folders(self):
        _, d, _ = self.synced_phone("quin")
        a = d.post("Ping", ping_xml(120, [str(i) for i in range(1000, 1301)]))
        self.assertEqual(text(a.xml, "Status"), "6", a)
        self.assertEqual(text(a.xml, "MaxFolders"), "300", a)

    def test_max_ping_heartbeat_from_global_config(self):
        user, d, phone = self.synced_phone("rita")
        self.await_max_heartbeat(3540)  # the default
        default = d.post("Ping", ping_xml(3541))
        self.assertEqual((text(default.xml, "Status"), text(default.xml, "HeartbeatInterval")), ("5", "3540"))
        self.set_global("ZxMobile_MaxPingHeartbeat", "600")
        self.await_max_heartbeat(600)
        s = d.sync([{"id": "7", "key": phone.key}], outer="<HeartbeatInterval>900</HeartbeatInterval>")
        self.assertEqual((text(s.xml, "Status"), text(s.xml, "Limit")), ("14", "600"), s)
        # 600 is accepted (a pending change answers it at once), 3540 no longer is.
        self.server.cli("contacts", "add", user, "firstName", "Pending")
        self.assertEqual(text(d.post("Ping", ping_xml(600)).xml, "Status"), "2")
        old_default = d.post("Ping", ping_xml(3540))
        self.assertEqual((text(old_default.xml, "Status"), text(old_default.xml, "HeartbeatInterval")), ("5", "600"))
        # Raised above the old default.
        self.set_global("ZxMobile_MaxPingHeartbeat", "7200")
        self.await_max_heartbeat(7200)
        self.assertEqual(text(d.post("Ping", ping_xml(7200)).xml, "Status"), "2")
        # Below the Ping minimum the setting is refused and the bound stays.
        self.assertFails("config", "set", "global", "ZxMobile_MaxPingHeartbeat", "10")
        self.await_max_heartbeat(7200)

    def park_ping(self, d):
        """Sends a Ping in a thread and returns once the server holds it: (thread, result)."""
        result = {}

        def ping():
            result["answer"] = d.post("Ping", ping_xml(3000), timeout=3100)
            result["done"] = time.monotonic()

        before = parked(self.server)
        t = threading.Thread(target=ping)
        t.start()
        wait_parked(self.server, before + 1)
        self.assertTrue(t.is_alive(), "the Ping did not wait")
        return t, result

    def woken(self, t, result):
        t.join(300)
        self.assertFalse(t.is_alive(), "the Ping was not woken by the change")
        a = result["answer"]
        self.assertEqual(text(a.xml, "Status"), "2", a)
        self.assertEqual(text(a.xml, "Folders/Folder"), "7", a)
        return result["done"]

    def timed_wake(self, user, d, marker):
        """Parks a Ping, adds a contact through the CLI; returns seconds from the add to the answer."""
        t, result = self.park_ping(d)
        t0 = time.monotonic()
        self.server.cli("contacts", "add", user, "firstName", marker)
        return self.woken(t, result) - t0

    def test_notifications_latency_and_instant_notifications(self):
        # Lower bounds are the server's promise; upper bounds only tell a latency apart from
        # none and leave tens of seconds for a slow machine.
        user, d, phone = self.synced_phone("sara")
        # Instant notifications off: a change wakes the Ping only after the latency.
        self.set_global("ZxMobile_UseInstantNotficiations", "FALSE")
        self.set_global("ZxMobile_NotificationsLatency", "12")
        self.set_global("ZxMobile_MaxPingHeartbeat", "3000")  # marker: the keys above are read too
        self.await_max_heartbeat(3000)
        seconds = self.timed_wake(user, d, "Late")
        self.assertGreaterEqual(seconds, 11.5, "the latency did not delay the notification")
        phone.sync_once()
        # Changes within the window cost one wake-up: a second change 6 s after the first does not
        # start another wait (that would answer 12 s after the second change at the earliest).
        t, result = self.park_ping(d)
        self.server.cli("contacts", "add", user, "firstName", "First")
        time.sleep(6)
        t_second = time.monotonic()
        self.server.cli("contacts", "add", user, "firstName", "Second")
        done = self.woken(t, result)
        self.assertLess(done - t_second, 11.5, "the second change started another wait")
        coll, _ = phone.sync_once()
        self.assertEqual(sorted(text(a, "ApplicationData/FirstName") for a in coll.findall("Commands/Add")),
                         ["First", "Second"])
        # Instant notifications on: the latency (now a minute) is not applied.
        self.set_global("ZxMobile_NotificationsLatency", "60")
        self.set_global("ZxMobile_UseInstantNotficiations", "TRUE")
        self.set_global("ZxMobile_MaxPingHeartbeat", "3100")
        self.await_max_heartbeat(3100)
        seconds = self.timed_wake(user, d, "Instant")
        self.assertLess(seconds, 55, "instant notifications waited for the latency")
        phone.sync_once()
        # Off with no latency (0): the change wakes the Ping at once as well.
        self.set_global("ZxMobile_UseInstantNotficiations", "FALSE")
        self.set_global("ZxMobile_NotificationsLatency", "0")
        self.set_global("ZxMobile_MaxPingHeartbeat", "3200")
        self.await_max_heartbeat(3200)
        self.assertLess(self.timed_wake(user, d, "NoLatency"), 55)
