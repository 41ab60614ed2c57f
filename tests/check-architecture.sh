#!/usr/bin/env bash
# Checks the dependency rules of docs/architecture.md: the rules are stated as absences, so
# they are checked as absences.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0

normal_deps() { cargo tree -p "$1" -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u; }

# The clinical core has no dependencies at all: no runtime, no I/O, no serialisation.
triage=$(normal_deps carehub-triage | grep -v '^carehub-triage$' || true)
if [ -n "$triage" ]; then
    echo "carehub-triage must have no dependencies, found: $triage"; fail=1
fi

# Only the server crate knows HTTP, WebSocket, JSON and JWT.
for crate in carehub-triage carehub-store carehub-media; do
    for forbidden in axum hyper serde_json jsonwebtoken tokio-tungstenite; do
        if normal_deps "$crate" | grep -qx "$forbidden"; then
            echo "$crate must not depend on $forbidden"; fail=1
        fi
    done
done

# Only the store speaks SQL: nobody else depends on the database driver directly.
direct_deps() { cargo tree -p "$1" -e normal --depth 1 --prefix none --format '{p}' | awk '{print $1}'; }
for crate in carehub-triage carehub-server; do
    if direct_deps "$crate" | grep -qx rusqlite; then
        echo "$crate must not depend on rusqlite"; fail=1
    fi
done
if grep -rIl --include='*.rs' -E '\b(SELECT|INSERT INTO|UPDATE [a-z_]+ SET)\b' server/carehub-server/src; then
    echo "SQL found in carehub-server: only carehub-store speaks SQL"; fail=1
fi

# The relay knows nothing of people, storage or the clinical rules.
for forbidden in carehub-store carehub-triage rusqlite; do
    if normal_deps carehub-media | grep -qx "$forbidden"; then
        echo "carehub-media must not depend on $forbidden"; fail=1
    fi
done

[ "$fail" -eq 0 ] && echo "architecture rules hold"
exit "$fail"
