#!/usr/bin/env bash
# Weak-network measurements of real calls: real Chromium pages of the real web client (tablet =
# carer1, hub = nurse1), the care-home tablet's link shaped by a user-space link emulator between
# two network namespaces, figures from getStats() on every receiver. See tests/network/README.md.
#
# Usage: tests/network/run.sh [--profiles P0,P1,...] [--adaptation on|off] [--seconds 30]
#                             [--warmup 10] [--json out.json] [--md out.md] [--short] [--assert]
#                             [--clinician] [--binary target/debug/carehub] [--keep]
#   --profiles    which of P0-P6 (default all)
#   --adaptation  passed to the server as CAREHUB__MEDIA__ADAPTATION (if the server knows the key;
#                 the JSON records whether it was applied)
#   --seconds     measuring window per profile (default 30); --warmup before it (default 10)
#   --short       the short form: P0,P1,P4,P5, 10 s windows after 10 s warm-up (25 s for P0, P1),
#                 about 3 minutes
#   --assert      check the targets (with margins in --short) and print "N passed, M failed";
#                 exit 1 if any failed
#   --clinician   add clinician1 as a third party (on the hub side)
#   --keep        keep the work folder (server and coturn logs, screenshots on errors)
# Needs root (namespaces, TUN devices), Debian's chromium, coturn (P5), and
# tests/browser's npm packages (playwright-core). Everything it starts stops with it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CMDLINE="tests/network/run.sh $*"
PROFILES=P0,P1,P2,P3,P4,P5,P6
ADAPTATION=on; SECONDS_WINDOW=30; WARMUP=10; JSON_OUT=; MD_OUT=; SHORT=0; ASSERT=0; CLINICIAN=0; KEEP=0
BIN=$ROOT/target/debug/carehub
PROFILES_SET=0; SECONDS_SET=0; WARMUP_SET=0
while [ $# -gt 0 ]; do
    case $1 in
        --profiles) PROFILES=$2; PROFILES_SET=1; shift ;;
        --adaptation) ADAPTATION=$2; shift ;;
        --seconds) SECONDS_WINDOW=$2; SECONDS_SET=1; shift ;;
        --warmup) WARMUP=$2; WARMUP_SET=1; shift ;;
        --json) JSON_OUT=$2; shift ;;
        --md) MD_OUT=$2; shift ;;
        --short) SHORT=1 ;;
        --assert) ASSERT=1 ;;
        --clinician) CLINICIAN=1 ;;
        --binary) BIN=$2; shift ;;
        --keep) KEEP=1 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if [ "$SHORT" = 1 ]; then
    [ "$PROFILES_SET" = 1 ] || PROFILES=P0,P1,P4,P5
    [ "$SECONDS_SET" = 1 ] || SECONDS_WINDOW=10
    [ "$WARMUP_SET" = 1 ] || WARMUP=10
fi
case $ADAPTATION in on) ADAPT_VALUE=true ;; off) ADAPT_VALUE=false ;; *) echo "run.sh: --adaptation on|off" >&2; exit 2 ;; esac

die() { echo "run.sh: $*" >&2; BROKEN=1; exit 2; }
log() { printf '== %s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- what it needs -----------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "needs root: it makes network namespaces and TUN devices (run as root or with sudo)"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || die "chromium is missing ($CHROMIUM): apt-get install chromium (tests/run-all.sh installs it)"
command -v node >/dev/null || die "node is missing"
[ -d "$ROOT/tests/browser/node_modules/playwright-core" ] || die "playwright-core is missing: (cd tests/browser && npm ci)"
[ -x "$BIN" ] || die "no server binary at $BIN: cargo build --bins"
[ -e /dev/net/tun ] || die "/dev/net/tun is missing"
case ",$PROFILES," in *,P5,*)
    command -v turnserver >/dev/null || die "coturn is missing (P5): apt-get install coturn"
    command -v openssl >/dev/null || die "openssl is missing (P5)" ;;
esac
for p in ${PROFILES//,/ }; do case $p in P[0-6]) ;; *) die "unknown profile $p (P0-P6)" ;; esac; done

# One lab at a time: the namespaces, devices and addresses have fixed names, and bringing a lab
# up tears down whatever runs in them. A second run waits for the first (up to 30 minutes).
LOCK=/run/lock/carehub-netlab.lock
exec 9>>"$LOCK"
if ! flock -n 9; then
    log "another network lab run holds $LOCK; waiting for it (up to 30 minutes)"
    flock -w 1800 9 || die "the network lab is still in use by another run"
fi

NS_HUB=chn-hub; HUB_IP=10.77.0.1; HTTP_PORT=8080; UDP_PORT=8090
BASE=http://$HUB_IP:$HTTP_PORT
WORK=$(mktemp -d /tmp/netlab-run.XXXXXX)
export NETLAB_DIR=$WORK/lab NETLAB_OWNER_PID=$$ NETLAB_MAX_SECONDS=3600
SERVER_PID=; TURN_PID=; DRIVER_PID=; BROKEN=

stop_pid() { # pid: TERM, up to 5 s, then KILL
    local pid=$1
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}
stop_server() { stop_pid "$SERVER_PID"; SERVER_PID=; }
stop_turn() { stop_pid "$TURN_PID"; TURN_PID=; }
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$DRIVER_PID"
    stop_server; stop_turn
    "$HERE/netlab.sh" down 2>/dev/null || true
    # kept when asked, or when something broke (not for failed assertions: those are figures)
    if [ "$KEEP" = 1 ] || [ -n "$BROKEN" ] || { [ "$rc" != 0 ] && [ "$rc" != 1 ]; }; then
        echo "run.sh: work folder kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the camera clip ---------------------------------------------------------------------------
CAMERA_DIR=$ROOT/target/netlab
CAMERA_NOISE=${NETLAB_CAMERA_NOISE:-5}; CAMERA_FINE=${NETLAB_CAMERA_FINE:-0.1}
CAMERA=$CAMERA_DIR/camera-720p30-n$CAMERA_NOISE-f$CAMERA_FINE-$(sha1sum "$HERE/camera.py" | cut -c1-8).y4m
[ -n "${NETLAB_CAMERA:-}" ] && CAMERA=$NETLAB_CAMERA  # a clip of your own, or "builtin" (Chromium's own: ~0.3 Mbit/s)
if [ "$CAMERA" != builtin ] && [ ! -s "$CAMERA" ]; then
    log "writing the camera clip $CAMERA"
    mkdir -p "$CAMERA_DIR"
    rm -f "$CAMERA_DIR"/camera-720p30-*.y4m  # older clips (another camera.py or setting)
    python3 "$HERE/camera.py" "$CAMERA" --fps 30 --seconds 4 --noise "$CAMERA_NOISE" --fine "$CAMERA_FINE"
fi

# --- the lab -----------------------------------------------------------------------------------
log "network lab up (chn-hub $HUB_IP, chn-home 10.77.0.2)"
"$HERE/netlab.sh" up

TURN_SECRET=netlab-turn-secret-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
start_turn() {
    local dir=$WORK/turn
    mkdir -p "$dir"
    if [ ! -s "$dir/turn.crt" ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$HUB_IP" \
            -addext "subjectAltName=IP:$HUB_IP" -keyout "$dir/turn.key" -out "$dir/turn.crt" 2>/dev/null
    fi
    ip netns exec "$NS_HUB" turnserver -n --no-cli --listening-ip="$HUB_IP" --relay-ip="$HUB_IP" \
        --tls-listening-port=443 --no-udp --no-tcp --no-dtls --no-tcp-relay \
        --cert="$dir/turn.crt" --pkey="$dir/turn.key" \
        --use-auth-secret --static-auth-secret="$TURN_SECRET" --realm=carehub.test --fingerprint \
        --min-port=49160 --max-port=49260 --pidfile="$dir/turnserver.pid" --userdb="$dir/turndb" \
        --simple-log --log-file=stdout >"$dir/turnserver.log" 2>&1 &
    TURN_PID=$!
    for _ in $(seq 50); do
        ip netns exec "$NS_HUB" bash -c "exec 3<>/dev/tcp/$HUB_IP/443" 2>/dev/null && return 0
        sleep 0.1
    done
    die "coturn did not start; see $dir/turnserver.log"
}

ADAPT_APPLIED=
start_server() { # profile
    stop_server
    local data=$WORK/server-$1
    rm -rf "$data"; mkdir -p "$data"
    local env=(CAREHUB__SERVER__BIND="$HUB_IP:$HTTP_PORT" CAREHUB__MEDIA__UDP_BIND="$HUB_IP:$UDP_PORT"
               CAREHUB__SERVER__DEMO_HISTORY_DAYS=0 CAREHUB__LOG__LEVEL=warn)
    [ "$1" = P5 ] && env+=(CAREHUB__MEDIA__TURN_SECRET="$TURN_SECRET"
                           CAREHUB__MEDIA__TURN_URLS="[\"turns:$HUB_IP:443?transport=tcp\"]")
    local attempt
    for attempt in with without; do
        local extra=()
        [ "$attempt" = with ] && [ "$ADAPT_APPLIED" != no ] && extra=(CAREHUB__MEDIA__ADAPTATION="$ADAPT_VALUE")
        (cd "$data" && exec env "${env[@]}" "${extra[@]}" ip netns exec "$NS_HUB" "$BIN" >>"$data/server.log" 2>&1) &
        SERVER_PID=$!
        for _ in $(seq 300); do
            if ip netns exec "$NS_HUB" curl -fs -m 1 "$BASE/healthz" >/dev/null 2>&1; then
                [ ${#extra[@]} -gt 0 ] && ADAPT_APPLIED=yes
                return 0
            fi
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
        if [ ${#extra[@]} -gt 0 ] && grep -q "media.adaptation" "$data/server.log"; then
            log "this server does not know media.adaptation; running without it"
            ADAPT_APPLIED=no
            continue
        fi
        break
    done
    cat "$data/server.log" >&2
    die "the server did not start (profile $1)"
}

# --- the profiles ------------------------------------------------------------------------------
RESULTS=$WORK/results
mkdir -p "$RESULTS"
FLAGS=()
[ "$CLINICIAN" = 1 ] && FLAGS+=(--clinician)
STARTED=$(date +%s)
for p in ${PROFILES//,/ }; do
    log "$p"
    "$HERE/netlab.sh" reset
    CHROME_FLAGS=()
    if [ "$p" = P5 ]; then
        start_turn
        # Chromium checks a TURNS server's certificate against the system's roots; the runner's
        # self-signed one passes only with this flag (see README).
        SPKI=$(openssl x509 -in "$WORK/turn/turn.crt" -pubkey -noout | openssl pkey -pubin -outform der 2>/dev/null \
               | openssl dgst -sha256 -binary | base64)
        TURNS_FLAG=${NETLAB_TURNS_FLAG-"--ignore-certificate-errors-spki-list=$SPKI"}
        [ -n "$TURNS_FLAG" ] && CHROME_FLAGS+=("--chromium-flag=$TURNS_FLAG")
    fi
    start_server "$p"
    warmup=$WARMUP
    # A call starts at a low resolution and the senders climb for 15-30 s; only then does the
    # nurse's video outgrow a 1 Mbit/s link. The short form's 10 s window must see where the
    # call gets to, so P0 and P1 wait longer there.
    case $p in P0|P1) [ "$SHORT" = 1 ] && [ "$WARMUP_SET" = 0 ] && warmup=25 ;; esac
    limit=$((warmup + SECONDS_WINDOW + 180))
    # In the background and waited for, so that Ctrl-C reaches the trap at once (timeout puts
    # the driver in a process group of its own); the trap stops it.
    ip netns exec "$NS_HUB" timeout --kill-after=10 "$limit" node "$HERE/call.mjs" --profile "$p" --base "$BASE" \
        --emu "$NETLAB_DIR/linkemu.sock" --camera "$CAMERA" --out "$RESULTS/$p.json" --netlab "$HERE/netlab.sh" \
        --seconds "$SECONDS_WINDOW" --warmup "$warmup" --limit "$limit" --work "$WORK" "${FLAGS[@]}" "${CHROME_FLAGS[@]}" &
    DRIVER_PID=$!
    wait "$DRIVER_PID" || { log "$p: the call driver failed (its JSON says why)"; BROKEN=1; }
    DRIVER_PID=
    stop_server
    stop_turn
    # anything the driver left in the namespaces (it should leave nothing)
    for ns in chn-hub chn-home; do for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null || true; done; done
done

# --- the report --------------------------------------------------------------------------------
META=$WORK/meta.json
python3 - "$META" <<EOF
import json, os, subprocess, sys
def out(*cmd):
    try: return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception: return None
json.dump({
  "command": """$CMDLINE""",
  "git_head": out("git", "-C", "$ROOT", "rev-parse", "HEAD"),
  "binary": "$BIN",
  "adaptation": {"requested": "$ADAPTATION", "applied": "$ADAPT_APPLIED" == "yes"},
  "chromium": out("$CHROMIUM", "--version"),
  "camera": os.path.basename("$CAMERA"),
  "cores": os.cpu_count(), "loadavg_at_end": os.getloadavg(),
  "short": $SHORT == 1, "window_s": $SECONDS_WINDOW, "warmup_s": $WARMUP,
  "elapsed_s": $(date +%s) - $STARTED,
}, open(sys.argv[1], "w"))
EOF
REPORT_ARGS=(--meta "$META" --results "$RESULTS" --profiles "$PROFILES")
[ -n "$JSON_OUT" ] && REPORT_ARGS+=(--json "$JSON_OUT")
[ -n "$MD_OUT" ] && REPORT_ARGS+=(--md "$MD_OUT")
[ "$ASSERT" = 1 ] && REPORT_ARGS+=(--assert)
[ "$SHORT" = 1 ] && REPORT_ARGS+=(--short)
node "$HERE/report.mjs" "${REPORT_ARGS[@]}"
