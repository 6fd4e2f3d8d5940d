"""Speed of the NumPy recurrent core, printed as one JSON object.

    python benchmarks/bench_core.py [--repeats N] [--threads 1 2]

Times one forward + backward pass (milliseconds, median of N) of rnnviz's LSTM, GRU and RNN at
input 65, hidden 128, batch 32, 50 steps, float32, and of a vanilla RNN at input 65, hidden 100,
batch 1, 25 steps (the classic min-char-rnn setting), on one-hot inputs. Each is timed in two
modes: "full" computes every gradient including the one for the input x; "train" skips the
input gradient, as training on data does (and as PyTorch does when x needs no gradient).

When PyTorch is importable (it is not a dependency) the same sizes are timed with
``torch.nn.LSTM/GRU/RNN`` on the same number of threads, alternating with rnnviz call by call so
that both see the same machine load, and the ratios rnnviz / PyTorch are printed (below 1:
rnnviz is faster). Each thread count is measured separately (NumPy's BLAS limited with
threadpoolctl, PyTorch with ``torch.set_num_threads``).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.core import GRU, LSTM, RNN

CASES = {
    "lstm": (LSTM, 65, 128, 32, 50),
    "gru": (GRU, 65, 128, 32, 50),
    "rnn": (RNN, 65, 128, 32, 50),
    "min_char_rnn": (RNN, 65, 100, 1, 25),
}
MODES = ("full", "train")


def one_hot_input(rng: np.random.Generator, T: int, B: int, I: int) -> np.ndarray:
    x = np.zeros((T, B, I), np.float32)  # (T, B, I)
    x[np.arange(T)[:, None], np.arange(B)[None, :], rng.integers(0, I, (T, B))] = 1
    return x


def rnnviz_calls(name: str) -> dict[str, Callable[[], object]]:
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

    return {"full": full, "train": train}


def torch_calls(torch, name: str) -> dict[str, Callable[[], object]]:
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

    return {"full": lambda: run(x_full), "train": lambda: run(x_train)}


def interleaved_medians(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median milliseconds of each call, running them in turn so they share the conditions."""
    for fn in calls.values():
        fn()
        fn()
    times: dict[str, list[float]] = {key: [] for key in calls}
    for _ in range(repeats):
        for key, fn in calls.items():
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
    return {key: round(float(np.median(v) * 1e3), 4) for key, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
    result: dict[str, object] = {
        "benchmark": "core forward+backward, float32, median ms",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pytorch": None if torch is None else torch.__version__,
        "repeats": args.repeats,
    }
    for threads in args.threads:
        if torch is not None:
            torch.set_num_threads(threads)
        rows: dict[str, object] = {}
        with threadpool_limits(limits=threads, user_api="blas"):
            for name in CASES:
                calls = {f"rnnviz_{m}": fn for m, fn in rnnviz_calls(name).items()}
                if torch is not None:
                    calls.update({f"torch_{m}": fn for m, fn in torch_calls(torch, name).items()})
                row: dict[str, object] = interleaved_medians(calls, args.repeats)
                if torch is not None:
                    row["ratio"] = {
                        m: round(row[f"rnnviz_{m}"] / row[f"torch_{m}"], 3) for m in MODES
                    }
                rows[name] = row
        mc = rows["min_char_rnn"]["rnnviz_train"]  # type: ignore[index]
        rows["min_char_rnn_ms_per_time_step"] = round(mc / CASES["min_char_rnn"][4], 5)
        result[f"threads_{threads}"] = rows
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
