"""The live window's figures with a chosen view in front: one JSON line per run.

    python benchmarks/bench_window.py --preset deep_bidirectional --view diagram --runs 3

Each run is a fresh process (``rnnviz.gui.app.run_benchmark``: the window trains flat out for
``--seconds`` with every view in sight drawing, then the same preset is timed headless), so
that no run inherits another's caches or threads. ``--view`` brings a view to the front as a
lesson's ``view`` does (``diagram`` shows the Network tab: the diagram over its equations);
without it, the lesson's own. Needs a display (``DISPLAY``, e.g. Xvfb) or
``QT_QPA_PLATFORM=offscreen``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

SCRIPT = (
    "import json, sys\n"
    "from rnnviz.gui.app import run_benchmark\n"
    "view = sys.argv[3] or None\n"
    "print(json.dumps(run_benchmark(sys.argv[1], float(sys.argv[2]), view)))\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="deep_bidirectional")
    parser.add_argument("--view", default="", help="a lesson view's name, e.g. diagram")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    for _ in range(args.runs):
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, args.preset, str(args.seconds), args.view],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            sys.exit(f"bench_window: the run failed:\n{done.stderr.strip()}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["view"] = args.view or None
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
