#!/usr/bin/env python3
"""Writes a moving, textured 1280x720 I420 .y4m for Chromium's fake camera
(--use-file-for-fake-video-capture). Chromium's built-in fake camera encodes at ~0.3 Mbit/s,
which hides congestion; this clip needs well over 1.5 Mbit/s of VP8 at full resolution: a
panning multi-scale texture, three sprites on their own paths and low-amplitude sensor noise
that changes every frame. Pure Python (no numpy): rows are slices of precomputed textures and
the noise is added to a whole plane at once as one big integer (no byte ever carries).

  camera.py OUT.y4m [--fps 30] [--seconds 4] [--noise 5] [--fine 0.1]
"""

import argparse
import math
import os
import random
import sys

W, H = 1280, 720
CW, CH = W // 2, H // 2


def texture(w, h, rng, lo, hi, fine_share):
    """Large blocks (128 px), a slow wave and a wide diagonal stripe, all smooth when scaled
    down, plus per-pixel detail that only full resolution shows; values within [lo, hi]."""
    span = hi - lo
    fine_span = max(1, int(span * fine_share))
    coarse_span = (span - fine_span) * 5 // 10
    wave_span = (span - fine_span) * 3 // 10
    stripe = (span - fine_span) // 10
    coarse = [[rng.randrange(coarse_span) for _ in range(w // 128 + 2)] for _ in range(h // 128 + 2)]
    wave_x = [int(wave_span / 2 * (1 + math.sin(2 * math.pi * x / 240))) for x in range(w)]
    fine = bytes(rng.randrange(fine_span) for _ in range(w * 4))
    rows = []
    for y in range(h):
        c = coarse[y >> 7]
        wy = (1 + math.sin(2 * math.pi * y / 180)) / 2
        off = (y * 7919) % (w * 3)
        f = fine[off:off + w]
        rows.append(bytes(lo + c[x >> 7] + int(wave_x[x] * wy) + f[x] + (((x + 2 * y) >> 5) & 1) * stripe
                          for x in range(w)))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--noise", type=int, default=5, help="temporal noise amplitude, luma levels (0..9)")
    ap.add_argument("--fine", type=float, default=0.1, help="share of the luma range given to per-pixel detail")
    ap.add_argument("--pan", type=int, default=4, help="pixels per frame the background moves")
    ap.add_argument("--sprites", type=int, default=3, help="moving objects (0..3)")
    args = ap.parse_args()
    frames = int(args.fps * args.seconds)
    rng = random.Random(20261123)
    pan_x, pan_y = args.pan, 0  # pixels per frame (4: whole pixels even at a quarter of the size)
    tw, th = W + pan_x * frames + 8, H + pan_y * frames + 8
    luma = texture(tw, th, rng, 24, 214, args.fine)
    # The moving objects: discs with a soft diagonal wave inside (smooth when scaled down, like a
    # face or a hand), with static per-pixel detail that moves with them.
    R = 112
    wave = [bytes(int(110 + 60 * math.sin(2 * math.pi * (x + y) / 56)) + (x * 7 + y * 13) % 11 for x in range(2 * R))
            for y in range(2 * R + 56)]
    chord = [int(math.sqrt(max(0, R * R - (y - R + 0.5) ** 2))) for y in range(2 * R)]
    ctw, cth = CW + frames * pan_x // 2 + 8, CH + frames * pan_y // 2 + 8
    cu = texture(ctw, cth, rng, 90, 170, 0.0)
    cv = texture(ctw, cth, rng, 90, 170, 0.0)
    table = bytes(v * args.noise // 256 for v in range(256))
    noises = [int.from_bytes(os.urandom(W * H).translate(table), "little") for _ in range(7)]
    tmp = args.out + ".part"
    with open(tmp, "wb") as f:
        f.write(f"YUV4MPEG2 W{W} H{H} F{args.fps}:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(frames):
            ox, oy = pan_x * i, pan_y * i
            plane = bytearray(b"".join(luma[oy + y][ox:ox + W] for y in range(H)))
            for k, (ax, ay, px, py) in enumerate(((300, 150, 1, 2), (260, 180, 1, 1), (330, 120, 2, 1))[:args.sprites]):
                # each sprite on its own closed path (whole turns per clip, so the loop is
                # seamless), at most about 16 pixels a frame, in 4-pixel steps
                phase = 2 * math.pi * i / frames
                sx = int(W / 2 - R + ax * math.sin(px * phase + k)) // 4 * 4
                sy = int(H / 2 - R + ay * math.sin(py * phase + 2 * k)) // 4 * 4
                sx, sy = max(0, min(W - 2 * R, sx)), max(0, min(H - 2 * R, sy))
                scroll = (4 * i) % 56
                for y in range(2 * R):
                    c = chord[y]
                    base = (sy + y) * W + sx + R - c
                    plane[base:base + 2 * c] = wave[y + scroll][R - c:R + c]
            noisy = (int.from_bytes(plane, "little") + noises[i % len(noises)]).to_bytes(W * H, "little")
            f.write(b"FRAME\n")
            f.write(noisy)
            cx, cy = ox // 2, oy // 2
            f.write(b"".join(cu[cy + y][cx:cx + CW] for y in range(CH)))
            f.write(b"".join(cv[cy + y][cx:cx + CW] for y in range(CH)))
    os.replace(tmp, args.out)
    print(f"{args.out}: {frames} frames {W}x{H} at {args.fps} fps", file=sys.stderr)


if __name__ == "__main__":
    main()
