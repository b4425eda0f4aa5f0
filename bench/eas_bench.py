#!/usr/bin/python3
"""ActiveSync benchmarks, against a real server started on a temporary data directory:

  sync     initial sync by one phone of folders of 1,000, 10,000 and 100,000 contacts with
           WindowSize 25, 100 and 512: items/s and the ratio to Z-Push's figures (target >= 20x),
           the server's CPU time per request (must not grow with the folder size), and a later
           Sync of one new contact at each folder size
  pings    N idle Pings (default 10,000), each on its own TLS connection: the server's memory per
           connection (RSS delta / connections; target <= 24 KiB)
  latency  a change made by one device → the Ping of another device answered, with instant
           notifications: p50/p99 over many samples (target p99 <= 50 ms)
  storm    N Pings (default 1,000) of one account parked, one change wakes them all: how many are
           answered with Status 2 (all of them must be), with [eas] max_queue = --max-queue
  all      sync, pings and latency in turn; the latency samples run while the idle Pings are parked

usage: bench/eas_bench.py [sync|pings|latency|storm|all] [--sizes 1000,10000,100000]
                          [--windows 25,100,512] [--budget S] [--rounds N] [--pings N]
                          [--samples N] [--storm N] [--max-queue N] [--bin PATH] [--keep]
  (the binary defaults to $SWITCHBOARD_BIN, else build/switchboard)

The client is asyncio with its own small WBXML codec (the integration tests use libwbxml2; a
subprocess per message would measure the client, not the server). The sync table shows the client's
own CPU share of the run, and the server's CPU time per request is read from /proc, so a client that
becomes the bottleneck shows as such. Traffic stays on 127.0.0.1; every loop is bounded in count and
time."""
import argparse
import asyncio
import base64
import json
import os
import resource
import ssl
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

PASSWORD = "Bench-Pass-1"

# ---- a minimal WBXML codec (MS-ASWBXML): only the tags these conversations use ----

TAGS = {
    0: {"Sync": 0x05, "Responses": 0x06, "Add": 0x07, "Change": 0x08, "Delete": 0x09, "SyncKey": 0x0B,
        "ClientId": 0x0C, "ServerId": 0x0D, "Status": 0x0E, "Collection": 0x0F, "CollectionId": 0x12,
        "GetChanges": 0x13, "MoreAvailable": 0x14, "WindowSize": 0x15, "Commands": 0x16, "Collections": 0x1C,
        "ApplicationData": 0x1D, "Wait": 0x24, "Limit": 0x25, "HeartbeatInterval": 0x29},
    1: {"Email1Address": 0x1B, "FileAs": 0x1E, "FirstName": 0x1F, "LastName": 0x29, "MobilePhoneNumber": 0x2B},
    7: {"DisplayName": 0x07, "ServerId": 0x08, "ParentId": 0x09, "Type": 0x0A, "Status": 0x0C, "Changes": 0x0E,
        "Add": 0x0F, "SyncKey": 0x12, "FolderSync": 0x16, "Count": 0x17},
    13: {"Ping": 0x05, "Status": 0x07, "HeartbeatInterval": 0x08, "Folders": 0x09, "Folder": 0x0A, "Id": 0x0B,
         "Class": 0x0C, "MaxFolders": 0x0D},
}
NAMES = {p: {t: n for n, t in tags.items()} for p, tags in TAGS.items()}


def E(page, name, content=""):
    return (page, name, content)


def wbxml_encode(root):
    out = bytearray(b"\x03\x01\x6a\x00")
    page = [0]

    def emit(el):
        p, name, content = el
        if p != page[0]:
            out.extend((0x00, p))
            page[0] = p
        tok = TAGS[p][name]
        if content == "" or content == []:
            out.append(tok)
            return
        out.append(tok | 0x40)
        if isinstance(content, str):
            out.append(0x03)
            out.extend(content.encode())
            out.append(0x00)
        else:
            for c in content:
                emit(c)
        out.append(0x01)

    emit(root)
    return bytes(out)


class Node:
    __slots__ = ("name", "children", "text")

    def __init__(self, name):
        self.name, self.children, self.text = name, [], ""

    def find(self, *path):
        n = self
        for name in path:
            n = next((c for c in n.children if c.name == name), None)
            if n is None:
                return None
        return n

    def value(self, *path):
        n = self.find(*path)
        return n.text if n is not None else None


def wbxml_decode(data):
    pos = 1

    def mb():
        nonlocal pos
        v = 0
        while True:
            b = data[pos]
            pos += 1
            v = (v << 7) | (b & 0x7F)
            if not b & 0x80:
                return v

    if mb() == 0:
        mb()
    mb()
    table = mb()  # string table length (a separate statement: `pos += mb()` would read pos first)
    pos += table
    page, stack, root = 0, [], None
    while pos < len(data):
        b = data[pos]
        pos += 1
        if b == 0x00:
            page = data[pos]
            pos += 1
        elif b == 0x01:
            stack.pop()
        elif b == 0x03:
            end = data.index(0, pos)
            stack[-1].text += data[pos:end].decode()
            pos = end + 1
        elif b == 0xC3:
            n = mb()
            stack[-1].text += data[pos:pos + n].decode("latin-1")
            pos = pos + n
        else:
            node = Node(NAMES.get(page, {}).get(b & 0x3F, f"{page}:{b & 0x3F}"))
            if stack:
                stack[-1].children.append(node)
            else:
                root = node
            if b & 0x40:
                stack.append(node)
    return root


# ---- an HTTP/1.1 keep-alive client over TLS ----

class Conn:
    def __init__(self, port, ctx, user, device_id):
        self.port, self.ctx, self.user, self.device_id = port, ctx, user, device_id
        self.auth = "Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, ssl=self.ctx,
                                                                 server_hostname="localhost")
        return self

    def close(self):
        if self.writer:
            self.writer.transport.abort()
            self.writer = None

    def send(self, cmd, body):
        head = (f"POST /Microsoft-Server-ActiveSync?Cmd={cmd}&User={self.user}&DeviceId={self.device_id}"
                f"&DeviceType=Bench HTTP/1.1\r\nHost: localhost\r\nAuthorization: {self.auth}\r\n"
                f"User-Agent: SwitchboardBench/1\r\nMS-ASProtocolVersion: 14.1\r\n"
                f"Content-Type: application/vnd.ms-sync.wbxml\r\nContent-Length: {len(body)}\r\n\r\n")
        self.writer.write(head.encode() + body)

    async def receive(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for h in lines[1:]:
            if h.lower().startswith("content-length:"):
                length = int(h.split(":", 1)[1])
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    async def post(self, cmd, root):
        self.send(cmd, wbxml_encode(root) if root is not None else b"")
        status, body = await self.receive()
        return status, (wbxml_decode(body) if body else None)


def folder_sync(key="0"):
    return E(7, "FolderSync", [E(7, "SyncKey", key)])


def sync(key, window=512, commands=None):
    coll = [E(0, "SyncKey", key), E(0, "CollectionId", "7"), E(0, "WindowSize", str(window))]
    if commands:
        coll.append(E(0, "Commands", commands))
    return E(0, "Sync", [E(0, "Collections", [E(0, "Collection", coll)])])


def ping(heartbeat):
    return E(13, "Ping", [E(13, "HeartbeatInterval", str(heartbeat)),
                          E(13, "Folders", [E(13, "Folder", [E(13, "Id", "7"), E(13, "Class", "Contacts")])])])


def add_contact(client_id, first, last):
    return E(0, "Add", [E(0, "ClientId", client_id),
                        E(0, "ApplicationData", [E(1, "FirstName", first), E(1, "LastName", last)])])


async def ready(conn):
    """FolderSync, then prime and catch up the Contacts collection; returns its SyncKey."""
    status, fs = await conn.post("FolderSync", folder_sync())
    assert status == 200 and fs.value("Status") == "1", (status, fs and fs.value("Status"))
    key = "0"
    for _ in range(1000):
        status, r = await conn.post("Sync", sync(key))
        assert status == 200, status
        coll = r.find("Collections", "Collection")
        assert coll.value("Status") == "1", coll.value("Status")
        key = coll.value("SyncKey")
        if key.endswith("}1") or coll.find("MoreAvailable") is not None:
            continue
        return key
    raise RuntimeError("the collection never caught up")


# ---- the server ----

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def parked(server):
    return server.json("mobile", "getParkedRequests")["parked"]


def make_account(server, user):
    server.cli("prov", "ca", user, PASSWORD, "zimbraFeatureMobileSyncEnabled", "TRUE",
               "zimbraFeatureMobilePolicyEnabled", "FALSE")


def vcards(n):
    return "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Person{i:05d};Bench;;;\r\nFN:Bench Person{i:05d}\r\n"
                   f"EMAIL:bench{i}@people.example\r\nTEL;TYPE=CELL:+39 333 {i:07d}\r\n"
                   f"ORG:Company {i % 97}\r\nTITLE:Engineer\r\nEND:VCARD\r\n" for i in range(n))


# ---- the benchmarks ----

# Z-Push's initial contact sync over the same kind of client (items/s), the anchors of the ratios:
# 594 at WindowSize 100 (also used for 25, where no figure was taken) and 805 at 512.
ZPUSH = {25: 594, 100: 594, 512: 805}
TARGET_RATIO = 20
# A short sync is repeated (new phones) so one hiccup of a busy machine does not make the figure.
MIN_RUNS, MIN_RUN_S = 3, 3.0


def server_cpu_ns(pid):
    """CPU time of every thread of the server so far (ns; /proc/PID/task/*/schedstat)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that ended meanwhile
    return total


def vcard_file(server, n, name):
    return server.write_file(name, vcards(n))


async def initial_sync(server, port, ctx, user, device, window, n, budget_s):
    """One phone's initial sync of a folder of n contacts in windows of `window`, bounded by
    budget_s seconds. Returns the measurements of the run (complete or not)."""
    conn = await Conn(port, ctx, user, device).open()
    status, fs = await conn.post("FolderSync", folder_sync())
    assert status == 200 and fs.value("Status") == "1", status
    status, r = await conn.post("Sync", sync("0", window))
    key = r.find("Collections", "Collection").value("SyncKey")
    items = rounds = 0
    client_cpu = 0.0
    round_ms = []
    pid = server.proc.pid
    cpu0 = server_cpu_ns(pid)
    t0 = time.monotonic()
    complete = False
    body = None
    while rounds < 1_000_000 and time.monotonic() - t0 < budget_s:
        t_send = time.monotonic()
        c0 = time.process_time()
        body = wbxml_encode(sync(key, window))
        client_cpu += time.process_time() - c0
        conn.send("Sync", body)
        status, body = await conn.receive()
        round_ms.append((time.monotonic() - t_send) * 1000)
        assert status == 200, status
        c0 = time.process_time()
        coll = wbxml_decode(body).find("Collections", "Collection")
        assert coll.value("Status") == "1", coll.value("Status")
        key = coll.value("SyncKey")
        cmds = coll.find("Commands")
        items += sum(1 for c in cmds.children if c.name == "Add") if cmds else 0
        rounds += 1
        client_cpu += time.process_time() - c0
        if coll.find("MoreAvailable") is None:
            complete = True
            break
    elapsed = time.monotonic() - t0
    cpu_ms = (server_cpu_ns(pid) - cpu0) / 1e6
    conn.close()
    if complete and items != n:
        raise RuntimeError(f"{device}: the phone got {items} contacts, expected {n}")
    return {"items": items, "rounds": rounds, "elapsed": elapsed, "complete": complete,
            "items_per_s": items / elapsed if elapsed else 0.0,
            "server_ms_per_request": cpu_ms / max(rounds, 1),
            "p50_ms": statistics.median(round_ms) if round_ms else 0.0,
            "client_share": client_cpu / elapsed if elapsed else 0.0}


async def incremental_syncs(server, port, ctx, user, device, n, rounds, budget_s):
    """A phone that holds the whole folder: `rounds` times, a contact is added through the admin
    API and the phone syncs it (one Add). Returns ms per Sync (round trip and server CPU)."""
    conn = await Conn(port, ctx, user, device).open()
    status, fs = await conn.post("FolderSync", folder_sync())
    assert status == 200
    status, r = await conn.post("Sync", sync("0", 512))
    key = r.find("Collections", "Collection").value("SyncKey")
    t0 = time.monotonic()
    for _ in range(100_000):
        status, r = await conn.post("Sync", sync(key, 512))
        coll = r.find("Collections", "Collection")
        key = coll.value("SyncKey")
        if coll.find("MoreAvailable") is None:
            break
        if time.monotonic() - t0 > budget_s:
            conn.close()
            return None
    pid = server.proc.pid
    wall, cpu = [], []
    for i in range(rounds):
        status = await admin(server, ["contacts", "add", user, "firstName", "Later", "lastName", f"L{i:05d}"])
        assert status == 200, status
        cpu0 = server_cpu_ns(pid)
        t = time.monotonic()
        status, r = await conn.post("Sync", sync(key, 100))
        wall.append((time.monotonic() - t) * 1000)
        cpu.append((server_cpu_ns(pid) - cpu0) / 1e6)
        coll = r.find("Collections", "Collection")
        key = coll.value("SyncKey")
        cmds = coll.find("Commands")
        got = [c for c in cmds.children if c.name == "Add"] if cmds else []
        if len(got) != 1:
            raise RuntimeError(f"{device}: an incremental Sync carried {len(got)} Adds, expected 1")
    conn.close()
    return {"p50_ms": statistics.median(wall), "server_ms": statistics.median(cpu)}


def ratio_text(rate, window):
    anchor = ZPUSH[window]
    x = rate / anchor
    return f"{x:5.1f}x {'ok ' if x >= TARGET_RATIO else 'LOW'}"


async def bench_sync(server, port, ctx, sizes, windows, budget_s, rounds):
    """Initial sync by phones with WindowSize 25, 100 and 512 of folders of each size, then the
    cost of a later (incremental) Sync at each size."""
    results = {}
    accounts = {}
    for n in sizes:
        user = f"sync{n}@bench.example"
        make_account(server, user)
        t = time.monotonic()
        server.cli("contacts", "import", user, vcard_file(server, n, f"bench{n}.vcf"))
        print(f"sync: {n:,} contacts imported for {user} in {time.monotonic() - t:.1f} s")
        accounts[n] = user
    print()
    print(f"initial sync (one phone, EAS 14.1 over TLS; Z-Push anchors {ZPUSH[100]} items/s at "
          f"WindowSize 25/100, {ZPUSH[512]} at 512; target >= {TARGET_RATIO}x; budget {budget_s:.0f} s a run)")
    print(f"(each cell: phones syncing one after the other until {MIN_RUN_S:.0f} s and {MIN_RUNS} runs; the median "
          f"run's items/s)")
    print(f"{'contacts':>9} {'window':>6} {'runs':>4} {'items/s':>9} {'vs Z-Push':>11} {'requests':>8} "
          f"{'server ms/req':>13} {'p50 ms/req':>10} {'client CPU':>10}")
    for n in sizes:
        for w in windows:
            runs, spent = [], 0.0
            while len(runs) < 50 and (len(runs) < MIN_RUNS or spent < MIN_RUN_S):
                r = await initial_sync(server, port, ctx, accounts[n], f"Init{n}W{w}R{len(runs)}", w, n,
                                       budget_s)
                runs.append(r)
                spent += r["elapsed"]
                if not r["complete"] or spent > budget_s:
                    break
            r = sorted(runs, key=lambda x: x["items_per_s"])[len(runs) // 2]
            results[("initial", n, w)] = r
            note = "" if r["complete"] else f"  (stopped: {r['items']:,} of {n:,} in {r['elapsed']:.0f} s)"
            print(f"{n:>9,} {w:>6} {len(runs):>4} {r['items_per_s']:>9,.0f} {ratio_text(r['items_per_s'], w):>11} "
                  f"{r['rounds']:>8,} {r['server_ms_per_request']:>13.2f} {r['p50_ms']:>10.2f} "
                  f"{r['client_share']:>9.0%}{note}")
    if len(sizes) > 1:
        lo, hi = min(sizes), max(sizes)
        print()
        print(f"server CPU per initial-sync request, {hi:,} vs {lo:,} contacts (1.0 = independent of the "
              f"folder size):")
        for w in windows:
            a, b = results[("initial", lo, w)], results[("initial", hi, w)]
            print(f"  WindowSize {w:>3}: {a['server_ms_per_request']:.2f} ms vs {b['server_ms_per_request']:.2f} ms"
                  f" = {b['server_ms_per_request'] / max(a['server_ms_per_request'], 1e-9):.2f}x")
    print()
    print(f"later Sync of one new contact by a phone that holds the whole folder ({rounds} samples):")
    inc = {}
    for n in sizes:
        r = await incremental_syncs(server, port, ctx, accounts[n], f"Inc{n}", n, rounds, budget_s)
        inc[n] = r
        if r is None:
            print(f"  {n:>9,} contacts: the phone did not finish its initial sync within {budget_s:.0f} s")
        else:
            print(f"  {n:>9,} contacts: p50 {r['p50_ms']:.2f} ms a request, server CPU {r['server_ms']:.2f} ms")
    if len(sizes) > 1 and inc.get(min(sizes)) and inc.get(max(sizes)):
        a, b = inc[min(sizes)], inc[max(sizes)]
        print(f"  {max(sizes):,} vs {min(sizes):,} contacts: server CPU {b['server_ms'] / max(a['server_ms'], 1e-9):.2f}x")
    return results


def tally_answers(answers):
    tally = {}
    for status, body in answers:
        label = f"Status {wbxml_decode(body).value('Status')}" if status == 200 and body else f"HTTP {status}"
        tally[label] = tally.get(label, 0) + 1
    return ", ".join(f"{v} {k}" for k, v in sorted(tally.items())) or "none"


async def bench_storm(server, port, ctx, n, max_queue):
    """(a) n devices of one account park a Ping each (sent in batches the queue holds); one contact
    change wakes them all at once: every one must be answered with Status 2. (b) n devices of
    another account send their Pings all at the same moment, as phones reconnecting together do:
    those beyond max_queue are new work and may get 503 on arrival; the ones parked are then woken
    by one change."""
    conns, waiters, _ = await open_pings(server, port, ctx, n, heartbeat=1800, batch=max(1, max_queue // 2),
                                         user="storm@bench.example")
    t0 = time.monotonic()
    status = await admin(server, ["contacts", "add", "storm@bench.example", "firstName", "Storm"])
    assert status == 200, status
    done, pending = await asyncio.wait(waiters, timeout=300)
    elapsed = time.monotonic() - t0
    answered = [w.result() for w in done]
    print(f"storm: {n} parked Pings (max_queue {max_queue}) woken by one change: {tally_answers(answered)}"
          f"{f', {len(pending)} not answered' if pending else ''} in {elapsed:.1f} s")
    for c in conns:
        c.close()

    conns, waiters, _ = await open_pings(server, port, ctx, n, heartbeat=1800, batch=n, user="burst@bench.example",
                                         early_ok=True)
    early = [w.result() for w in waiters if w.done()]
    left = [w for w in waiters if not w.done()]
    status = await admin(server, ["contacts", "add", "burst@bench.example", "firstName", "Burst"])
    assert status == 200, status
    done, pending = await asyncio.wait(left, timeout=300) if left else (set(), set())
    print(f"storm: {n} Pings sent at the same moment (max_queue {max_queue}): on arrival {tally_answers(early)}; "
          f"the {len(left)} parked, woken by one change: {tally_answers([w.result() for w in done])}"
          f"{f', {len(pending)} not answered' if pending else ''}")
    for c in conns:
        c.close()
    return {"woken": answered, "burst_early": early}


async def open_pings(server, port, ctx, n, heartbeat=1800, batch=400, user="pinger@bench.example",
                     early_ok=False):
    """n devices of one account, each parked in a Ping on its own TLS connection (sent in batches
    of `batch`, each waited for until the server holds it, or holds all it will: `early_ok` takes
    Pings answered at once as part of the outcome). Each device has primed its contacts
    collection, so a change to it answers the Ping with Status 2."""
    make_account(server, user)
    ids = [f"P{i:05d}" for i in range(n)]
    # Registration and FolderSync over a few keep-alive connections (not measured).
    t0 = time.monotonic()

    async def register(chunk):
        for dev in chunk:
            c = await Conn(port, ctx, user, dev).open()
            status, fs = await c.post("FolderSync", folder_sync())
            assert status == 200 and fs.value("Status") == "1", status
            status, r = await c.post("Sync", sync("0"))
            assert status == 200 and r.find("Collections", "Collection").value("Status") == "1", status
            c.close()

    await asyncio.gather(*(register(ids[i::8]) for i in range(8)))
    print(f"pings: {n} devices registered in {time.monotonic() - t0:.1f} s")
    await asyncio.sleep(2)
    base = rss_kib(server.proc.pid)

    # TLS connections first (handshakes bounded in parallel), then the Pings in batches below
    # the server's request queue limit, each batch waiting until the server holds it.
    t0 = time.monotonic()
    sem = asyncio.Semaphore(64)

    async def connect(dev):
        async with sem:
            for attempt in range(5):
                try:
                    return await Conn(port, ctx, user, dev).open()
                except OSError:
                    await asyncio.sleep(0.2 * (attempt + 1))
            raise RuntimeError(f"cannot connect for {dev}")

    conns = await asyncio.gather(*(connect(d) for d in ids))
    connected = rss_kib(server.proc.pid)
    print(f"pings: {n} TLS connections open in {time.monotonic() - t0:.1f} s")
    body = wbxml_encode(ping(heartbeat))
    answers = []

    async def wait_answer(c):
        try:
            a = await c.receive()
        except (OSError, asyncio.IncompleteReadError) as e:
            a = (0, repr(e))
        answers.append(a)
        return a

    t0 = time.monotonic()
    waiters = []
    for i in range(0, n, batch):
        for c in conns[i:i + batch]:
            c.send("Ping", body)
            waiters.append(asyncio.ensure_future(wait_answer(c)))
        deadline = time.monotonic() + 120
        while True:
            await asyncio.sleep(0.05)
            if answers and not early_ok:
                raise RuntimeError(f"a Ping was answered early: {answers[0]}")
            if parked(server) + len(answers) >= min(n, i + batch) or time.monotonic() > deadline:
                break
    held = parked(server)
    print(f"pings: {held} Pings parked in {time.monotonic() - t0:.1f} s")
    await asyncio.sleep(3)
    full = rss_kib(server.proc.pid)
    per_conn = (full - base) / n
    print(f"pings: server RSS {base / 1024:.1f} MiB before, {connected / 1024:.1f} MiB with {n} idle TLS "
          f"connections, {full / 1024:.1f} MiB with {held} parked Pings")
    print(f"pings: {per_conn:.1f} KiB per connection (TLS session + parked Ping; target <= 24 KiB); "
          f"the Ping alone {(full - connected) / n:.1f} KiB")
    if held + len(answers) != n or (held != n and not early_ok):
        raise RuntimeError(f"only {held} of {n} Pings were parked")
    return conns, waiters, per_conn


async def admin(server, argv):
    """One admin API call (what the CLI sends over the admin socket); returns the HTTP status."""
    reader, writer = await asyncio.open_unix_connection(os.path.join(server.root, "admin.sock"))
    body = json.dumps({"argv": argv}).encode()
    writer.write(f"POST /v1/command HTTP/1.1\r\nHost: switchboard\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    data = await reader.read()
    writer.close()
    return int(data.split(b" ", 2)[1])


def percentiles(values):
    values = sorted(values)
    q = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {q[49]:.1f} ms, p90 {q[89]:.1f} ms, p99 {q[98]:.1f} ms, max {values[-1]:.1f} ms", q[98]


async def bench_latency(server, port, ctx, samples):
    """The watcher's Ping is woken by a contact added (a) by an admin through the admin API, the way
    `switchboard contacts add` does it, and (b) by another phone's Sync. Each sample is measured
    from the moment the change request is sent, so it includes that request's own work (parse,
    authentication, the store write and its WAL sync)."""
    user = "latency@bench.example"
    make_account(server, user)
    a = await Conn(port, ctx, user, "Watcher").open()
    b = await Conn(port, ctx, user, "Writer").open()
    a.key = await ready(a)
    b_key = await ready(b)
    body = wbxml_encode(ping(600))
    results = {"admin": [], "phone": []}
    change_rtt = {"admin": [], "phone": []}
    deadline = time.monotonic() + 900
    for i in range(2 * samples):
        if time.monotonic() > deadline:
            break
        source = "admin" if i % 2 == 0 else "phone"
        # Catch the watcher up (the previous sample's contact), then park its Ping.
        await ready_key(a)
        a.send("Ping", body)
        answer = asyncio.ensure_future(a.receive())
        await asyncio.sleep(0.03)
        if answer.done():
            raise RuntimeError(f"the Ping was answered before the change: {answer.result()}")
        t0 = time.monotonic()
        if source == "admin":
            status = await admin(server, ["contacts", "add", user, "firstName", "Latency", "lastName", f"A{i:05d}"])
        else:
            status, r = await b.post("Sync", sync(b_key, commands=[add_contact(f"c{i}", "Latency", f"P{i:05d}")]))
            b_key = r.find("Collections", "Collection").value("SyncKey")
        t_done = time.monotonic()
        assert status == 200, status
        status, pbody = await asyncio.wait_for(answer, 30)
        t_woken = time.monotonic()
        p = wbxml_decode(pbody)
        if p.value("Status") != "2":
            raise RuntimeError(f"Ping status {p.value('Status')}")
        results[source].append((t_woken - t0) * 1000)
        change_rtt[source].append((t_done - t0) * 1000)
    a.close()
    b.close()
    for source, what in (("admin", "contact added through the admin API"), ("phone", "contact added by another phone's Sync")):
        text, _ = percentiles(results[source])
        print(f"latency: {what} → Ping answered, {len(results[source])} samples: {text}; the change request "
              f"itself took p50 {statistics.median(change_rtt[source]):.1f} ms")
    _, p99 = percentiles(results["admin"])
    print(f"latency: p99 {p99:.1f} ms for an admin change (target p99 <= 50 ms)")
    return p99


async def ready_key(conn):
    """Syncs the Contacts collection of a primed device to the end."""
    key = conn.key
    for _ in range(100):
        status, r = await conn.post("Sync", sync(key))
        coll = r.find("Collections", "Collection")
        key = coll.value("SyncKey")
        if coll.find("MoreAvailable") is None:
            break
    conn.key = key
    return key


async def run(args, server):
    ctx = ssl.create_default_context(cafile=server.ca_file)
    port = int(server.status()["listeners"]["eas"].rsplit(":", 1)[1])
    results = {}
    if args.what == "storm":
        results["storm"] = await bench_storm(server, port, ctx, args.storm, args.max_queue)
        return results
    if args.what in ("sync", "all"):
        results["sync"] = await bench_sync(server, port, ctx, args.sizes, args.windows, args.budget, args.rounds)
    conns = []
    if args.what in ("pings", "all"):
        conns, _, results["kib_per_connection"] = await open_pings(server, port, ctx, args.pings)
    if args.what in ("latency", "all"):
        if conns:
            print(f"latency: measured while {len(conns)} idle Pings stay parked")
        results["p99_ms"] = await bench_latency(server, port, ctx, args.samples)
    for c in conns:
        c.close()
    return results


def numbers(text):
    return [int(x) for x in text.split(",") if x.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", nargs="?", default="all", choices=["sync", "pings", "latency", "storm", "all"])
    ap.add_argument("--sizes", type=numbers, default=[1_000, 10_000, 100_000],
                    help="folder sizes of the sync benchmark (comma-separated)")
    ap.add_argument("--windows", type=numbers, default=[25, 100, 512], help="WindowSizes (comma-separated)")
    ap.add_argument("--budget", type=float, default=180, help="seconds at most for one initial sync")
    ap.add_argument("--rounds", type=int, default=50, help="samples of the later-Sync measurement")
    ap.add_argument("--pings", type=int, default=10_000)
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--storm", type=int, default=1_000, help="parked Pings woken at once")
    ap.add_argument("--max-queue", type=int, default=512, help="[eas] max_queue of the storm server")
    ap.add_argument("--bin", help="switchboard binary")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = ap.parse_args()
    for w in args.windows:
        if w not in ZPUSH:
            ap.error(f"no Z-Push anchor for WindowSize {w} ({', '.join(map(str, ZPUSH))})")
    if args.bin:
        os.environ["SWITCHBOARD_BIN"] = os.path.abspath(args.bin)
    elif not os.environ.get("SWITCHBOARD_BIN"):
        os.environ["SWITCHBOARD_BIN"] = os.path.join(ROOT, "build", "switchboard")
    if args.keep:
        os.environ["SB_KEEP_TEST_DIRS"] = "1"
    import harness  # reads SWITCHBOARD_BIN at import

    # Each connection is a descriptor here and one in the server (which raises its own limit).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    conns = args.storm if args.what == "storm" else args.pings
    if conns + 200 > hard:
        print(f"error: {conns} connections need more than the descriptor limit {hard}", file=sys.stderr)
        return 1

    extra = "max_connections = 20000\n"
    if args.what == "storm":
        extra += f"max_queue = {args.max_queue}\n"
    server = harness.Server(log_level="warn", extra_config=extra)
    try:
        server.start()
        server.cli("prov", "cd", "bench.example")
        server.cli("config", "set", "global", "ZxMobile_UseInstantNotficiations", "TRUE")
        asyncio.run(run(args, server))
        return 0
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
