"""Training speed and time-to-lesson-result for every preset, printed as one JSON object.

    python benchmarks/bench_training.py [--budget 30] [--preset NAME ...]

For each preset it trains headless (the same Trainer the window drives), checks the lesson's
goal on fresh data every ``--check-every`` updates, and reports the training steps per second
(checking time excluded), the seconds until the goal was first met (checking time included, as
a lecturer waits for it) and whether that came within the budget (30 s: the promise that every
lesson shows its result within 30 seconds on a two-core laptop).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.training.presets import goal_reached, list_presets, load_preset
from rnnviz.training.trainer import Trainer


def measure(preset, budget: float, check_every: int) -> dict[str, object]:
    trainer = Trainer(preset.config)
    baselines = trainer.task.baselines()
    start = time.perf_counter()
    training = 0.0
    reached_at = None
    evaluation: dict[str, float] = {}
    while trainer.iteration < preset.steps * 3 and time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        for _ in range(check_every):
            if trainer.step() is None:
                break
        training += time.perf_counter() - t0
        if trainer.diverged:
            break
        evaluation = trainer.evaluate()
        if goal_reached(preset.goal, evaluation, baselines):
            reached_at = time.perf_counter() - start
            break
    return {
        "title": preset.title,
        "goal": preset.goal.describe(),
        "steps_per_second": round(trainer.iteration / training, 1) if training else None,
        "iterations": trainer.iteration,
        "seconds_to_result": None if reached_at is None else round(reached_at, 2),
        "within_budget": reached_at is not None and reached_at <= budget,
        "evaluation": {k: round(v, 4) for k, v in evaluation.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--check-every", type=int, default=25)
    parser.add_argument("--preset", action="append", default=None)
    args = parser.parse_args()
    presets = [load_preset(n) for n in args.preset] if args.preset else list_presets()
    results = {p.name: measure(p, args.budget, args.check_every) for p in presets}
    print(
        json.dumps(
            {
                "benchmark": "training speed and seconds to each lesson's result",
                "python": platform.python_version(),
                "numpy": np.__version__,
                "cores": len(os.sched_getaffinity(0)),
                "budget_seconds": args.budget,
                "all_within_budget": all(r["within_budget"] for r in results.values()),
                "presets": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
