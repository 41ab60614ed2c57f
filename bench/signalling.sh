#!/usr/bin/env bash
# Signalling at national scale: builds release, starts CareHub on loopback in a temporary
# directory with demo data, runs `loadgen signalling` against it and stops everything by itself.
#
# Usage: bench/signalling.sh [loadgen signalling options...]
#   e.g. bench/signalling.sh --tablets 20000 --hubs 200 --rate 10 --duration 30
# Environment: PORT (default 18080), JSON (default target/bench/signalling.json),
#   SERVER_CPU / LOADGEN_CPU (cores to pin to; default 0 and 1), PERF=1 to record a
#   `perf` profile of the server during the run (target/bench/signalling.perf.data).
#
# The open-file limit is raised for this script's processes only (the machine's default hard
# limit is 20000; 20,000 tablets need more), never for the machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${PORT:-18080}
json=${JSON:-$root/target/bench/signalling.json}
server_cpu=${SERVER_CPU:-0}
loadgen_cpu=${LOADGEN_CPU:-1}
mkdir -p "$(dirname "$json")"

echo "building release (carehub, loadgen)…" >&2
cargo build --release -p carehub-server --bin carehub -p carehub-loadgen --bin loadgen >&2

# Raise the open-file limit for this shell and its children only. Raising the hard limit needs
# CAP_SYS_RESOURCE; where the sandbox withholds it (this workplace: hard limit 20000), the soft
# limit goes to the hard one and the generator fits the tablets to it (and records that).
if ! ulimit -Hn 65536 2>/dev/null && ! prlimit --pid $$ --nofile=65536:65536 2>/dev/null; then
    echo "cannot raise the hard open-file limit above $(ulimit -Hn) here; using that" >&2
fi
ulimit -Sn "$(ulimit -Hn)"

if ss -ltn "sport = :$port" | grep -q LISTEN; then
    echo "port $port is in use: set PORT" >&2
    exit 1
fi

tmp=$(mktemp -d -t carehub-signalling.XXXXXX)
server_pid=""
perf_pid=""
cleanup() {
    if [[ -n "$perf_pid" ]]; then kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true; fi
    if [[ -n "$server_pid" ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# MALLOC_MMAP_THRESHOLD_ keeps glibc from varying it: the setup's password hashes (19 MiB each)
# are then returned to the system at once instead of lingering in the heap and being trimmed
# while memory per connection is measured. Connections allocate far below it.
echo "starting CareHub on 127.0.0.1:$port (data in $tmp, core $server_cpu)…" >&2
(
    cd "$tmp"
    exec env CAREHUB__SERVER__BIND="127.0.0.1:$port" \
        CAREHUB__MEDIA__UDP_BIND=127.0.0.1:0 \
        CAREHUB__DATABASE__URL="sqlite://$tmp/carehub.db" \
        CAREHUB__SERVER__DEMO_HISTORY_DAYS=0 \
        MALLOC_MMAP_THRESHOLD_=1048576 \
        taskset -c "$server_cpu" "$root/target/release/carehub"
) >"$tmp/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "the server exited:" >&2
        tail -20 "$tmp/server.log" >&2
        exit 1
    fi
    sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null

if [[ "${PERF:-0}" == 1 ]]; then
    perf record -F 499 -g -p "$server_pid" -o "$root/target/bench/signalling.perf.data" \
        >/dev/null 2>&1 &
    perf_pid=$!
fi

# The generator stops by itself; `timeout` is a second guard.
status=0
timeout 900 taskset -c "$loadgen_cpu" "$root/target/release/loadgen" signalling \
    --base "http://127.0.0.1:$port" --server-pid "$server_pid" --json "$json" "$@" || status=$?
if grep -qE "ERROR|panicked" "$tmp/server.log"; then
    echo "server log errors:" >&2
    grep -E "ERROR|panicked" "$tmp/server.log" | head -20 >&2
fi
exit "$status"
