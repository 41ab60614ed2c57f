#!/usr/bin/env bash
# The network lab: two namespaces joined by the user-space link emulator (linkemu.py).
#
#   chn-hub   10.77.0.1/24 on chl-hub    the server, coturn, the nurse's (and clinician's) browser
#   chn-home  10.77.0.2/24 on chl-home   the care-home tablet's browser
#
# Packets between them pass through linkemu.py: "down" is hub -> home, "up" is home -> hub.
# Neither namespace has any other interface or route: traffic can only reach loopback or the
# other namespace.
#
#   netlab.sh up            create namespaces, start the emulator, set addresses (idempotent:
#                           tears down a previous lab first)
#   netlab.sh down          stop the emulator and everything left in the namespaces, delete them
#   netlab.sh shape JSON    a linkemu control request, e.g. '{"both":{"rate_kbps":1000}}'
#   netlab.sh move-home IP  the tablet's address changes (Wi-Fi to 4G): old address out, IP in
#   netlab.sh reset         clean link, original address, UDP allowed, counters zeroed
#   netlab.sh status        emulator state and counters (JSON)
#
# run.sh holds /run/lock/carehub-netlab.lock for its whole run; when using this script by hand,
# do not run it beside run.sh (`up` and `down` stop whatever runs in the namespaces).
# Environment: NETLAB_DIR (state, default /tmp/netlab), NETLAB_OWNER_PID (the emulator exits when
# this process is gone; default: none), NETLAB_MAX_SECONDS (emulator lifetime, default 3600).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
NS_HUB=chn-hub; NS_HOME=chn-home
DEV_HUB=chl-hub; DEV_HOME=chl-home
HUB_IP=10.77.0.1; HOME_IP=10.77.0.2; PREFIX=24
DIR=${NETLAB_DIR:-/tmp/netlab}
SOCK=$DIR/linkemu.sock
PY=${PYTHON:-python3}

die() { echo "netlab: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, TUN devices)"
command -v ip >/dev/null || die "needs iproute2 (ip)"

kill_pid() { # pid: TERM, wait up to 3 s, then KILL
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

down() {
    # Whatever still runs inside our namespaces was started by this lab's runner.
    for ns in "$NS_HOME" "$NS_HUB"; do
        if ip netns list | grep -qw "$ns"; then
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        fi
    done
    if [ -f "$DIR/linkemu.pid" ]; then
        kill_pid "$(cat "$DIR/linkemu.pid")"
        rm -f "$DIR/linkemu.pid"
    fi
    for ns in "$NS_HOME" "$NS_HUB"; do
        if ip netns list | grep -qw "$ns"; then
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
            ip netns del "$ns" 2>/dev/null || true
        fi
    done
    # Non-persistent TUN devices vanish with the emulator; remove any left by an older run.
    for dev in "$DEV_HUB" "$DEV_HOME"; do ip link del "$dev" 2>/dev/null || true; done
    rm -f "$SOCK" "$DIR/linkemu.ready"
}

ctl() { "$PY" "$HERE/linkemu.py" ctl "$SOCK" "$1"; }

up() {
    down
    mkdir -p "$DIR"
    for ns in "$NS_HUB" "$NS_HOME"; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        # IPv4 only: no IPv6 link-local chatter over the emulated link
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || true
    done
    local owner=()
    [ -n "${NETLAB_OWNER_PID:-}" ] && owner=(--parent-pid "$NETLAB_OWNER_PID")
    "$PY" "$HERE/linkemu.py" run --a "$DEV_HUB:$NS_HUB" --b "$DEV_HOME:$NS_HOME" --control "$SOCK" \
        --ready "$DIR/linkemu.ready" --max-seconds "${NETLAB_MAX_SECONDS:-3600}" "${owner[@]}" \
        >>"$DIR/linkemu.log" 2>&1 &
    echo $! >"$DIR/linkemu.pid"
    for _ in $(seq 100); do [ -f "$DIR/linkemu.ready" ] && break; sleep 0.05; done
    [ -f "$DIR/linkemu.ready" ] || { cat "$DIR/linkemu.log" >&2; die "the link emulator did not start"; }
    ip -n "$NS_HUB" addr add "$HUB_IP/$PREFIX" dev "$DEV_HUB"
    ip -n "$NS_HOME" addr add "$HOME_IP/$PREFIX" dev "$DEV_HOME"
    ip -n "$NS_HUB" link set "$DEV_HUB" up
    ip -n "$NS_HOME" link set "$DEV_HOME" up
    # A quick check that the link carries traffic (TCP connect to a closed port: RST back).
    local t0; t0=$(date +%s%N)
    ip netns exec "$NS_HOME" timeout 5 bash -c "exec 3<>/dev/tcp/$HUB_IP/9" 2>/dev/null || true
    local back; back=$("$PY" "$HERE/linkemu.py" ctl "$SOCK" '{"cmd":"stats"}' | "$PY" -c 'import json,sys; s=json.load(sys.stdin); print(s["down"]["out_pkts"])')
    [ "$back" -ge 1 ] || die "the emulated link carries nothing"
    ctl '{"cmd":"reset_stats"}' >/dev/null
}

move_home() {
    local new=$1 old
    old=$(ip -n "$NS_HOME" -4 -o addr show dev "$DEV_HOME" | awk '{print $4}' | head -1)
    [ -n "$old" ] && ip -n "$NS_HOME" addr del "$old" dev "$DEV_HOME"
    ip -n "$NS_HOME" addr add "$new/$PREFIX" dev "$DEV_HOME"
}

reset() {
    ctl '{"cmd":"set","outage":false,"block_udp":false,"both":{"rate_kbps":0,"delay_ms":0,"jitter_ms":0,"loss":0,"queue_ms":150}}' >/dev/null
    ctl '{"cmd":"reset_stats"}' >/dev/null
    local cur
    cur=$(ip -n "$NS_HOME" -4 -o addr show dev "$DEV_HOME" | awk '{print $4}' | head -1)
    [ "$cur" = "$HOME_IP/$PREFIX" ] || move_home "$HOME_IP"
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    shape) ctl "${2:?JSON request}" ;;
    move-home) move_home "${2:?new address}" ;;
    reset) reset ;;
    status) ctl '{"cmd":"stats"}' ;;
    *) sed -n '2,22p' "$0" >&2; exit 2 ;;
esac
