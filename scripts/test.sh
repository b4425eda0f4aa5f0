#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine and runs every test: unit tests, fuzz corpora
# and integration tests against the real server, first in the release build, then again in an
# AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=${SWITCHBOARD_JOBS:-$(nproc)}

echo "== release build"
./scripts/build.sh release
ctest --test-dir build -j "$jobs" --output-on-failure

if [ "${SWITCHBOARD_SKIP_ASAN:-0}" != 1 ]; then
  echo "== ASan + UBSan build"
  ./scripts/build.sh asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  ctest --test-dir build-asan -j "$jobs" --output-on-failure
fi
echo "== all tests passed"
