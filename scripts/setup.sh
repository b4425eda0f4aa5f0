#!/usr/bin/env bash
# Installs every Debian package Switchboard needs to build, run and test.
# Idempotent and non-interactive; safe to run again at any time.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential g++ cmake ninja-build ccache pkg-config clang libclang-rt-14-dev clang-format
  # libraries
  libboost1.81-dev libssl-dev openssl libexpected-dev libsqlite3-dev sqlite3 libpq-dev
  libldap-dev libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libsodium-dev libcrypt-dev libpcre2-dev libgmime-3.0-dev
  # mail platform: Dovecot (IMAP, POP3, LMTP, Lua passdb/userdb and push driver) and Postfix;
  # tests and the demo run private instances of them, never the system-wide ones
  dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-auth-lua lua-socket postfix
  # tests and benchmarks
  googletest libgtest-dev libgmock-dev libbenchmark-dev ldap-utils slapd python3 python3-ldap3
  python3-ldap libwbxml2-utils postgresql procps
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix's package must not configure a system-wide mail system: "No configuration" leaves
  # /etc/postfix without main.cf (tests and the demo run private instances with their own).
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  # slapd, Dovecot and Postfix must not start system-wide daemons on install: tests start their
  # own on loopback.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present"
