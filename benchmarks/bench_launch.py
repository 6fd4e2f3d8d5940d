"""Launch to a visible window: how long ``rnnviz`` takes from its start until its window is
mapped on the X display, median of several runs. One JSON line.

    python benchmarks/bench_launch.py --runs 7                  (on $DISPLAY, e.g. Xvfb)
    python benchmarks/bench_launch.py --runs 7 --xvfb :57       (starts an Xvfb of its own)

Each run starts the installed ``rnnviz`` command (``--preset`` as given, default the lesson
the window opens on) while ``xev -root -event substructure`` watches the display (one X
connection: polling with a new one every few milliseconds made the X server turn rnnviz's own
connection away now and then): the first top-level window mapped after the start, whose title
``xdotool getwindowname`` then finds to begin with "rnnviz", is the window; then rnnviz is ended
with SIGTERM and waited for. A run that shows no window within ``TIMEOUT_S`` counts as failed.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

#: How long a run may take to show its window.
TIMEOUT_S = 30.0


def rnnviz_command() -> list[str]:
    script = Path(sys.executable).with_name("rnnviz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rnnviz"]


def mapped_windows(env: dict[str, str]) -> tuple[subprocess.Popen, queue.Queue]:
    """``xev`` watching the root window, and a queue of (clock, window id) for each window
    mapped on the display from now on."""
    watcher = subprocess.Popen(
        ["xev", "-root", "-event", "substructure"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    mapped: queue.Queue = queue.Queue()

    def read() -> None:
        in_map = False
        for line in watcher.stdout:
            if line.startswith("MapNotify"):
                in_map, at = True, time.perf_counter()
            elif in_map and "window 0x" in line:
                in_map = False
                mapped.put((at, line.split("window ")[1].split(",")[0]))

    threading.Thread(target=read, daemon=True).start()
    return watcher, mapped


def window_name(env: dict[str, str], window: str) -> str:
    done = subprocess.run(
        ["xdotool", "getwindowname", str(int(window, 16))], env=env, capture_output=True, text=True
    )
    return done.stdout.strip()


def launch_once(env: dict[str, str], extra: list[str]) -> float | None:
    """Seconds from starting rnnviz until its window is mapped (None: it never was)."""
    watcher, mapped = mapped_windows(env)
    time.sleep(0.5)  # xev connected and listening
    start = time.perf_counter()
    process = subprocess.Popen(
        [*rnnviz_command(), *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen = None
    try:
        while seen is None and time.perf_counter() - start < TIMEOUT_S:
            try:
                at, window = mapped.get(timeout=0.5)
            except queue.Empty:
                if process.poll() is not None:
                    break
                continue
            if window_name(env, window).startswith("rnnviz"):
                seen = at - start
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
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
    if shutil.which("xdotool") is None or shutil.which("xev") is None:
        sys.exit("bench_launch: needs xdotool and xev")
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
