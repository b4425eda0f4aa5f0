#!/usr/bin/python3
"""Directory-sync benchmark: a full sync of N users (default 100,000) from a real slapd (back-mdb,
loaded with slapadd, size limit 1000 so the listing pages), then incremental runs after 100
changes, through RFC 4533 content synchronisation and through modifyTimestamp.

    SWITCHBOARD_BIN=build/switchboard /usr/bin/python3 bench/dirsync_bench.py [N]

Targets (issue 5): full sync of 100,000 users <= 30 s; incremental run after 100 changes <= 1 s.
Figures are the run durations the server reports (the CLI round trip is printed beside them)."""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

from harness import Server  # noqa: E402
from slapd import Slapd, entry_ldif, ldif_value  # noqa: E402
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


def timed_run(server, domain, *args):
    started = time.time()
    r = server.cli("dirsync", "run", domain, *args, json_out=True, timeout=3600)
    wall = time.time() - started
    report = r.data
    print(f"    phases (ms): {report.get('phasesMs')}")
    return report, report["durationMs"] / 1000.0, wall


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
        assert report["outcome"] == "ok", report
        created = report["counts"]["created"]
        accounts = server.json("server", "status")["accounts"]
        print(f"  full sync: {full_s:.2f} s (CLI round trip {wall:.2f} s): {report['directoryCounts']['listed']} listed "
              f"in {report['directoryCounts']['pages']} pages, {created} accounts created, {accounts} in the store "
              f"-> {n / full_s:,.0f} users/s; target <= {FULL_TARGET_S:.0f} s: "
              f"{'OK' if full_s <= FULL_TARGET_S else 'MISSED'}")

        report, again_s, _ = timed_run(server, domain, "mode", "full")
        print(f"  full run with nothing to change: {again_s:.2f} s ({report['counts']['unchanged']} unchanged)")

        uids = [p["uid"] for p in gen_people_ldif.people(n, domain)]
        step = max(1, n // 100)
        change_100(slapd, uids[::step][:100], "Sync")
        report, inc_s, wall = timed_run(server, domain)
        assert report["kind"] == "incremental", report
        print(f"  incremental after 100 changes (RFC 4533 sync): {inc_s:.3f} s (CLI round trip {wall:.3f} s), "
              f"{report['counts']['updated']} updated; target <= {INCREMENTAL_TARGET_S:.0f} s: "
              f"{'OK' if inc_s <= INCREMENTAL_TARGET_S else 'MISSED'}")

        server.cli("dirsync", "set", domain, "incremental", "timestamp")
        change_100(slapd, uids[step // 2::step][:100], "Stamp")
        report, ts_s, wall = timed_run(server, domain)
        assert report["kind"] == "incremental", report
        print(f"  incremental after 100 changes (modifyTimestamp): {ts_s:.3f} s (CLI round trip {wall:.3f} s), "
              f"{report['directoryCounts']['listed']} entries read, {report['counts']['updated']} updated; "
              f"target <= {INCREMENTAL_TARGET_S:.0f} s: {'OK' if ts_s <= INCREMENTAL_TARGET_S else 'MISSED'}")

        t = time.time()
        r = server.cli("dirsync", "test", domain, json_out=True, timeout=3600)
        print(f"  dry run over {n} users: {r.data['durationMs'] / 1000:.2f} s (CLI {time.time() - t:.2f} s)")
        print(json.dumps({"users": n, "full_s": round(full_s, 3), "full_nochange_s": round(again_s, 3),
                          "incremental_sync_s": round(inc_s, 3), "incremental_timestamp_s": round(ts_s, 3)}))
    finally:
        if server:
            server.cleanup()
        slapd.cleanup()


if __name__ == "__main__":
    main()
