"""The delay sweep's runs: one trained and scored here (``train_point``), or many in worker
processes (``run_jobs``). No Qt.

A worker is a fresh interpreter, ``python -m rnnviz.training.sweep_workers``, as the window's
training process is (``rnnviz.training.remote`` says why not multiprocessing's "spawn": it
re-runs the caller's main script). It reads one job a line on stdin (a configuration as JSON
and a number of updates), trains it with one BLAS thread and answers one JSON line on stdout.
Each worker has one job at a time, so the two cores stay busy and a result is read as soon as
its run ends. The workers live in a process group of their own, out of reach of the terminal's
Ctrl+C: the parent ends them (``run_jobs``' generator, when it is closed or the sweep ends),
and a worker whose parent died stops within a few updates.

Measured on this 2-core machine (the lesson's sizes: hidden 32, batch 32, 16 symbols): an
update takes 0.5 ms (RNN, N = 5) to 4.3 ms (GRU, N = 40); a worker starts in about 0.3 s.
"""

from __future__ import annotations

import signal

if __name__ == "__main__":  # before the slow imports below
    signal.signal(signal.SIGINT, signal.SIG_IGN)

import json
import os
import subprocess
import sys
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import wait

import numpy as np

from rnnviz.training.config import TrainConfig
from rnnviz.training.trainer import Trainer

__all__ = ["SweepWorkerError", "live_workers", "run_jobs", "train_point"]

#: Held-out sequences at the full gap each point is scored on (2 × 128: an accuracy's standard
#: error at most 0.03; at chance, 1/16, about 0.015).
EVAL_BATCH = 128
#: How often (updates) a run asks whether to go on: often enough that Stop is felt at once.
CHECK_EVERY = 10
#: How long (seconds) the parent waits for a result before asking ``keep_going`` again.
POLL_SECONDS = 0.1


#: Every worker started in this process (weakly held), to find ones left running.
_made: weakref.WeakSet[_Worker] = weakref.WeakSet()


def live_workers() -> list[int]:
    """The process ids of the sweep's workers started here that are still running."""
    return [w.process.pid for w in list(_made) if w.process.poll() is None]


class SweepWorkerError(RuntimeError):
    """A worker process failed or ended unexpectedly; the message says which and why."""


def train_point(
    config: TrainConfig, steps: int, keep_going: Callable[[], bool] | None = None
) -> tuple[float, str] | None:
    """Train a fresh run of ``config`` for ``steps`` updates and score it.

    Returns
    -------
    (accuracy, diverged) or None
        The accuracy at the full gap on held-out sequences (NaN if the run diverged, which
        ``diverged`` then says), or None when ``keep_going`` answered False, which it is asked
        every CHECK_EVERY updates.
    """
    trainer = Trainer(config)
    for done in range(steps):
        if keep_going is not None and done % CHECK_EVERY == 0 and not keep_going():
            return None
        result = trainer.step()
        if result is None or not result.applied:
            return float("nan"), trainer.diverged
    accuracy = trainer.evaluate(batch_size=EVAL_BATCH)["accuracy_full_gap"]
    return float(accuracy), ""


# ---------------------------------------------------------------------------- the parent's side


class _Worker:
    """One worker process and the job it has (``job``: its index, None when idle)."""

    def __init__(self, pool: list[_Worker]) -> None:
        # the worker imports this very copy of rnnviz, wherever it came from
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH")))),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rnnviz.training.sweep_workers", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            process_group=0,  # out of the terminal's foreground group: no Ctrl+C
        )
        # A signal (Ctrl+C) may still end this process before the worker is in the pool, which
        # ends it: while Popen waits for it to start, or just after. Such a worker ends on its
        # own: it is told this process's id and stops when its parent is another.
        pool.append(self)
        self.job: int | None = None
        _made.add(self)

    def give(self, job: int, config: TrainConfig, steps: int) -> None:
        line = json.dumps({"job": job, "config": config.to_json(), "steps": steps})
        try:
            self.process.stdin.write(line.encode() + b"\n")
            self.process.stdin.flush()
        except OSError:
            raise SweepWorkerError(self._ended()) from None
        self.job = job

    def answer(self) -> dict:
        """The worker's answer to its job (its stdout is readable)."""
        line = self.process.stdout.readline()
        try:
            reply = json.loads(line) if line else None
        except ValueError:
            reply = None
        if not isinstance(reply, dict) or reply.get("job") != self.job:
            raise SweepWorkerError(self._ended())
        if "error" in reply:
            raise SweepWorkerError(f"a sweep run failed: {reply['error']}")
        self.job = None
        return reply

    def _ended(self) -> str:
        try:
            code = self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            code = None
        return f"a sweep worker process ended unexpectedly (exit code {code})"

    def end(self) -> None:
        """End the process now, whatever it is doing, and wait for it."""
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        if self.process.poll() is None:
            self.process.kill()  # its run is abandoned: nothing of it is worth a clean exit
        self.process.wait()


def run_jobs(
    jobs: Sequence[tuple[TrainConfig, int]],
    workers: int = 2,
    keep_going: Callable[[], bool] | None = None,
) -> Iterator[tuple[int, tuple[float, str], float]]:
    """Train each job (a configuration and its number of updates) in ``workers`` processes,
    handed out in order, yielding ``(index, (accuracy, diverged), seconds)`` as each finishes.

    Stops early when ``keep_going`` answers False. However it ends (done, stopped, closed,
    an exception) no worker process is left running.

    Raises
    ------
    SweepWorkerError
        A worker that ended unexpectedly or whose run failed.
    """
    waiting = list(range(len(jobs)))[::-1]  # popped from the end: the first job first
    pool: list[_Worker] = []
    try:
        for _ in range(max(1, min(workers, len(jobs)))):
            _Worker(pool)
        for worker in pool:
            worker.give(waiting[-1], *jobs[waiting.pop()])
        while any(worker.job is not None for worker in pool):
            if keep_going is not None and not keep_going():
                return
            busy = {w.process.stdout: w for w in pool if w.job is not None}
            for stream in wait(list(busy), timeout=POLL_SECONDS):
                worker = busy[stream]
                job = worker.job
                reply = worker.answer()
                if waiting:
                    worker.give(waiting[-1], *jobs[waiting.pop()])
                accuracy = np.nan if reply["accuracy"] is None else float(reply["accuracy"])
                yield job, (accuracy, str(reply["diverged"])), float(reply["seconds"])
    finally:
        for worker in pool:
            worker.end()


# ---------------------------------------------------------------------------- the worker's side


def serve(jobs, answers, parent: int) -> None:
    """The worker's body: answer each job line read from ``jobs`` on ``answers``, until the
    parent closes ``jobs`` (or dies: then the run under way stops within CHECK_EVERY updates)."""

    def parent_alive() -> bool:
        return os.getppid() == parent

    for line in jobs:
        if not parent_alive():
            return
        start = time.perf_counter()
        job = None
        try:
            request = json.loads(line)
            job = request["job"]
            config = TrainConfig.from_json(request["config"])
            with np.errstate(all="ignore"):  # a diverging run says so in its answer
                outcome = train_point(config, int(request["steps"]), parent_alive)
            if outcome is None:
                return
            accuracy, diverged = outcome
            reply = {
                "job": job,
                "accuracy": None if np.isnan(accuracy) else accuracy,
                "diverged": diverged,
                "seconds": time.perf_counter() - start,
            }
        except Exception as error:  # any failure goes back as one message
            reply = {"job": job, "error": str(error) or type(error).__name__}
        answers.write(json.dumps(reply) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout, int(sys.argv[1]))
