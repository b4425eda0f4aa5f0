#!/usr/bin/python3
"""Directory-sync benchmark: a full sync of N users (default 100,000) from a real slapd (back-mdb,
loaded with slapadd, size limit 1000 so the listing pages), then incremental runs after 100
changes, through RFC 4533 content synchronisation and through modifyTimestamp, then a full run
after 1% of the users left the directory (their accounts are locked), and the cost of the
directory check at login: first binds to the LDAP address book with a mobile password, of
directory-linked accounts (the entry is looked up) against local accounts (no lookup).

    SWITCHBOARD_BIN=build/switchboard /usr/bin/python3 bench/dirsync_bench.py [N]

Targets: full sync of 100,000 users <= 30 s; incremental run after 100 changes <= 1 s.
Figures are the run durations the server reports (the CLI round trip is printed beside them).
Targets are only printed; a run that fails or syncs the wrong number of accounts (every user
created by the full run, exactly the 100 changed users updated by each incremental run, nothing
else touched) makes the benchmark exit non-zero after printing what it measured."""
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

from harness import Server  # noqa: E402
from slapd import Slapd, ldif_value  # noqa: E402
import gen_people_ldif  # noqa: E402

FULL_TARGET_S = 30.0
INCREMENTAL_TARGET_S = 1.0


def people_ldif(n, domain):
    """N inetOrgPerson entries with modification times spread over the past days, as a real
    directory has them (so a modifyTimestamp high-water mark means something)."""
    base_time = time.time() - 10 * 86400
    out = []  # ou=people comes with the base entries of Slapd
    for i, p in enumerate(gen_people_ldif.people(n, domain)):
        ts = time.strftime("%Y%m%d%H%M%SZ", time.gmtime(base_time + i * 5))
        lines = [f"dn: uid={p['uid']},ou=people,dc=example,dc=com", "objectClass: inetOrgPerson"]
        for k in ("uid", "cn", "sn", "givenName", "displayName", "mail", "title", "telephoneNumber", "mobile", "l",
                  "st", "postalCode", "o"):
            if p[k]:
                lines.append(f"{k}:{ldif_value(p[k])}")
        lines.append(f"ou:{ldif_value(p['department'])}")
        lines.append(f"createTimestamp: {ts}")
        lines.append(f"modifyTimestamp: {ts}")
        out.append("\n".join(lines) + "\n\n")
    return "".join(out)


class RunFailed(Exception):
    pass


def timed_run(server, domain, *args):
    started = time.time()
    r = server.cli("dirsync", "run", domain, *args, json_out=True, timeout=3600, check=False)
    wall = time.time() - started
    if r.rc != 0:
        raise RunFailed(f"dirsync run {' '.join(args)} failed ({r.rc}): {(r.err or r.out).strip()}")
    report = r.data
    print(f"    phases (ms): {report.get('phasesMs')}")
    return report, report["durationMs"] / 1000.0, wall


def check(failures, what, got, want):
    if got != want:
        failures.append(f"{what}: {got}, expected {want}")
        print(f"  CHECK FAILED: {what}: {got}, expected {want}")


def change_100(slapd, uids, tag):
    ldif = "".join(f"dn: uid={u},ou=people,dc=example,dc=com\nchangetype: modify\nreplace: title\n"
                   f"title: {tag} {i}\n\n" for i, u in enumerate(uids))
    slapd.modify_ldif(ldif)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    domain = "example.com"
    print(f"dirsync benchmark: {n} users")
    slapd = Slapd(log_level="none")
    server = None
    failures = []
    try:
        t = time.time()
        text = people_ldif(n, domain)
        print(f"  generated LDIF ({len(text) / 1e6:.1f} MB) in {time.time() - t:.1f} s")
        t = time.time()
        slapd.load_ldif(text)
        slapd.start()
        print(f"  slapadd + slapd start: {time.time() - t:.1f} s")
        server = Server(log_level="info")
        server.start()
        server.cli("prov", "cd", domain)
        server.cli("dirsync", "set", domain, "server", slapd.uri("ldap"), "bind_dn", slapd.service_dn,
                   "bind_password", slapd.service_password, "base_dn", "ou=people,dc=example,dc=com",
                   "user_filter", "(objectClass=inetOrgPerson)", "page_size", "1000")

        report, full_s, wall = timed_run(server, domain)
        check(failures, "full run outcome", report["outcome"], "ok")
        created = report["counts"]["created"]
        accounts = server.json("server", "status")["accounts"]
        check(failures, "users listed by the full run", report["directoryCounts"]["listed"], n)
        check(failures, "accounts created by the full run", created, n)
        check(failures, "accounts in the store", accounts, n)
        print(f"  full sync: {full_s:.2f} s (CLI round trip {wall:.2f} s): {report['directoryCounts']['listed']} listed "
              f"in {report['directoryCounts']['pages']} pages, {created} accounts created, {accounts} in the store "
              f"-> {n / full_s:,.0f} users/s; target <= {FULL_TARGET_S:.0f} s: "
              f"{'OK' if full_s <= FULL_TARGET_S else 'MISSED'}")

        report, again_s, _ = timed_run(server, domain, "mode", "full")
        print(f"  full run with nothing to change: {again_s:.2f} s ({report['counts']['unchanged']} unchanged)")
        check(failures, "unchanged in the second full run", report["counts"]["unchanged"], n)

        uids = [p["uid"] for p in gen_people_ldif.people(n, domain)]
        step = max(1, n // 100)
        change_100(slapd, uids[::step][:100], "Sync")
        changed = len(uids[::step][:100])
        report, inc_s, wall = timed_run(server, domain)
        check(failures, "kind of the run after 100 changes (sync)", report["kind"], "incremental")
        check_changes(failures, "RFC 4533 run", report, changed)
        print(f"  incremental after 100 changes (RFC 4533 sync): {inc_s:.3f} s (CLI round trip {wall:.3f} s), "
              f"{report['counts']['updated']} updated; target <= {INCREMENTAL_TARGET_S:.0f} s: "
              f"{'OK' if inc_s <= INCREMENTAL_TARGET_S else 'MISSED'}")

        server.cli("dirsync", "set", domain, "incremental", "timestamp")
        change_100(slapd, uids[step // 2::step][:100], "Stamp")
        changed = len(uids[step // 2::step][:100])
        report, ts_s, wall = timed_run(server, domain)
        check(failures, "kind of the run after 100 changes (timestamp)", report["kind"], "incremental")
        check_changes(failures, "modifyTimestamp run", report, changed)
        print(f"  incremental after 100 changes (modifyTimestamp): {ts_s:.3f} s (CLI round trip {wall:.3f} s), "
              f"{report['directoryCounts']['listed']} entries read, {report['counts']['updated']} updated; "
              f"target <= {INCREMENTAL_TARGET_S:.0f} s: {'OK' if ts_s <= INCREMENTAL_TARGET_S else 'MISSED'}")

        t = time.time()
        r = server.cli("dirsync", "test", domain, json_out=True, timeout=3600)
        print(f"  dry run over {n} users: {r.data['durationMs'] / 1000:.2f} s (CLI {time.time() - t:.2f} s)")

        # 1% of the users leave: a full run locks their accounts (delete_out_of_scope is off).
        gone = uids[1::100][:max(1, n // 100)]
        slapd.delete(*[f"uid={u},ou=people,dc=example,dc=com" for u in gone])
        report, gone_s, wall = timed_run(server, domain, "mode", "full")
        check(failures, "accounts locked as gone", report["counts"].get("lockedGone"), len(gone))
        print(f"  full run after {len(gone)} users left: {gone_s:.2f} s (CLI round trip {wall:.2f} s), "
              f"{report['counts'].get('lockedGone')} locked as gone")

        link_ms, local_ms = login_costs(server, domain, uids[2::100][:50])
        ratio = statistics.median(link_ms) / statistics.median(local_ms)
        print(f"  first mobile-password bind, 50 accounts: directory-linked p50 {statistics.median(link_ms):.1f} ms "
              f"(max {max(link_ms):.1f}), local p50 {statistics.median(local_ms):.1f} ms "
              f"(max {max(local_ms):.1f}); ratio {ratio:.2f}x (the entry lookup, once per login_check_interval)")
        print(json.dumps({"users": n, "full_s": round(full_s, 3), "full_nochange_s": round(again_s, 3),
                          "incremental_sync_s": round(inc_s, 3), "incremental_timestamp_s": round(ts_s, 3),
                          "full_after_1pct_left_s": round(gone_s, 3),
                          "login_linked_p50_ms": round(statistics.median(link_ms), 1),
                          "login_local_p50_ms": round(statistics.median(local_ms), 1)}))
    except RunFailed as e:
        failures.append(str(e))
        print(f"  RUN FAILED: {e}")
    finally:
        if server:
            server.cleanup()
        slapd.cleanup()
    if failures:
        print(f"dirsync benchmark: {len(failures)} check(s) failed:", *failures, sep="\n  ")
        return 1
    return 0


def login_costs(server, domain, uids):
    """Milliseconds of the first LDAP bind with a mobile password: synced accounts (their entry is
    looked up in the directory) and as many local accounts (nothing to look up)."""
    import ldap
    server.cli("prov", "mc", "default", "zimbraFeatureMobileSyncEnabled", "TRUE")

    def bind_ms(address, secret):
        conn = ldap.initialize(f"ldaps://127.0.0.1:{server.ports['ldaps']}")
        conn.set_option(ldap.OPT_X_TLS_CACERTFILE, server.ca_file)
        conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        try:  # the TLS handshake before the clock starts
            conn.whoami_s()
        except ldap.LDAPError:
            pass
        t = time.perf_counter()
        conn.simple_bind_s(address, secret)
        ms = (time.perf_counter() - t) * 1000
        conn.unbind_s()
        return ms

    linked, local = [], []
    for i, u in enumerate(uids):
        address = f"{u}@{domain}"
        server.cli("auth", "credential", "add", address, "password", f"mobile-{i}-secret", "service", "EAS")
        linked.append(bind_ms(address, f"mobile-{i}-secret"))
        other = f"local-bench-{i}@{domain}"
        server.cli("prov", "ca", other, f"local-{i}-password")
        server.cli("auth", "credential", "add", other, "password", f"mobile-{i}-secret", "service", "EAS")
        local.append(bind_ms(other, f"mobile-{i}-secret"))
    return linked, local


def check_changes(failures, what, report, changed):
    c = report["counts"]
    check(failures, f"{what} outcome", report["outcome"], "ok")
    check(failures, f"accounts updated by the {what}", c["updated"], changed)
    check(failures, f"accounts created, renamed, locked or deleted by the {what}",
          c["created"] + c["renamed"] + c["locked"] + c["lockedForRemoval"] + c["deleted"], 0)


if __name__ == "__main__":
    sys.exit(main())
