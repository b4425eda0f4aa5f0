#!/usr/bin/python3
"""LDAP address-book benchmark, side by side with OpenLDAP slapd on the same data and load.

The same 100,000-person LDIF (tools/gen_people_ldif.py) goes into slapd (back-mdb, loaded with
slapadd, indexed eq,sub on cn, sn, givenName, displayName, mail, uid) and into Switchboard
(`prov importLdif`). bench_ldap_load (bench/ldap_load.cpp, C++, one thread per connection) then runs the same
multi-connection load against both over plain LDAP on loopback, after a simple bind:

  outlook      Outlook's name-resolution filter, (&(mail=*)(|(mail=T*)(|(cn=T*)(|(sn=T*)(givenName=T*))))),
               sizeLimit 100, Outlook's attribute list; T = 2-5 leading characters of a name or address
  thunderbird  Thunderbird's autocomplete, (|(cn=*T*)(mail=*T*)(givenName=*T*)(sn=*T*)), sizeLimit 100;
               T = 3-4 characters from inside a name
  vlv          Outlook's "browse": server-side sort on displayName + VLV first window (0 before,
               49 after, offset 1) over every entry; one connection, latency (Switchboard only: slapd
               needs the sssvlv overlay, and the target is absolute)

    SWITCHBOARD_BIN=build/switchboard LDAP_LOAD=build/bench_ldap_load /usr/bin/python3 bench/ldap_bench.py [N] [seconds]

Targets (issue 3): outlook >= 10x slapd's ops/s with p99 <= 3 ms; thunderbird >= 50x slapd;
VLV first window over 100k entries <= 5 ms."""
import json
import os
import random
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))

from harness import BIN, Server  # noqa: E402
from slapd import Slapd  # noqa: E402
import gen_people_ldif  # noqa: E402

PASSWORD = "secret"  # every generated person's password
SB_BUILD = os.environ.get("SB_BUILD_DIR", os.path.dirname(BIN))
LOAD = os.environ.get("LDAP_LOAD", os.path.join(SB_BUILD, "bench_ldap_load"))
CONNECTIONS = int(os.environ.get("LDAP_BENCH_CONNECTIONS", "8"))


def make_terms(people, seed=11):
    rnd = random.Random(seed)
    prefixes, infixes = [], []
    for p in rnd.sample(people, 4000):
        name = rnd.choice([p["givenName"], p["sn"], p["mail"]])
        prefixes.append(name[:rnd.randint(2, 5)])
        word = rnd.choice([p["givenName"], p["sn"]])
        if len(word) >= 5:
            k = rnd.randint(3, 4)
            i = rnd.randint(1, len(word) - k)
            infixes.append(word[i:i + k])
    clean = lambda ts: [t for t in ts if t and not any(c in t for c in "()*\\")]
    return clean(prefixes), clean(infixes)


def run_load(port, bind, mode, terms_file, seconds, connections, base=""):
    args = [LOAD, "--port", str(port), "--bind", bind, "--password", PASSWORD, "--mode", mode,
            "--terms", terms_file, "--seconds", str(seconds), "--warmup", "2", "--connections", str(connections),
            "--base", base]
    p = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 300)
    if p.returncode != 0:
        raise RuntimeError(f"ldap_load failed: {p.stderr}")
    return json.loads(p.stdout)


def start_slapd(ldif_path):
    d = Slapd(suffix="dc=example,dc=com", size_limit=0, syncprov=False)
    with open(d.conf_path) as f:
        conf = f.read()
    # The indexing: eq,sub on the names and mail.
    lines = [l for l in conf.splitlines() if not l.startswith("index uid,cn,mail")]
    lines.insert(lines.index("index objectClass eq") + 1, "index cn,sn,givenName,displayName,mail,uid eq,sub")
    with open(d.conf_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(ldif_path) as f:
        d.load_ldif(f.read(), with_base=False)  # the LDIF has its own suffix and ou=people
    d._base_loaded = True
    d.start()
    return d


def start_switchboard(ldif_path, n):
    s = Server("")
    with open(s.config_path) as f:
        conf = f.read()
    with open(s.config_path, "w") as f:
        # Plain LDAP like slapd; debug logging off.
        f.write(conf.replace("[ldap]\n", "[ldap]\nallow_cleartext_bind = true\n").replace(
            'log_level = "debug"', 'log_level = "warn"'))
    s.start()
    s.cli("prov", "cd", "example.com")
    s.cli("prov", "mc", "default", "zimbraFeatureMobileSyncEnabled", "TRUE")
    t0 = time.time()
    s.cli("prov", "importLdif", ldif_path, timeout=3600)
    print(f"  switchboard: imported {n} accounts in {time.time() - t0:.1f} s", flush=True)
    return s


def wait_indexed(s, last_mail, timeout=600):
    t0 = time.time()
    env = dict(os.environ, LDAPCONF="/dev/null", LDAPRC="/dev/null")
    while time.time() - t0 < timeout:
        p = subprocess.run(["/usr/bin/ldapsearch", "-x", "-LLL", "-H", f"ldap://127.0.0.1:{s.ports['ldap']}",
                            "-D", last_mail, "-w", PASSWORD, "-b", "", "-z", "1", f"(mail={last_mail})", "1.1"],
                           capture_output=True, text=True, env=env, timeout=60)
        if p.returncode == 0 and "dn:" in p.stdout:
            return time.time() - t0
        time.sleep(0.5)
    raise RuntimeError("the address book did not index the imported accounts in time")


def row(name, sb, sl, target_ratio=None, target_p99=None):
    ratio = sb["ops_per_s"] / sl["ops_per_s"] if sl and sl["ops_per_s"] else float("inf")
    verdict = []
    if target_ratio:
        verdict.append(f"ratio {'OK' if ratio >= target_ratio else 'BELOW'} (target {target_ratio}x)")
    if target_p99:
        verdict.append(f"p99 {'OK' if sb['p99_ms'] <= target_p99 else 'ABOVE'} (target {target_p99} ms)")
    print(f"{name:<12} switchboard {sb['ops_per_s']:>9.0f} ops/s  p50 {sb['p50_ms']:6.2f} ms  p99 {sb['p99_ms']:6.2f} ms"
          f"  {sb['entries_per_op']:5.1f} entries/op | slapd {sl['ops_per_s']:>8.0f} ops/s  p50 {sl['p50_ms']:7.2f} ms"
          f"  p99 {sl['p99_ms']:7.2f} ms  {sl['entries_per_op']:5.1f} entries/op | ratio {ratio:6.1f}x  "
          + "; ".join(verdict), flush=True)
    return ratio


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10
    work = tempfile.mkdtemp(prefix="sbldapbench-")
    ldif_path = os.path.join(work, "people.ldif")
    with open(ldif_path, "w") as f:
        subprocess.run([sys.executable, gen_people_ldif.__file__, str(n)], stdout=f, check=True)
    people = list(gen_people_ldif.people(n, "example.com"))
    prefixes, infixes = make_terms(people)
    prefix_file, infix_file = os.path.join(work, "prefix.txt"), os.path.join(work, "infix.txt")
    with open(prefix_file, "w") as f:
        f.write("\n".join(prefixes) + "\n")
    with open(infix_file, "w") as f:
        f.write("\n".join(infixes) + "\n")
    first = people[0]
    print(f"LDAP address-book benchmark: {n} people, {CONNECTIONS} connections, {seconds:.0f} s per run", flush=True)

    d = start_slapd(ldif_path)
    slapd_bind = f"uid={first['uid']},ou=people,dc=example,dc=com"
    print("  slapd: loaded and started", flush=True)
    res = {}
    try:
        res["slapd_outlook"] = run_load(d.ports["ldap"], slapd_bind, "outlook", prefix_file, seconds, CONNECTIONS,
                                        "dc=example,dc=com")
        res["slapd_thunderbird"] = run_load(d.ports["ldap"], slapd_bind, "thunderbird", infix_file, seconds,
                                            CONNECTIONS, "dc=example,dc=com")
    finally:
        d.cleanup()

    s = start_switchboard(ldif_path, n)
    try:
        print(f"  switchboard: searchable {wait_indexed(s, people[-1]['mail']):.1f} s after the import", flush=True)
        bind = first["mail"]
        res["sb_outlook"] = run_load(s.ports["ldap"], bind, "outlook", prefix_file, seconds, CONNECTIONS)
        res["sb_thunderbird"] = run_load(s.ports["ldap"], bind, "thunderbird", infix_file, seconds, CONNECTIONS)
        res["sb_vlv"] = run_load(s.ports["ldap"], bind, "vlv", prefix_file, seconds, 1)
    finally:
        s.cleanup()

    print()
    row("outlook", res["sb_outlook"], res["slapd_outlook"], 10, 3.0)
    row("thunderbird", res["sb_thunderbird"], res["slapd_thunderbird"], 50)
    v = res["sb_vlv"]
    print(f"{'vlv':<12} switchboard first window of 50 over {n} entries: p50 {v['p50_ms']:.2f} ms, "
          f"p99 {v['p99_ms']:.2f} ms, {v['ops_per_s']:.0f} ops/s on one connection; target <= 5 ms: "
          f"{'OK' if v['p99_ms'] <= 5 else 'ABOVE'}", flush=True)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
