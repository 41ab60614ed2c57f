#!/usr/bin/env python3
"""Turns the load generator's JSON results into docs/benchmarks.md (and helps bench/run.sh
pick fixed loads). Kept separate from the shell script so the report's arithmetic is readable.

  report.py loads CAPACITY.json         calls for 10, 25, 50 and 70% of the server's core
  report.py p2p-pairs LOADS.json        peer-to-peer stream counts matching the 25/70% loads
  report.py weak OUT_DIR                the weak-network section (netlab-on/off.json) alone
  report.py write OUT_DIR REPORT.md CMD rewrite the report from OUT_DIR's results
"""

import datetime
import json
import os
import platform
import subprocess
import sys

LOADS = [0.10, 0.25, 0.50, 0.70]
# The checkout's root: recorded commands name their files relative to it, so the report carries
# no machine's paths.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(path):
    try:
        with open(path) as f:
            result = json.load(f)
    except (OSError, ValueError):
        return None
    if isinstance(result, dict) and isinstance(result.get("command"), str):
        result["command"] = result["command"].replace(ROOT + os.sep, "")
    return result


def cpu_per_call(capacity):
    """Server core share per call, from the largest valid, unsaturated window."""
    best = None
    for w in (capacity or {}).get("windows", []):
        cpu = w.get("server_cpu")
        if cpu and w["calls"] >= 5 and w.get("valid") and cpu < 0.95:
            best = cpu / w["calls"]
    return best


def loads(path):
    per_call = cpu_per_call(read(path))
    if not per_call:
        return "5,10,20,30"
    counts = [max(1, round(load / per_call)) for load in LOADS]
    # Strictly increasing, so each window adds calls.
    for i in range(1, len(counts)):
        counts[i] = max(counts[i], counts[i - 1] + 1)
    return ",".join(str(c) for c in counts)


def p2p_pairs(path):
    r = read(path)
    ws = (r or {}).get("windows", [])
    picks = [ws[i]["calls"] * 3 for i in (1, 3) if i < len(ws)]
    return " ".join(str(p) for p in (picks or [30]))


def f(v, digits=2, unit=""):
    if v is None:
        return "–"
    return f"{v:.{digits}f}{unit}"


def pct(v, digits=1):
    return "–" if v is None else f"{v * 100:.{digits}f}%"


def capacity_of(r, max_loss):
    """Most calls in a valid window with loss under max_loss and no freeze over 500 ms."""
    best = 0
    for w in (r or {}).get("windows", []):
        if w.get("valid") and w["loss"] < max_loss and w["max_video_gap_ms"] <= 500 and w["failed_participants"] == 0:
            best = max(best, w["calls"])
    return best


def projected(r):
    """Calls one whole core would carry at the CPU per call of the busiest valid window."""
    best = None
    for w in (r or {}).get("windows", []):
        cpu = w.get("server_cpu")
        if w.get("valid") and cpu and w["calls"] >= 5:
            best = w["calls"] / cpu
    return best


def contended_windows(*rs):
    return sum(1 for r in rs for w in (r or {}).get("windows", []) if w.get("contended"))


def limited_by(r):
    if not r:
        return "not run"
    if r.get("stopped"):
        return r["stopped"]
    return "ramp ended before any limit"


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as c:
            for line in c:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores (`nproc`), {model}, Linux {platform.release()}"


def janus_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "janus"], capture_output=True, text=True)
        return out.stdout.strip() or "not installed"
    except OSError:
        return "not installed"


def window_row(w):
    return (f"| {w['calls']} | {pct(w.get('server_cpu'))} | {pct(w.get('generator_cpu'))} | "
            f"{w['forwarded_pps']:.0f} | {f(w.get('packets_per_cpu_second'), 0)} | {pct(w['loss'], 2)} | "
            f"{w['max_video_gap_ms']:.0f} | {f(w['audio_latency'].get('p50'))} / {f(w['audio_latency'].get('p99'))} | "
            f"{f(w.get('server_rss_mib'), 0)} | {pct(w.get('server_core_other'), 0)} / {pct(w.get('generator_core_other'), 0)}"
            f"{' (contended)' if w.get('contended') else ''} | "
            f"{'yes' if w.get('valid') else '**no** (generator saturated)'} |")


WINDOW_HEAD = ("| calls | server CPU | generator CPU | forwarded pkt/s | pkt per CPU-s | loss | longest video gap (ms) | audio p50 / p99 (ms) | server RSS (MiB) | others on server / generator core | valid |\n"
               "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")


def windows_table(r):
    if not r or not r.get("windows"):
        return "_Not measured in this run._\n"
    rows = "\n".join(window_row(w) for w in r["windows"])
    return f"{WINDOW_HEAD}\n{rows}\n"


def memory_per_call(r):
    if not r or r.get("idle_rss_mib") is None:
        return None
    ws = [w for w in r.get("windows", []) if w.get("server_rss_mib") and w["calls"] > 0]
    if not ws:
        return None
    last = ws[-1]
    return (last["server_rss_mib"] - r["idle_rss_mib"]) / last["calls"]


def latency_rows(label, r, base_by_pairs):
    rows = []
    ws = (r or {}).get("windows", [])
    for i, load in ((1, "nominal 25%"), (3, "nominal 70%")):
        if i >= len(ws):
            continue
        w = ws[i]
        a = w["audio_latency"]
        v = w["video_latency"]
        # The baseline run with the nearest number of senders.
        base = None
        if base_by_pairs:
            nearest = min(base_by_pairs, key=lambda n: abs(n - w["calls"] * 3))
            base = base_by_pairs[nearest]
        b = base["windows"][0]["audio_latency"] if base else {}

        def added(key):
            if a.get(key) is None or b.get(key) is None:
                return "–"
            return f"{a[key] - b[key]:.2f}"

        rows.append(
            f"| {label} | {load} ({w['calls']} calls, CPU {pct(w.get('server_cpu'))}) | "
            f"{f(a.get('p50'))} / {f(a.get('p99'))} / {f(a.get('p999'))} | "
            f"{f(b.get('p50'))} / {f(b.get('p99'))} / {f(b.get('p999'))} | "
            f"{added('p50')} / {added('p99')} / {added('p999')} | "
            f"{f(v.get('p50'))} / {f(v.get('p99'))} / {f(v.get('p999'))} |")
    return rows


def fixed_load_rows(ch, ja):
    rows = []
    cw = (ch or {}).get("windows", [])
    jw = (ja or {}).get("windows", [])
    for i, load in enumerate(["10%", "25%", "50%", "70%"]):
        c = cw[i] if i < len(cw) else None
        j = jw[i] if i < len(jw) else None
        cp = c.get("packets_per_cpu_second") if c else None
        jp = j.get("packets_per_cpu_second") if j else None
        ratio = f"{cp / jp:.2f}×" if cp and jp else "–"
        def cell(w):
            if not w:
                return "– | – | –"
            return f"{w['calls']} | {pct(w.get('server_cpu'))} | {f(w.get('cpu_us_per_packet'))}"
        rows.append(f"| {load} | {cell(c)} | {cell(j)} | {f(cp, 0)} | {f(jp, 0)} | {ratio} |")
    return rows


def signalling_section(out):
    s = read(os.path.join(out, "signalling.json"))
    if s is None:
        return ("_Not measured in this run: `loadgen signalling` (built separately) did not "
                "write results. bench/run.sh runs it when it is present._\n")
    text = os.path.join(out, "signalling.txt")
    summary = ""
    if os.path.exists(text):
        with open(text) as t:
            summary = t.read().strip()
    body = f"Command: `{s.get('command', 'loadgen signalling')}`\n\n"
    if summary:
        body += "```\n" + summary + "\n```\n\n"
    body += "<details><summary>Raw results</summary>\n\n```json\n" + json.dumps(s, indent=2) + "\n```\n</details>\n"
    return body


def target(ok):
    return "**met**" if ok else "**not met**"


WEAK_TARGETS = {
    "P0": "no worse than before (20 fps, 960x540)",
    "P1": "median >= 15 fps, < 2 s of freezes a minute, audio concealment < 3%",
    "P2": "audio concealment < 5%; video >= 5 fps on a lower layer, or paused with the notice",
    "P3": "audio concealment < 5%; video >= 5 fps on a lower layer, or paused with the notice",
    "P4": "stays in consultation; media back within 3 s of the link returning",
    "P5": "connected through TURN within 5 s; media both ways",
    "P6": "stays in consultation; media back within 3 s of the link returning",
}


def weak_cells(r, direction):
    d = (r or {}).get("directions", {}).get(direction) or {}
    size = f"{d['width']}x{d['height']}" if d.get("width") else "–"
    conceal = d.get("audio_concealment_pct")
    return [f(d.get("fps_median"), 1), size, f(d.get("freeze_s_per_min"), 1),
            "–" if conceal is None else f"{conceal:.1f}%"]


def weak_extra(r):
    if not r:
        return "not measured"
    notes = []
    rec = r.get("recovery") or {}
    if rec.get("media_back_ms") is not None:
        notes.append(f"media back {rec['media_back_ms'] / 1000:.1f} s")
    elif rec:
        notes.append("media not back")
    turn = r.get("turn") or {}
    if turn:
        notes.append(f"TURN {'relayed' if turn.get('relayed') else 'not relayed'}, "
                     f"connected {f((turn.get('join_to_connected_ms') or 0) / 1000, 1)} s")
    call = r.get("call") or {}
    if call.get("left_consultation"):
        notes.append("call LEFT consultation")
    if r.get("errors"):
        notes.append("errors: " + "; ".join(map(str, r["errors"]))[:120])
    return ", ".join(notes)


def weak_section(out):
    """Markdown for the weak-network matrix: adaptation on beside off, from netlab-on.json and
    netlab-off.json (tests/network/run.sh) in `out`."""
    on = read(os.path.join(out, "netlab-on.json"))
    off = read(os.path.join(out, "netlab-off.json"))
    if not on and not off:
        return []
    meta = (on or off).get("meta", {})
    lines = ["## 5. Weak networks", ""]
    w = lines.append
    w("Real calls between Debian Chromium pages of the web client (tablet = `carer1`, hub = "
      "`nurse1`) through the relay, the tablet's link shaped by the user-space link emulator of "
      "`tests/network/` (two network namespaces joined by TUN devices: rate, drop-tail queue of "
      "150 ms, delay, jitter, loss, outages), each camera fed a moving 720p clip. Figures are read "
      "from `getStats()` on each receiver over a "
      f"{meta.get('window_s', '?')} s window after {meta.get('warmup_s', '?')} s of warm-up; "
      "fps is the median of 1 s samples, freezes are seconds a minute, audio concealment is "
      "concealed samples over samples received. \"down\" is towards the tablet (nurse->tablet). "
      "Adaptation on is the default; off is `media.adaptation = false` (every receiver gets the "
      "top layer whatever its link).")
    w("")
    for label, r in (("on", on), ("off", off)):
        if r:
            # Where the run wrote its files says nothing about the figures, and names a machine.
            words = r["meta"].get("command", "?").split()
            shown = []
            for word in words:
                if shown and shown[-1] in ("--json", "--md", "--binary"):
                    shown.pop()
                    continue
                shown.append(word)
            w(f"- Adaptation {label}: `{' '.join(shown)}` "
              f"(git {str(r['meta'].get('git_head', '?'))[:10]}, {r['meta'].get('chromium', '?')})")
    w("")
    w("| profile | direction | fps on / off | size on / off | freezes s/min on / off | "
      "audio concealed on / off | on: notes | off: notes |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- |")
    profiles = sorted(set((on or {}).get("profiles", {})) | set((off or {}).get("profiles", {})))
    for p in profiles:
        r_on = (on or {}).get("profiles", {}).get(p)
        r_off = (off or {}).get("profiles", {}).get(p)
        for i, d in enumerate(("nurse->tablet", "tablet->nurse")):
            a, b = weak_cells(r_on, d), weak_cells(r_off, d)
            cells = [f"{x} / {y}" for x, y in zip(a, b)]
            notes = [weak_extra(r_on), weak_extra(r_off)] if i == 0 else ["", ""]
            w(f"| {p if i == 0 else ''} | {d} | " + " | ".join(cells + notes) + " |")
    w("")
    w("Targets per profile (per direction):")
    w("")
    for p in profiles:
        w(f"- {p}: {WEAK_TARGETS.get(p, '')}")
    w("")
    return lines


def write(out, report, command):
    cap = read(os.path.join(out, "carehub-capacity.json"))
    loads_r = read(os.path.join(out, "carehub-loads.json"))
    setup = read(os.path.join(out, "carehub-setup.json"))
    jcap = read(os.path.join(out, "janus-capacity.json"))
    jloads = read(os.path.join(out, "janus-loads.json"))
    p2p = {}
    for name in os.listdir(out):
        if name.startswith("p2p-") and name.endswith(".json"):
            r = read(os.path.join(out, name))
            if r and r.get("windows"):
                p2p[r["windows"][0]["calls"]] = r
    notes_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.md")
    notes = open(notes_path).read().strip() if os.path.exists(notes_path) else ""

    ch_cap_05 = capacity_of(cap, 0.005)
    ch_cap_1 = capacity_of(cap, 0.01)
    j_cap_1 = capacity_of(jcap, 0.01)
    j_cap_05 = capacity_of(jcap, 0.005)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    # Targets.
    ppcs = [w.get("packets_per_cpu_second") for w in (loads_r or {}).get("windows", [])[:3]]
    jppcs = [w.get("packets_per_cpu_second") for w in (jloads or {}).get("windows", [])[:3]]
    ratios = [c / j for c, j in zip(ppcs, jppcs) if c and j]
    lat25 = (loads_r or {}).get("windows", [{}, {}])[1:2]
    lat = lat25[0]["audio_latency"] if lat25 and "audio_latency" in lat25[0] else {}
    base25 = None
    if lat25 and "calls" in lat25[0] and p2p:
        base25 = p2p[min(p2p, key=lambda n: abs(n - lat25[0]["calls"] * 3))]
    b = base25["windows"][0]["audio_latency"] if base25 else {}
    added_p50 = lat["p50"] - b["p50"] if lat.get("p50") is not None and b.get("p50") is not None else None
    added_p99 = lat["p99"] - b["p99"] if lat.get("p99") is not None and b.get("p99") is not None else None
    s1 = (setup or {}).get("setup") or {}
    storm = (setup or {}).get("storm") or {}

    lines = []
    w = lines.append
    w("# Benchmarks")
    w("")
    w("<!-- Generated by bench/run.sh (bench/report.py): do not edit by hand; edit bench/notes.md. -->")
    w("")
    w(f"- **Date:** {date}")
    w(f"- **Machine:** {machine()}")
    w(f"- **Command:** `{command}` (every figure below also names the `loadgen` command that produced it)")
    w(f"- **Peer:** Janus Gateway {janus_version()} (Debian package), VideoRoom plugin")
    w("")
    w("How it is measured: the server under test runs in its own network namespace pinned to core 0 "
      "(`taskset -c 0`), the load generator (`tests/loadgen`, release build) in another namespace pinned "
      "to core 1; a veth pair joins them (10.201.0.1 and 10.201.0.2, private to the namespaces). "
      "Each call has three participants (tablet, nurse, clinician). Each participant sends VP8-shaped video "
      "(30 frames/s, about 0.94 Mbit/s and 123 packets/s, a keyframe every 3 s and on request) and Opus-shaped "
      "audio (50 packets/s); every frame and audio packet carries its sender, a sequence number and its send "
      "time, so receivers measure loss (units sent by the others but never received) and one-way latency. "
      "CPU comes from `/proc/PID/stat` over each window; a window in which the generator used more than 90% "
      "of its core is marked invalid (the generator, not the server, was the limit). For CareHub the "
      "generator logs in with real tokens, creates the call, claims, starts and invites through the API and "
      "joins over `/api/ws`; for Janus it creates a VideoRoom per call, publishes and subscribes over "
      "Janus's WebSocket API. Both servers negotiate DTLS-SRTP with the generator's str0m peers, which "
      "offer AES-GCM first; both support it.")
    w("")
    w("## 1. Relay capacity")
    w("")
    w("| | CareHub | Janus |")
    w("|---|---:|---:|")
    w(f"| three-party calls on one core, loss < 1%, no freeze > 500 ms | {ch_cap_1} | {j_cap_1} |")
    w(f"| … with loss < 0.5% | {ch_cap_05} | {j_cap_05} |")
    w(f"| projected calls per free core (calls ÷ server CPU share, busiest valid window) | {f(projected(cap), 0)} | {f(projected(jcap), 0)} |")
    w(f"| what ended the ramp | {limited_by(cap)} | {limited_by(jcap)} |")
    w(f"| memory per call (RSS growth / calls) | {f(memory_per_call(cap), 2, ' MiB')} | {f(memory_per_call(jcap), 2, ' MiB')} |")
    w("")
    w("A capacity figure only counts windows where the generator had headroom; when the ramp ended because "
      "the generator saturated, the server's true capacity is higher than the figure.")
    n = contended_windows(cap, loads_r, jcap, jloads)
    if n:
        w("")
        w(f"**This run was on a shared machine:** in {n} measurement windows other processes took more than 15% "
          "of a pinned core (the `contended` column), so loss and latency there include waiting for the CPU. "
          "CPU time per packet (from the processes' own CPU time) is the figure least affected; the "
          "projected calls per core is derived from it.")
    w("")
    w(f"### CareHub ramp\n\nCommand: `{(cap or {}).get('command', '–')}`\n")
    w(windows_table(cap))
    w(f"### Janus ramp\n\nCommand: `{(jcap or {}).get('command', '–')}`\n")
    w(windows_table(jcap))
    w("### CPU per forwarded packet at fixed loads")
    w("")
    w("Nominal loads are the call counts that the ramp's CPU per call predicted would use 10, 25, 50 and "
      "70% of the server's core; the CPU column is what they actually used. 'Forwarded packets' are the "
      "datagrams the participants received.")
    w("")
    w(f"Commands: `{(loads_r or {}).get('command', '–')}`; `{(jloads or {}).get('command', '–')}`")
    w("")
    w("| nominal load | CareHub calls | CareHub CPU | CareHub µs/packet | Janus calls | Janus CPU | Janus µs/packet | CareHub pkt per CPU-s | Janus pkt per CPU-s | ratio |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in fixed_load_rows(loads_r, jloads):
        w(row)
    w("")
    w("## 2. Added latency through the relay")
    w("")
    w("One-way audio packet latency, ms (p50 / p99 / p99.9), through the relay at 25% and 70% of its core, "
      "against the direct peer-to-peer baseline (`loadgen p2p`: the same generator sending straight from one "
      "peer to another with as many senders, so its own cost and the veth are subtracted). Video is whole "
      "frames (last packet in).")
    w("")
    w("| server | load | relay p50 / p99 / p99.9 | direct p50 / p99 / p99.9 | added p50 / p99 / p99.9 | video frame p50 / p99 / p99.9 |")
    w("|---|---|---|---|---|---|")
    for row in latency_rows("CareHub", loads_r, p2p) + latency_rows("Janus", jloads, p2p):
        w(row)
    w("")
    w("Baseline commands: " + ", ".join(f"`{r.get('command', '')}`" for r in p2p.values()) if p2p else "Baseline: not run.")
    w("")
    w("## 3. Call set-up")
    w("")
    w("From the nurse's answer (the claim request) to the first media at each side (tablet and nurse), "
      "with the tablet and hub screen already connected, as in service.")
    w("")
    w(f"Command: `{(setup or {}).get('command', '–')}`")
    w("")
    w("| | calls | p50 (ms) | p95 (ms) | max (ms) | failed |")
    w("|---|---:|---:|---:|---:|---:|")
    w(f"| one at a time | {s1.get('calls', '–')} | {f(s1.get('p50_ms'))} | {f(s1.get('p95_ms'))} | {f(s1.get('max_ms'))} | {s1.get('failed', '–')} |")
    w(f"| join storm (all at once) | {storm.get('calls', '–')} | {f(storm.get('p50_ms'))} | {f(storm.get('p95_ms'))} | {f(storm.get('max_ms'))} | {storm.get('failed', '–')} |")
    w("")
    w("## 4. Signalling at national scale")
    w("")
    w(signalling_section(out))
    lines.extend(weak_section(out))
    w("## Targets")
    w("")
    w("| target | measured | |")
    w("|---|---|---|")
    w(f"| ≥ 100 three-party calls per core with loss < 0.5% | {ch_cap_05} | {target(ch_cap_05 >= 100)} |")
    ratio_text = ", ".join(f"{r:.2f}×" for r in ratios) if ratios else "–"
    w(f"| ≥ 1.5 × Janus's packets per CPU-second (10/25/50% loads) | {ratio_text} | {target(bool(ratios) and min(ratios) >= 1.5)} |")
    w(f"| added latency p50 < 1 ms at 25% load | {f(added_p50)} ms | {target(added_p50 is not None and added_p50 < 1)} |")
    w(f"| added latency p99 < 5 ms at 25% load | {f(added_p99)} ms | {target(added_p99 is not None and added_p99 < 5)} |")
    w(f"| set-up p50 < 100 ms | {f(s1.get('p50_ms'))} ms | {target(s1.get('p50_ms') is not None and s1['p50_ms'] < 100)} |")
    w("")
    if notes:
        w(notes)
        w("")
    with open(report, "w") as r:
        r.write("\n".join(lines))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "loads":
        print(loads(sys.argv[2]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "p2p-pairs":
        print(p2p_pairs(sys.argv[2]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "weak":
        print("\n".join(weak_section(sys.argv[2])))
    elif len(sys.argv) >= 5 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
