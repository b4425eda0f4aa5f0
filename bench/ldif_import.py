#!/usr/bin/python3
"""LDIF import benchmark: starts a real server on a temporary data directory, imports N generated
people (tools/gen_people_ldif.py; default 100,000) with `switchboard prov importLdif`, and prints
the elapsed time and accounts per second. The target is 100k entries in under 60 s.

usage: bench/ldif_import.py [N] [--bin PATH] [--keep]
  (the binary defaults to $SWITCHBOARD_BIN, else build/switchboard)"""
import argparse
import os
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", nargs="?", type=int, default=100_000, help="people to import (default 100000)")
    ap.add_argument("--bin", help="switchboard binary")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = ap.parse_args()
    if args.bin:
        os.environ["SWITCHBOARD_BIN"] = os.path.abspath(args.bin)
    elif not os.environ.get("SWITCHBOARD_BIN"):
        os.environ["SWITCHBOARD_BIN"] = os.path.join(ROOT, "build", "switchboard")
    if args.keep:
        os.environ["SB_KEEP_TEST_DIRS"] = "1"
    import harness  # reads SWITCHBOARD_BIN at import

    server = harness.Server(log_level="info")
    try:
        server.start()
        server.cli("prov", "cd", "example.com")
        path = os.path.join(server.root, "people.ldif")
        t0 = time.monotonic()
        harness.gen_people_ldif(path, args.n)
        gen_s = time.monotonic() - t0
        size_mb = os.path.getsize(path) / 1e6

        t0 = time.monotonic()
        result = server.json("prov", "importLdif", path)
        elapsed = time.monotonic() - t0

        imported = result["imported"]
        count = server.status()["accounts"]
        if imported != args.n or count != args.n:
            print(f"error: imported {imported}, server has {count} accounts, expected {args.n}", file=sys.stderr)
            return 1
        print(f"LDIF file: {args.n} people, {size_mb:.1f} MB (generated in {gen_s:.1f} s)")
        print(f"import: {imported} accounts in {elapsed:.2f} s = {imported / elapsed:,.0f} accounts/s "
              f"(target: 100,000 in < 60 s)")
        return 0
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
