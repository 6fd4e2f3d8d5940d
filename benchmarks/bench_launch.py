"""Launch to a visible window: how long ``rnnviz`` takes from its start until its window is
mapped on the X display, median of several runs. One JSON line.

    python benchmarks/bench_launch.py --runs 7                  (on $DISPLAY, e.g. Xvfb)
    python benchmarks/bench_launch.py --runs 7 --xvfb :57       (starts an Xvfb of its own)

Each run starts the installed ``rnnviz`` command (``--preset`` as given, default the lesson
the window opens on) and polls ``xdotool search --onlyvisible`` every ``POLL_S`` for a window
whose title starts with "rnnviz" (a window is "visible" to it once it is mapped); then it ends
rnnviz with SIGTERM and waits for it to exit. A run that shows no window within ``TIMEOUT_S``
counts as failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

#: How often the display is asked for the window, in seconds.
POLL_S = 0.005
#: How long a run may take to show its window.
TIMEOUT_S = 30.0


def rnnviz_command() -> list[str]:
    script = Path(sys.executable).with_name("rnnviz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rnnviz"]


def window_mapped(env: dict[str, str], pid: int) -> bool:
    """Whether process ``pid`` has a mapped top-level window titled rnnviz…"""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--pid", str(pid), "--name", "^rnnviz"],
        env=env,
        capture_output=True,
        text=True,
    )
    return found.returncode == 0 and bool(found.stdout.strip())


def launch_once(env: dict[str, str], extra: list[str]) -> float | None:
    """Seconds from starting rnnviz until its window is mapped (None: it never was)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [*rnnviz_command(), *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen = None
    try:
        while time.perf_counter() - start < TIMEOUT_S and process.poll() is None:
            if window_mapped(env, process.pid):
                seen = time.perf_counter() - start
                break
            time.sleep(POLL_S)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--preset", default="", help="the lesson to open (default: rnnviz's)")
    parser.add_argument("--xvfb", default="", help="start an Xvfb on this display, e.g. :57")
    args = parser.parse_args()
    if shutil.which("xdotool") is None:
        sys.exit("bench_launch: needs xdotool")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM",)}
    server = None
    if args.xvfb:
        server = subprocess.Popen(
            ["Xvfb", args.xvfb, "-screen", "0", "1920x1080x24"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        env["DISPLAY"] = args.xvfb
        time.sleep(1.0)  # the server's start
    if not env.get("DISPLAY"):
        sys.exit("bench_launch: needs DISPLAY (an X server, e.g. Xvfb) or --xvfb :N")
    extra = ["--preset", args.preset] if args.preset else []
    try:
        launch_once(env, extra)  # a first run fills the file system's caches
        times = [launch_once(env, extra) for _ in range(args.runs)]
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    measured = sorted(t for t in times if t is not None)
    print(
        json.dumps(
            {
                "runs": args.runs,
                "failed": len(times) - len(measured),
                "visible_after_s": {
                    "median": round(statistics.median(measured), 3) if measured else None,
                    "min": round(measured[0], 3) if measured else None,
                    "max": round(measured[-1], 3) if measured else None,
                },
                "each_s": [None if t is None else round(t, 3) for t in times],
                "load": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
