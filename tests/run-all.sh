#!/usr/bin/env bash
# Runs every CareHub test on a fresh machine. Installs what the tests need first, so a new
# clone needs nothing but the Rust toolchain, Python 3 and Node (see README "Running the tests").
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Test tools"
if ! cargo nextest --version >/dev/null 2>&1; then
    cargo install cargo-nextest --locked
fi
# The OpenAPI test validates the served document with the reference validator.
if ! python3 -c 'import openapi_spec_validator' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check openapi-spec-validator
fi

# The TURN test relays real media through coturn, Debian's TURN server; the browser checks drive
# Debian's chromium (never a browser downloaded by Playwright).
apt_missing=()
command -v turnserver >/dev/null 2>&1 || apt_missing+=(coturn)
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || apt_missing+=(chromium)
# The network lab (tests/network) makes namespaces with iproute2 and a TLS certificate for TURN.
command -v ip >/dev/null 2>&1 || apt_missing+=(iproute2)
command -v openssl >/dev/null 2>&1 || apt_missing+=(openssl)
if [ ${#apt_missing[@]} -gt 0 ]; then
    apt_get() { if [ "$(id -u)" = 0 ]; then apt-get "$@"; else sudo apt-get "$@"; fi; }
    apt_get update -q
    DEBIAN_FRONTEND=noninteractive apt_get install -y -q --no-install-recommends "${apt_missing[@]}"
fi
# playwright-core, axe-core and TypeScript, pinned by tests/browser/package-lock.json.
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

step "Architecture rules (docs/architecture.md, 'Invariants')"
bash tests/check-architecture.sh

step "Rust unit, property and end-to-end tests"
cargo build --workspace --bins
cargo nextest run --workspace --no-fail-fast

step "Web client types (tsc --checkJs, strict)"
(cd tests/browser && npx --no-install tsc -p ../../web-client/jsconfig.json)

step "Browser checks (Debian chromium, fake camera and microphone; screenshots in tests/browser/screenshots)"
for check in smoke hub review photos weak; do
    printf -- '--- %s.mjs\n' "$check"
    (cd tests/browser && node "$check.mjs")
done

step "Weak networks, short form (real Chromium calls over an emulated care-home link: P0, P1, P4, P5)"
# Network namespaces and TUN devices need root; tests/network/README.md says what it measures.
if [ "$(id -u)" = 0 ]; then
    timeout --kill-after=30 900 tests/network/run.sh --short --assert
else
    echo "skipped: the network lab needs root (network namespaces and TUN devices)"
fi
