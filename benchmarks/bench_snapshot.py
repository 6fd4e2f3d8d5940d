"""What a snapshot costs as the model grows, and how fast it reaches the window: one JSON object.

    python benchmarks/bench_snapshot.py [--sizes 32x20,512x200] [--cells lstm,rnn_tanh]
                                        [--seconds 6] [--out FILE]

For each cell, hidden size H and sequence length T (the moving-ball lesson, batch 32):

``update_ms``          one training update, headless (median; no snapshot made)
``snapshot_ms``        ``Trainer.snapshot()`` (median), and ``snapshot_share`` = snapshot / update
``snapshot_bytes``     the snapshot as it crosses the socket (``wire.encode``)
``encode_ms``, ``decode_ms``   ``wire.encode`` and ``wire.decode`` of it (medians)
then, through the real process path the window uses (``rnnviz.training.remote.TrainingProcess``
with the window's defaults, its reader thread, a ``SnapshotMailbox``), playing for ``--seconds``
(at least 6 updates):
``first_snapshot_s``   from starting the run to the window-side holding its first snapshot
``first_update_s``     … holding the snapshot of update 1 or later
``latency_ms``         from the trainer making a snapshot (``Snapshot.made_at``) to the window's
                       side holding it decoded (median and max)
``updates_per_snapshot``  updates made per snapshot received (1.0: every update's reached it)
``snapshots_per_s``    received while playing

The sizes and the headless figures are measured in this process; the process path in a
training process of its own, as in the window. ``--busy-window`` keeps a Python thread busy on
the window's side meanwhile, holding the GIL as the window's GUI thread does while it draws.
Run it on a quiet machine: ``load`` records ``os.getloadavg()`` before and after.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.training.mailbox import SnapshotMailbox
from rnnviz.training.presets import load_preset
from rnnviz.training.protocol import Pause, Play, Reset, SnapshotMade, Stop
from rnnviz.training.remote import TrainingProcess
from rnnviz.training.trainer import Trainer
from rnnviz.training.wire import decode, encode

DEFAULT_SIZES = "32x20,32x50,32x200,128x20,128x50,128x200,512x20,512x50,512x200"


def config_of(cell: str, hidden: int, steps: int):
    """The moving-ball lesson with this cell, hidden size and sequence length, batch 32."""
    return load_preset("moving_ball").config.with_settings(
        {
            "model.cell": cell,
            "model.hidden_size": str(hidden),
            "seq_len": str(steps),
            "batch_size": "32",
        }
    )


def _median_ms(times: list[float]) -> float:
    return round(1000 * statistics.median(times), 3)


def _timed(act, budget: float, least: int = 3, most: int = 30) -> list[float]:
    """Seconds of each call of ``act``: at least ``least`` calls, more while within ``budget``."""
    times: list[float] = []
    spent = 0.0
    while len(times) < least or (spent < budget and len(times) < most):
        began = time.perf_counter()
        act()
        times.append(time.perf_counter() - began)
        spent += times[-1]
    return times


def headless(config) -> dict:
    """Update and snapshot times, the snapshot's size and its encoding, in this process."""
    trainer = Trainer(config)
    trainer.step()  # warm: the first update allocates
    trainer.snapshot()
    updates = _timed(trainer.step, budget=2.0)
    snapshots = _timed(trainer.snapshot, budget=1.0)
    made = SnapshotMade(trainer.snapshot())
    frame = encode(made)
    encodes = _timed(lambda: encode(made), budget=0.5)
    decodes = _timed(lambda: decode(frame), budget=0.5)
    update_ms = _median_ms(updates)
    snapshot_ms = _median_ms(snapshots)
    return {
        "update_ms": update_ms,
        "snapshot_ms": snapshot_ms,
        "snapshot_share": round(snapshot_ms / update_ms, 3),
        "snapshot_bytes": len(frame),
        "encode_ms": _median_ms(encodes),
        "decode_ms": _median_ms(decodes),
    }


def _keep_busy(stop: threading.Event) -> None:
    """Python work holding the GIL, as the window's GUI thread does while it draws."""
    total = 0
    while not stop.is_set():
        for i in range(10_000):
            total += i


def through_the_process(config, seconds: float, update_s: float, busy: bool = False) -> dict:
    """Play a run in a training process and time what reaches the window's side."""
    stop_busy = threading.Event()
    if busy:
        threading.Thread(target=_keep_busy, args=(stop_busy,), daemon=True).start()
    process = TrainingProcess()  # the window's defaults: 30 snapshots/s at most, budget 0.1
    mailbox = SnapshotMailbox()
    arrived = threading.Event()
    received: list[tuple[float, int, float]] = []  # (received at, iteration, made at)

    def report(event) -> None:
        if isinstance(event, SnapshotMade):
            snapshot = event.snapshot
            now = time.monotonic()
            received.append((now, snapshot.iteration, getattr(snapshot, "made_at", math.nan)))
            mailbox.put(snapshot)
            arrived.set()

    reader = threading.Thread(target=process.receive, args=(report,), daemon=True)
    reader.start()
    began = time.monotonic()
    process.send(Reset(config, 1, "benchmark"))
    process.send(Play())
    # long enough for 6 updates, however slow, within a bound
    playing_for = min(max(seconds, 6.5 * update_s), 60.0)
    time.sleep(playing_for)  # (a benchmark, not a test: it watches in real time)
    process.send(Pause())
    paused_at = time.monotonic()
    while time.monotonic() - paused_at < 3 * update_s + 2:  # the update under way, its snapshot
        arrived.clear()
        if not arrived.wait(timeout=update_s + 1):
            break
    process.send(Stop())
    stop_busy.set()
    reader.join(timeout=10)
    if reader.is_alive():
        process.kill()
    playing = [r for r in received if r[0] <= paused_at]
    trained = [r for r in received if r[1] >= 1]
    latencies = [1000 * (r[0] - r[2]) for r in received if math.isfinite(r[2])]
    during = [r for r in playing if r[1] >= 1]  # the snapshots of updates, while playing
    last = max((r[1] for r in during), default=0)
    return {
        "first_snapshot_s": round(received[0][0] - began, 3) if received else None,
        "first_update_s": round(trained[0][0] - began, 3) if trained else None,
        "latency_ms": {
            "median": round(statistics.median(latencies), 2) if latencies else None,
            "max": round(max(latencies), 2) if latencies else None,
        },
        "updates": last,
        "snapshots": len(during),
        "updates_per_snapshot": round(last / len(during), 2) if during else None,
        "snapshots_per_s": round(len(during) / playing_for, 2),
        "played_s": round(playing_for, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="HxT,… (hidden x steps)")
    parser.add_argument("--cells", default="lstm", help="cells for every size, e.g. lstm,gru")
    parser.add_argument(
        "--extra", default="rnn_tanh:128x50,rnn_tanh:512x200", help="cell:HxT,… also measured"
    )
    parser.add_argument("--seconds", type=float, default=6.0, help="playing time per case")
    parser.add_argument("--busy-window", action="store_true", help="see the module docstring")
    parser.add_argument("--out", default=None, help="also write the JSON to this file")
    args = parser.parse_args()
    cases = [
        (cell, *map(int, size.split("x")))
        for cell in args.cells.split(",")
        for size in args.sizes.split(",")
    ]
    cases += [
        (c, *map(int, s.split("x"))) for c, s in (e.split(":") for e in args.extra.split(",") if e)
    ]
    load_before = os.getloadavg()
    results = []
    for cell, hidden, steps in cases:
        config = config_of(cell, hidden, steps)
        figures = headless(config)
        update_s = figures["update_ms"] / 1000
        figures.update(through_the_process(config, args.seconds, update_s, args.busy_window))
        results.append({"cell": cell, "hidden": hidden, "steps": steps, **figures})
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    report = {
        "benchmark": "snapshot cost and delivery against model size (moving ball, batch 32)",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cores": len(os.sched_getaffinity(0)),
        "busy_window": args.busy_window,
        "load": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "cases": results,
    }
    text = json.dumps(report, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
