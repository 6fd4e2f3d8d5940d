"""Speed of the NumPy recurrent core, printed as one JSON object.

    python benchmarks/bench_core.py [--repeats N]

Times one forward + backward pass (milliseconds, median of N) of rnnviz's LSTM, GRU and RNN at
input 65, hidden 128, batch 32, 50 steps, float32, and of a vanilla RNN at input 65, hidden 100,
batch 1, 25 steps (the classic min-char-rnn setting). Each is timed twice: "full" computes every
gradient including the one for the input x; "train" skips the input gradient, as training on
data does. When PyTorch is importable (it is not a dependency) the same sizes are timed with
``torch.nn.LSTM/GRU/RNN`` on the same number of threads, in the same run, and the ratios
rnnviz / PyTorch are printed (below 1: rnnviz is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.core import GRU, LSTM, RNN

CASES = {
    "lstm": (LSTM, 65, 128, 32, 50),
    "gru": (GRU, 65, 128, 32, 50),
    "rnn": (RNN, 65, 128, 32, 50),
    "min_char_rnn": (RNN, 65, 100, 1, 25),
}


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1e3)


def one_hot_input(rng: np.random.Generator, T: int, B: int, I: int) -> np.ndarray:
    x = np.zeros((T, B, I), np.float32)  # (T, B, I)
    x[np.arange(T)[:, None], np.arange(B)[None, :], rng.integers(0, I, (T, B))] = 1
    return x


def time_rnnviz(name: str, repeats: int) -> dict[str, float]:
    cls, I, H, B, T = CASES[name]
    rng = np.random.default_rng(0)
    layer = cls(I, H, dtype=np.float32, seed=0)
    x = one_hot_input(rng, T, B, I)
    dy = rng.standard_normal((T, B, H)).astype(np.float32)  # (T, B, H)

    def full() -> None:
        _, _, trace = layer.forward(x)
        layer.backward(dy, trace)

    def train() -> None:
        _, _, trace = layer.forward(x)
        layer.backward(dy, trace, need_dx=False)

    return {"full_ms": median_ms(full, repeats), "train_ms": median_ms(train, repeats)}


def time_torch(torch, name: str, repeats: int) -> dict[str, float]:
    _, I, H, B, T = CASES[name]
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}.get(name, torch.nn.RNN)(I, H)
    rng = np.random.default_rng(0)
    x_np = one_hot_input(rng, T, B, I)
    dy = torch.from_numpy(rng.standard_normal((T, B, H)).astype(np.float32))
    x_full = torch.from_numpy(x_np).requires_grad_(True)
    x_train = torch.from_numpy(x_np)

    def run(x) -> None:
        module.zero_grad(set_to_none=True)
        y, _ = module(x)
        y.backward(dy)

    return {
        "full_ms": median_ms(lambda: run(x_full), repeats),
        "train_ms": median_ms(lambda: run(x_train), repeats),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=60)
    args = parser.parse_args()
    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    result: dict[str, object] = {
        "benchmark": "core forward+backward, float32, median ms",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "threads": threads,
        "rnnviz": {name: time_rnnviz(name, args.repeats) for name in CASES},
    }
    mc = result["rnnviz"]["min_char_rnn"]  # type: ignore[index]
    result["min_char_rnn_ms_per_time_step"] = mc["train_ms"] / CASES["min_char_rnn"][4]
    try:
        import torch
    except ImportError:
        result["pytorch"] = None
    else:
        torch.set_num_threads(threads)
        result["pytorch_version"] = torch.__version__
        result["pytorch"] = {name: time_torch(torch, name, args.repeats) for name in CASES}
        result["ratio_rnnviz_over_pytorch"] = {
            name: {
                mode: round(result["rnnviz"][name][mode] / result["pytorch"][name][mode], 3)
                for mode in ("full_ms", "train_ms")
            }
            for name in CASES
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
