"""Speed of the NumPy recurrent core against PyTorch, printed as one JSON object.

    python benchmarks/bench_core.py [--rounds 3] [--warmups 5] [--repeats 25] [--threads 2]
                                    [--torch-python PATH] [--case NAME ...]
                                    [--torch-without-onednn]

Times one forward + backward pass, float32, on one-hot inputs, of rnnviz's LSTM, GRU and RNN at
input 65, hidden 128, batch 32, 50 steps, and at hidden 256, 200 steps (the growth with T·H²),
against ``torch.nn.LSTM/GRU/RNN`` on the same sizes; and of the vanilla RNN in the classic
min-char-rnn setting (input 65, hidden 100, batch 1, 25 steps) against the classic per-step
NumPy loop (Karpathy's min-char-rnn: column vectors, one ``np.dot`` per product and per step,
the weight gradients summed step by step) and PyTorch. Two modes: "train" skips the gradient
of the input, as training on data does (PyTorch: x needs no gradient; the classic loop never
computes it); "full" computes it too.

Honest by construction: each side runs in its own process (this script, re-run with
``--side``), so that one library's BLAS or OpenMP threads, still spinning after a call, never
slow the other's; the sides alternate case by case and their order flips every round, so that
both see the same machine load; every process limits itself to ``--threads`` threads (NumPy's
BLAS through threadpoolctl, PyTorch through ``torch.set_num_threads``, and both through the
usual environment variables) and times ``--repeats`` calls after ``--warmups``. The JSON gives,
per case, side and mode, the median of the round medians, every round's median, the pooled
quartiles, minimum and maximum; the ratio rnnviz / other is taken within each round (below 1:
rnnviz is faster), its median over the rounds is "median", and "best_rounds" divides each
side's fastest round median (other processes only ever add time, so on a shared machine this
one moves least). The machine (cores, CPU, NumPy's SIMD, the BLAS) and the load average before
and after are recorded.

On the CPU, ``torch.nn.LSTM`` runs oneDNN's fused LSTM kernel (compiled for the processor, the
element-wise work fused and spread over the threads); ``--torch-without-onednn`` turns oneDNN
off, so that PyTorch takes its step-by-step path of matrix products and element-wise kernels,
as rnnviz does. The JSON's settings say which was timed.

PyTorch is not a dependency of rnnviz: install it in a separate environment and name its
interpreter with ``--torch-python`` (it needs numpy and threadpoolctl there too); rnnviz is
imported through ``sys.path``, never from that environment. Without a working PyTorch its side
is skipped with a note in the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MODES = ("train", "full")


@dataclass(frozen=True)
class Case:
    """One size to time: the cell, its sizes, and what rnnviz is compared with."""

    cell: str  # "lstm", "gru" or "rnn"
    input_size: int
    hidden_size: int
    batch: int
    steps: int
    others: tuple[str, ...] = ("torch",)

    def describe(self) -> dict[str, int | str]:
        return {
            "cell": self.cell,
            "input": self.input_size,
            "hidden": self.hidden_size,
            "batch": self.batch,
            "steps": self.steps,
        }


CASES = {
    "lstm": Case("lstm", 65, 128, 32, 50),
    "gru": Case("gru", 65, 128, 32, 50),
    "rnn": Case("rnn", 65, 128, 32, 50),
    "min_char_rnn": Case("rnn", 65, 100, 1, 25, ("classic", "torch")),
    "lstm_h256_t200": Case("lstm", 65, 256, 32, 200),
    "gru_h256_t200": Case("gru", 65, 256, 32, 200),
    "rnn_h256_t200": Case("rnn", 65, 256, 32, 200),
}


# ------------------------------------------------------------------------------ the sides


def one_hot_input(case: Case) -> tuple[np.ndarray, np.ndarray]:
    """The same one-hot input x (T, B, I) and output gradient dy (T, B, H) for every side."""
    T, B, I, H = case.steps, case.batch, case.input_size, case.hidden_size
    rng = np.random.default_rng(0)
    x = np.zeros((T, B, I), np.float32)  # (T, B, I)
    x[np.arange(T)[:, None], np.arange(B)[None, :], rng.integers(0, I, (T, B))] = 1
    dy = rng.standard_normal((T, B, H)).astype(np.float32)  # (T, B, H)
    return x, dy


def rnnviz_calls(case: Case) -> dict[str, Callable[[], object]]:
    sys.path.insert(0, str(REPO))
    from rnnviz.core import GRU, LSTM, RNN

    cls = {"lstm": LSTM, "gru": GRU, "rnn": RNN}[case.cell]
    layer = cls(case.input_size, case.hidden_size, dtype=np.float32, seed=0)
    x, dy = one_hot_input(case)

    def run(need_dx: bool) -> None:
        _, _, trace = layer.forward(x)
        layer.backward(dy, trace, need_dx=need_dx)

    return {"train": lambda: run(False), "full": lambda: run(True)}


def classic_calls(case: Case) -> dict[str, Callable[[], object]]:
    """Karpathy's min-char-rnn loop for the recurrent part, as written in the classic gist:
    column vectors, one ``np.dot`` per product per step, gradients summed step by step."""
    assert case.cell == "rnn"
    T, I, H = case.steps, case.input_size, case.hidden_size
    x, dy = one_hot_input(case)
    inputs = [int(np.argmax(x[t, 0])) for t in range(T)]
    rng = np.random.default_rng(0)
    bound = 1 / np.sqrt(H)
    Wxh = rng.uniform(-bound, bound, (H, I)).astype(np.float32)
    Whh = rng.uniform(-bound, bound, (H, H)).astype(np.float32)
    bh = np.zeros((H, 1), np.float32)
    hprev = np.zeros((H, 1), np.float32)
    dys = [dy[t, 0][:, None] for t in range(T)]  # (H, 1) each: what the readout sends h_t

    def run() -> None:
        xs, hs = {}, {}
        hs[-1] = np.copy(hprev)
        for t in range(T):
            xs[t] = np.zeros((I, 1), np.float32)
            xs[t][inputs[t]] = 1
            hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)
        dWxh, dWhh, dbh = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(bh)
        dhnext = np.zeros_like(hs[0])
        for t in reversed(range(T)):
            dh = dys[t] + dhnext
            dhraw = (1 - hs[t] * hs[t]) * dh
            dbh += dhraw
            dWxh += np.dot(dhraw, xs[t].T)
            dWhh += np.dot(dhraw, hs[t - 1].T)
            dhnext = np.dot(Whh.T, dhraw)

    return {"train": run}


def torch_calls(case: Case) -> dict[str, Callable[[], object]]:
    import torch

    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[case.cell](
        case.input_size, case.hidden_size
    )
    x_np, dy_np = one_hot_input(case)
    dy = torch.from_numpy(dy_np)
    x_full = torch.from_numpy(x_np).requires_grad_(True)
    x_train = torch.from_numpy(x_np)

    def run(x) -> None:
        module.zero_grad(set_to_none=True)
        y, _ = module(x)
        y.backward(dy)

    return {"train": lambda: run(x_train), "full": lambda: run(x_full)}


def time_side(
    side: str, case: Case, threads: int, warmups: int, repeats: int, onednn: bool = True
) -> dict:
    """Milliseconds of every timed call of one side, its modes alternating call by call
    (``onednn``: PyTorch may use its oneDNN kernels, its fused LSTM among them)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    facts: dict[str, object] = {}
    if side == "torch":
        import torch

        torch.set_num_threads(threads)
        torch.backends.mkldnn.enabled = onednn
        facts["torch_onednn"] = (
            torch.backends.mkldnn.enabled and torch.backends.mkldnn.is_available()
        )
        facts["torch"] = torch.__version__
        facts["torch_threads"] = torch.get_num_threads()
    calls = {"rnnviz": rnnviz_calls, "classic": classic_calls, "torch": torch_calls}[side](case)
    with threadpool_limits(limits=threads):
        facts["threadpools"] = [
            {k: p.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
            for p in threadpool_info()
        ]
        for _ in range(warmups):
            for fn in calls.values():
                fn()
        times: dict[str, list[float]] = {mode: [] for mode in calls}
        for _ in range(repeats):
            for mode, fn in calls.items():
                t0 = time.perf_counter()
                fn()
                times[mode].append((time.perf_counter() - t0) * 1e3)
    return {"times_ms": times, **facts}


# ------------------------------------------------------------------------------ the parent


def machine() -> dict[str, object]:
    from threadpoolctl import threadpool_info

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features

        simd = [name for name in ("AVX2", "FMA3", "AVX512F", "AVX512_SKX") if features.get(name)]
    except ImportError:
        simd = []
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_simd": simd,
        "blas": [
            {k: p.get(k) for k in ("internal_api", "version", "architecture", "threading_layer")}
            for p in threadpool_info()
            if p.get("user_api") == "blas"
        ],
    }


def run_child(python: str, side: str, name: str, args: argparse.Namespace) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(args.threads)
    command = [python, str(Path(__file__).resolve()), "--side", side, "--case", name]
    command += ["--threads", str(args.threads), "--warmups", str(args.warmups)]
    command += ["--repeats", str(args.repeats)]
    if args.torch_without_onednn:
        command.append("--torch-without-onednn")
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"the {side} side of {name} failed: {last}")
    return json.loads(done.stdout)


def summary(round_times: list[list[float]]) -> dict[str, object]:
    pooled = np.concatenate([np.asarray(r) for r in round_times])
    medians = [float(np.median(r)) for r in round_times]
    q25, q75 = np.percentile(pooled, [25, 75])
    return {
        "median_ms": round(float(np.median(medians)), 4),
        "round_medians_ms": [round(m, 4) for m in medians],
        "iqr_ms": [round(float(q25), 4), round(float(q75), 4)],
        "min_ms": round(float(pooled.min()), 4),
        "max_ms": round(float(pooled.max()), 4),
    }


def torch_available(python: str) -> tuple[str | None, str | None]:
    """(PyTorch's version, None) when ``python`` imports torch, else (None, why not)."""
    probe = "import torch, numpy, threadpoolctl; print(torch.__version__)"
    try:
        done = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{python} could not run: {exc}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return None, f"{python} cannot import torch, numpy and threadpoolctl: {last}"
    return done.stdout.strip(), None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmups", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=25)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--torch-python", default=sys.executable)
    parser.add_argument("--case", nargs="+", choices=sorted(CASES), default=list(CASES))
    parser.add_argument(
        "--torch-without-onednn",
        action="store_true",
        help="PyTorch without its oneDNN kernels (its fused CPU LSTM): its per-step path",
    )
    parser.add_argument("--side", choices=("rnnviz", "classic", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    for option in ("rounds", "warmups", "repeats", "threads"):
        if getattr(args, option) < 1:
            parser.error(f"--{option} must be at least 1")
    if args.side:
        case = CASES[args.case[0]]
        onednn = not args.torch_without_onednn
        times = time_side(args.side, case, args.threads, args.warmups, args.repeats, onednn)
        print(json.dumps(times))
        return

    torch_version, torch_note = torch_available(args.torch_python)
    result: dict[str, object] = {
        "benchmark": "core forward + backward, float32, milliseconds, each side in its process",
        "settings": {
            "rounds": args.rounds,
            "warmups": args.warmups,
            "repeats": args.repeats,
            "threads": args.threads,
            "torch_onednn": not args.torch_without_onednn,
        },
        "machine": machine(),
        "torch": {"python": args.torch_python, "version": torch_version, "note": torch_note},
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
    }
    pythons = {"rnnviz": sys.executable, "classic": sys.executable, "torch": args.torch_python}
    samples: dict[str, dict[str, dict[str, list[list[float]]]]] = {}
    for r in range(args.rounds):
        for name in args.case:
            sides = ["rnnviz"] + [s for s in CASES[name].others if s != "torch" or torch_version]
            for side in sides if r % 2 == 0 else sides[::-1]:
                times = run_child(pythons[side], side, name, args)["times_ms"]
                for mode, values in times.items():
                    samples.setdefault(name, {}).setdefault(side, {}).setdefault(mode, [])
                    samples[name][side][mode].append(values)
    cases: dict[str, object] = {}
    for name, by_side in samples.items():
        row: dict[str, object] = {"size": CASES[name].describe()}
        for side, by_mode in by_side.items():
            row[side] = {mode: summary(rounds) for mode, rounds in by_mode.items()}
        for other in by_side:
            if other == "rnnviz":
                continue
            ratios = {}
            for mode, rounds in by_side[other].items():
                per_round = [
                    float(np.median(a) / np.median(b))
                    for a, b in zip(by_side["rnnviz"][mode], rounds, strict=True)
                ]
                best = min(map(np.median, by_side["rnnviz"][mode])) / min(map(np.median, rounds))
                ratios[mode] = {
                    "median": round(float(np.median(per_round)), 3),
                    "rounds": [round(v, 3) for v in per_round],
                    "best_rounds": round(float(best), 3),
                }
            row[f"ratio_to_{other}"] = ratios
        cases[name] = row
    result["cases"] = cases
    result["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
