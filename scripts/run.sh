#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine and runs the server on its embedded defaults:
# SQLite in ./data, a generated private CA and certificate, and a demo domain (example.com).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh release switchboard
exec ./build/switchboard serve --demo "$@"
