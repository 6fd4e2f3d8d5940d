"""How many threads the core may use, and how it uses them: the batch in slices, one a thread.

    set_threads(2)      # BLAS on one thread; a layer runs its batch in 2 slices at once
    set_threads(1)      # BLAS on one thread, everything on the calling thread (the default)

This is the one place that says how many threads the core takes. The sequences of a batch never
meet in a recurrent layer, so with n ≥ 2 threads a layer's forward and backward pass of each
layer and direction runs its batch in n contiguous slices, each on its own thread, and the
weight gradients of the slices are summed: the same sums as one pass over the whole batch, in
another order (float rounding only; tested against the unsplit pass in float64). BLAS stays on
one thread either way: NumPy's element-wise work and BLAS release the GIL on arrays of this
size, so the slices' arithmetic runs on both cores, while BLAS's own threads split only the
matmuls and, when the other core is busy, spin-wait (measured: 25 to 500 ms for an 11 ms pass).

Measured on 2 cores (float32, LSTM, H = 128, B = 32, T = 50, forward and backward): one
thread 13.2 ms, BLAS on two threads 11.3 ms, two slices 8.6 ms; with another process busy on
one core, two slices 15 ms against 13 ms on one thread and 30 ms or more with BLAS on two.
``rnnviz.core.recurrent`` splits the batch; the cells never see threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import TypeVar

from threadpoolctl import threadpool_limits

__all__ = ["batch_slices", "run_slices", "set_threads", "thread_count"]

R = TypeVar("R")

_threads = 1
_blas_limit: object | None = None  # the threadpoolctl limit that keeps BLAS on one thread
_pool: ThreadPoolExecutor | None = None  # the workers; the calling thread runs slice 0
_pool_size = 0  # how many workers it has
_pool_pid = 0  # the process the pool's threads belong to (a forked child has none)


def set_threads(threads: int) -> None:
    """Let the core use ``threads`` threads, process-wide, and keep BLAS on one thread.

    Parameters
    ----------
    threads : int
        1: everything on the calling thread, as a window's training does, so that the window
        keeps a core. n ≥ 2: every layer runs its batch in up to n slices at once.
    """
    global _threads, _blas_limit
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a whole number ≥ 1, got {threads!r}")
    if _blas_limit is None:
        _blas_limit = threadpool_limits(limits=1, user_api="blas")
    if threads != _threads:
        _shut_pool()
        _threads = threads


def thread_count() -> int:
    """How many threads the core may use (``set_threads``; 1 until it is called)."""
    return _threads


def batch_slices(batch: int, threads: int) -> list[slice]:
    """``batch`` sequences in min(threads, batch) contiguous slices, sizes differing by ≤ 1."""
    n = max(1, min(threads, batch))
    bounds = [batch * k // n for k in range(n + 1)]
    return [slice(a, b) for a, b in pairwise(bounds)]


def run_slices(work: Callable[[int], R], count: int) -> list[R]:
    """``[work(0), …, work(count − 1)]``, run at once: slice 0 on the calling thread, the others
    on the core's worker threads.

    Every slice is waited for before anything is returned or raised, so that no worker still
    writes into an array its caller goes on with; an exception in any slice is raised here,
    the first slice's first (a worker prints nothing).
    """
    if count == 1:
        return [work(0)]
    pool = _worker_pool(count - 1)
    futures = [pool.submit(work, k) for k in range(1, count)]
    results: list[R] = []
    error: BaseException | None = None
    try:
        results.append(work(0))
    except BaseException as exc:  # raised below, once the workers are done
        error = exc
    for future in futures:
        try:
            results.append(future.result())
        except BaseException as exc:  # the first one is raised below
            error = exc if error is None else error
    if error is not None:
        raise error
    return results


def _worker_pool(workers: int) -> ThreadPoolExecutor:
    global _pool, _pool_size, _pool_pid
    if _pool is None or _pool_pid != os.getpid() or _pool_size < workers:
        _shut_pool()
        _pool = ThreadPoolExecutor(workers, thread_name_prefix="rnnviz-core")
        _pool_size, _pool_pid = workers, os.getpid()
    return _pool


def _shut_pool() -> None:
    global _pool
    if _pool is not None and _pool_pid == os.getpid():
        _pool.shutdown(wait=False)
    _pool = None
