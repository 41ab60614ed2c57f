#!/usr/bin/env bash
# CareHub's media benchmarks, side by side with Janus, rewritten into docs/benchmarks.md.
#
# Why a script: the figures only mean something measured the same way every time: the server
# under test pinned to one core and the load generator to another, both in their own network
# namespaces joined by a veth pair (private addresses that exist only inside the namespaces,
# so traffic never leaves the machine and Janus, which ignores loopback candidates, works),
# release builds, the same call shape and crypto for CareHub and Janus.
#
# Usage: bench/run.sh [--quick] [--no-janus] [--no-report] [--network]
#   --quick      shorter windows and a shorter ramp (a few minutes; for trying the script)
#   --no-janus   CareHub only
#   --no-report  keep the results in $OUT but leave docs/benchmarks.md alone
#   --network    also measure real Chromium calls over emulated weak links (tests/network/run.sh,
#                profiles P0-P6, its short form with --quick), adaptation on and off, into $OUT/netlab-{on,off}.json
# Needs root (network namespaces, apt-get). Stops by itself; every scenario has a time limit.
# Results: $OUT (default target/bench) holds each scenario's JSON and log.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/target/bench}
QUICK=0; JANUS=1; REPORT=1; NETWORK=0
for a in "$@"; do
    case $a in
        --quick) QUICK=1 ;;
        --network) NETWORK=1 ;;
        --no-janus) JANUS=0 ;;
        --no-report) REPORT=0 ;;
        *) echo "unknown option $a" >&2; exit 2 ;;
    esac
done

NS_SRV=chb-srv; NS_GEN=chb-gen
SRV_IP=10.201.0.1; GEN_IP=10.201.0.2
SRV_CPU=0; GEN_CPU=1
HTTP_PORT=8080; UDP_PORT=8090; JANUS_WS_PORT=8188
if [ "$QUICK" = 1 ]; then
    SECONDS_PER_WINDOW=3; RAMP="10,25,50,100"; SETUP_CALLS=5; STORM=20; SIGNALLING_SECONDS=10; SIGNALLING_TABLETS=2000; SIGNALLING_HOMES=200
else
    SECONDS_PER_WINDOW=6; RAMP="10,20,30,40,50,60,80,100,125,150,200,250,300"; SETUP_CALLS=20; STORM=50; SIGNALLING_SECONDS=30; SIGNALLING_TABLETS=20000; SIGNALLING_HOMES=1000
fi
LOADGEN=$ROOT/target/release/loadgen
CAREHUB=$ROOT/target/release/carehub
SERVER_PID=

log() { printf '\n== %s: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

[ "$(id -u)" = 0 ] || { echo "bench/run.sh needs root (network namespaces)" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "needs at least two cores (server and generator pinned apart)" >&2; exit 1; }

stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
}

cleanup() {
    stop_server
    ip netns del "$NS_SRV" 2>/dev/null || true
    ip netns del "$NS_GEN" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# --- Janus, the build, the namespaces ----------------------------------------------------------
if [ "$JANUS" = 1 ] && ! command -v janus >/dev/null; then
    log "installing Janus (Debian package)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends janus >&2
fi
log "building release binaries"
(cd "$ROOT" && cargo build --release --bin carehub -p carehub-server -p carehub-loadgen >&2)

mkdir -p "$OUT"
rm -f "$OUT"/*.json
cleanup
ip netns add "$NS_SRV"
ip netns add "$NS_GEN"
ip link add chb-s type veth peer name chb-g
ip link set chb-s netns "$NS_SRV"
ip link set chb-g netns "$NS_GEN"
ip -n "$NS_SRV" addr add "$SRV_IP/24" dev chb-s
ip -n "$NS_GEN" addr add "$GEN_IP/24" dev chb-g
for ns in "$NS_SRV" "$NS_GEN"; do ip -n "$ns" link set lo up; done
ip -n "$NS_SRV" link set chb-s up
ip -n "$NS_GEN" link set chb-g up
# Socket buffers stay at the system defaults: what the service gets in production.
# Thousands of connections in the signalling scenario need descriptors.
ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null || true

# The machine may be shared (builds, browsers): the server and the generator run at a raised
# priority (nice -20) on their pinned cores, and every window reports how much of each core
# other processes still took ("contended" above 15%).
PRIO=(nice -n -20)

gen() { # runs the load generator in its namespace on its core, with a time limit
    local limit=$1; shift
    timeout --signal=INT --kill-after=10 "$limit" ip netns exec "$NS_GEN" "${PRIO[@]}" taskset -c "$GEN_CPU" "$LOADGEN" "$@"
}

CORES=(--server-core "$SRV_CPU" --generator-core "$GEN_CPU")

start_carehub() { # [bind address]: the veth address by default, 127.0.0.1 for signalling
    stop_server
    local ip=${1:-$SRV_IP}
    local dir="$OUT/carehub-data"
    rm -rf "$dir"; mkdir -p "$dir"
    # A fixed mmap threshold, as docs/operations.md advises for production: otherwise glibc
    # raises it after the first password hash (19 MiB) is freed and then keeps every later hash's
    # memory, and the setup's sign-ins would hide the memory the measured load costs.
    (cd "$dir" && exec env \
        MALLOC_MMAP_THRESHOLD_=1048576 \
        CAREHUB__SERVER__BIND="$ip:$HTTP_PORT" \
        CAREHUB__MEDIA__UDP_BIND="$ip:$UDP_PORT" \
        CAREHUB__SERVER__DEMO_HISTORY_DAYS=0 \
        CAREHUB__MEDIA__MAX_CALLS=1000 \
        CAREHUB__LOG__LEVEL=warn \
        ip netns exec "$NS_SRV" "${PRIO[@]}" taskset -c "$SRV_CPU" "$CAREHUB" >>"$OUT/carehub-server.log" 2>&1) &
    SERVER_PID=$!
    for _ in $(seq 100); do
        ip netns exec "$NS_SRV" curl -fs "http://$ip:$HTTP_PORT/readyz" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "CareHub did not start; see $OUT/carehub-server.log" >&2; exit 1
}

start_janus() {
    stop_server
    local conf="$OUT/janus-conf"
    rm -rf "$conf"; mkdir -p "$conf"
    for f in "$ROOT"/bench/janus/*.jcfg; do
        sed -e "s/@SRV_IP@/$SRV_IP/g" -e "s/@WS_PORT@/$JANUS_WS_PORT/g" -e "s|@CONF@|$conf|g" "$f" >"$conf/$(basename "$f")"
    done
    ip netns exec "$NS_SRV" "${PRIO[@]}" taskset -c "$SRV_CPU" janus -F "$conf" -C "$conf/janus.jcfg" >"$OUT/janus-server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        ip netns exec "$NS_GEN" bash -c "exec 3<>/dev/tcp/$SRV_IP/$JANUS_WS_PORT" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "Janus did not start; see $OUT/janus-server.log" >&2; exit 1
}

# --- CareHub ------------------------------------------------------------------------------------
log "CareHub: relay capacity ramp ($RAMP calls)"
start_carehub
gen 420 capacity --url "http://$SRV_IP:$HTTP_PORT" --local-ip "$GEN_IP" --server-pid "$SERVER_PID" "${CORES[@]}" \
    --calls "$RAMP" --seconds "$SECONDS_PER_WINDOW" --label carehub --json "$OUT/carehub-capacity.json" \
    | tee "$OUT/carehub-capacity.txt" || echo "scenario failed (see above)" >&2

# Fixed loads (10, 25, 50 and 70% of the server's core) from the ramp's CPU per call.
loads() { # prints N10,N25,N50,N70 for a capacity JSON
    python3 "$ROOT/bench/report.py" loads "$1"
}
CH_LOADS=$(loads "$OUT/carehub-capacity.json")
log "CareHub: fixed loads (calls for 10,25,50,70% of a core: $CH_LOADS)"
start_carehub
gen 300 capacity --url "http://$SRV_IP:$HTTP_PORT" --local-ip "$GEN_IP" --server-pid "$SERVER_PID" "${CORES[@]}" \
    --calls "$CH_LOADS" --seconds $((SECONDS_PER_WINDOW * 2)) --label carehub --json "$OUT/carehub-loads.json" \
    | tee "$OUT/carehub-loads.txt" || echo "scenario failed (see above)" >&2

log "CareHub: call set-up ($SETUP_CALLS one at a time, then a join storm of $STORM)"
start_carehub
gen 180 setup --url "http://$SRV_IP:$HTTP_PORT" --local-ip "$GEN_IP" --server-pid "$SERVER_PID" "${CORES[@]}" \
    --calls "$SETUP_CALLS" --storm "$STORM" --seconds 3 --label carehub --json "$OUT/carehub-setup.json" \
    | tee "$OUT/carehub-setup.txt" || echo "scenario failed (see above)" >&2

# Signalling at national scale (docs/benchmarks.md section 4): `loadgen signalling`. It sends
# load to loopback addresses only (many 127.0.0.x sources), so server and generator share the
# server namespace's loopback, still pinned apart. Its JSON is folded into the report when
# present. Tablets are spread over SIGNALLING_HOMES homes: England's care homes have one or two
# tablets each, and every tablet of a home with a call waiting is told when its place moves, so
# packing the tablets into few homes would overstate that work many times over.
log "CareHub: signalling at national scale ($SIGNALLING_TABLETS tablets)"
start_carehub 127.0.0.1
if ! timeout --signal=INT --kill-after=10 600 ip netns exec "$NS_SRV" "${PRIO[@]}" taskset -c "$GEN_CPU" \
        "$LOADGEN" signalling --base "http://127.0.0.1:$HTTP_PORT" --server-pid "$SERVER_PID" \
        --tablets "$SIGNALLING_TABLETS" --homes "$SIGNALLING_HOMES" --duration "$SIGNALLING_SECONDS" --json "$OUT/signalling.json" \
        | tee "$OUT/signalling.txt"; then
    echo "'loadgen signalling' failed; section 4 of the report says so" >&2
    rm -f "$OUT/signalling.json"
fi
stop_server

# --- Direct peer-to-peer baseline ---------------------------------------------------------------
# One-way streams straight from a sender to a receiver in the generator's namespace: what the
# generator and the network add without any relay, at the latency loads' number of senders.
P2P_PAIRS=$(python3 "$ROOT/bench/report.py" p2p-pairs "$OUT/carehub-loads.json")
for pairs in $P2P_PAIRS; do
    log "direct peer-to-peer baseline: $pairs streams"
    gen 120 p2p --local-ip "$GEN_IP" "${CORES[@]}" --pairs "$pairs" --seconds "$SECONDS_PER_WINDOW" \
        --json "$OUT/p2p-$pairs.json" | tee "$OUT/p2p-$pairs.txt" || echo "scenario failed (see above)" >&2
done

# --- Janus --------------------------------------------------------------------------------------
if [ "$JANUS" = 1 ]; then
    log "Janus VideoRoom: relay capacity ramp ($RAMP calls)"
    start_janus
    gen 420 janus --url "ws://$SRV_IP:$JANUS_WS_PORT" --local-ip "$GEN_IP" --server-pid "$SERVER_PID" "${CORES[@]}" \
        --calls "$RAMP" --seconds "$SECONDS_PER_WINDOW" --label janus --json "$OUT/janus-capacity.json" \
        | tee "$OUT/janus-capacity.txt" || echo "Janus capacity run failed" >&2
    if [ -f "$OUT/janus-capacity.json" ]; then
        J_LOADS=$(loads "$OUT/janus-capacity.json")
        log "Janus: fixed loads ($J_LOADS calls)"
        start_janus
        gen 300 janus --url "ws://$SRV_IP:$JANUS_WS_PORT" --local-ip "$GEN_IP" --server-pid "$SERVER_PID" "${CORES[@]}" \
            --calls "$J_LOADS" --seconds $((SECONDS_PER_WINDOW * 2)) --label janus --json "$OUT/janus-loads.json" \
            | tee "$OUT/janus-loads.txt" || echo "Janus fixed-load run failed" >&2
    fi
    stop_server
fi

# --- Weak networks ------------------------------------------------------------------------------
# Real calls between Chromium pages of the web client, the tablet's link shaped by a user-space
# link emulator (tests/network/README.md); its own namespaces, time limits and clean-up.
if [ "$NETWORK" = 1 ]; then
    # Adaptation on (the default) and off, so the gain is a measured figure.
    for adapt in on off; do
        log "weak networks, adaptation $adapt (tests/network/run.sh)"
        NET_ARGS=(--binary "$CAREHUB" --adaptation "$adapt" --json "$OUT/netlab-$adapt.json" --md "$OUT/netlab-$adapt.md")
        [ "$QUICK" = 1 ] && NET_ARGS+=(--short)
        timeout --kill-after=30 1800 "$ROOT/tests/network/run.sh" "${NET_ARGS[@]}" >&2 \
            || echo "the weak-network run (adaptation $adapt) failed (see above)" >&2
    done
fi

# --- The report ---------------------------------------------------------------------------------
if [ "$REPORT" = 1 ]; then
    log "writing docs/benchmarks.md"
    python3 "$ROOT/bench/report.py" write "$OUT" "$ROOT/docs/benchmarks.md" "bench/run.sh $*"
fi
log "done; results in $OUT"
