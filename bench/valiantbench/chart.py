"""Full repaints of the desktop chart with one day of one-second points."""

import json
import os
import subprocess

from .common import Row, build_dir, met

TARGET_MS = 16


def run(options):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    output = subprocess.run([os.path.join(build_dir(), "bench", "chartbench"), "--points", "86400",
                             "--runs", "10" if options.quick else "50"],
                            check=True, capture_output=True, text=True, env=env).stdout
    chart = json.loads(output.strip().splitlines()[-1])
    row = Row(f"Chart repaint, {chart['points']:,} points, {chart['width']}×{chart['height']} at "
              f"2× scale", f"median {chart['median_ms']:.1f} ms, p95 {chart['p95_ms']:.1f} ms",
              f"p95 under {TARGET_MS} ms", met(chart["p95_ms"] < TARGET_MS))
    return chart, [row]
