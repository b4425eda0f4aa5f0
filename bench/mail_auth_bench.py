#!/usr/bin/python3
"""Logins through Dovecot answered by Switchboard: real IMAP LOGINs against a private Dovecot
(the same configuration the integration tests and admins use: Lua passdb/userdb asking
Switchboard over its unix socket), started with a Switchboard server on a temporary data
directory. Target: >= 200 logins/s.

  cold   the first login of each account: Switchboard verifies the argon2id hash (interactive
         cost, as in production)
  warm   the same accounts logging in again and again for --seconds, from --clients parallel
         clients: Switchboard answers from its login cache (checks still run for throttling,
         locked accounts, the mobile-password rule)

Each sample is one connection: greeting, LOGIN, LOGOUT; logins/s counts completed LOGINs, p50/p99
are the LOGIN command's latency. Plain LOGIN on loopback (Dovecot treats the local host as
secure), so the TLS handshake is not what is measured. Prints logins/s, p50/p99 and the ratio to
the target. Traffic stays on 127.0.0.1; every loop is bounded in count and time.

usage: bench/mail_auth_bench.py [--accounts N] [--clients N] [--seconds S] [--bin PATH] [--keep]
  (the binary defaults to $SWITCHBOARD_BIN, else build/switchboard)"""
import argparse
import imaplib
import os
import statistics
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

TARGET = 200.0


def login_once(port, user, password):
    """One connection: LOGIN then LOGOUT; returns the LOGIN latency in seconds."""
    m = imaplib.IMAP4("127.0.0.1", port, timeout=60)
    try:
        t = time.perf_counter()
        m.login(user, password)
        return time.perf_counter() - t
    finally:
        m.logout()


def run(port, users, clients, seconds=None):
    """Logins from `clients` threads; with `seconds`, each thread loops over its share until
    the time is up, else every user logs in once. Returns (latencies, wall time)."""
    latencies, errors = [], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds if seconds else None

    def worker(mine):
        local = []
        i = 0
        while mine:
            if deadline is None and i >= len(mine):
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
            user, password = mine[i % len(mine)]
            try:
                local.append(login_once(port, user, password))
            except Exception as e:  # counted, and the run fails below
                with lock:
                    errors.append(f"{user}: {e}")
                break
            i += 1
        with lock:
            latencies.extend(local)

    shares = [users[k::clients] for k in range(clients)]
    threads = [threading.Thread(target=worker, args=(s,)) for s in shares]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=(seconds or 600) + 120)
    wall = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{len(errors)} logins failed, e.g. {errors[0]}")
    return latencies, wall


def report(name, latencies, wall):
    n = len(latencies)
    rate = n / wall
    q = statistics.quantiles(latencies, n=100) if n >= 2 else [latencies[0]] * 99
    print(f"{name:5} {n:6} logins in {wall:6.2f} s: {rate:7.1f} logins/s  "
          f"p50 {q[49] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms  ratio to {TARGET:.0f}/s: {rate / TARGET:.2f}")
    return rate


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--bin")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if args.bin:
        os.environ["SWITCHBOARD_BIN"] = os.path.abspath(args.bin)
    os.environ.setdefault("SWITCHBOARD_BIN", os.path.join(ROOT, "build", "switchboard"))
    if args.keep:
        os.environ["SB_KEEP_TEST_DIRS"] = "1"
    from harness import Server  # after SWITCHBOARD_BIN is set
    from mailstack import MailStack, available
    why = available()
    if why:
        raise SystemExit(why)

    stack = MailStack()
    # Production argon2id cost (the server's default) and log level: the bench measures the
    # real path; throttling is not in the way of many logins from one address.
    server = Server(stack.switchboard_config(), log_level="info")
    try:
        server.start()
        stack.start(server)
        server.cli("config", "set", "global", "authThrottleAddressFailures", "100000")
        server.cli("prov", "cd", "bench.example")
        users = []
        for i in range(args.accounts):
            address, password = f"user{i:05d}@bench.example", f"Bench-Pass-{i}"
            server.cli("prov", "ca", address, password)
            users.append((address, password))
        port = stack.ports["imap"]
        print(f"# {args.accounts} accounts, {args.clients} clients, Dovecot {stack.ports['imap']} "
              f"→ Switchboard {server.status()['listeners']['mailAuth']}")
        report("cold", *run(port, users, args.clients))
        rate = report("warm", *run(port, users, args.clients, args.seconds))
        status = server.json("mail", "status")["auth"]
        print(f"# Switchboard answered {status['requests']} auth requests on {status['connections']} "
              f"connections (Dovecot's auth workers keep theirs open)")
        print(f"# warm logins/s {'meets' if rate >= TARGET else 'MISSES'} the target of {TARGET:.0f}/s")
    finally:
        stack.cleanup()
        server.cleanup()


if __name__ == "__main__":
    main()
