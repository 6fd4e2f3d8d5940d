"""Test-wide settings and guards.

- Qt runs on the ``offscreen`` platform, so the tests need no display. This is set before any
  test creates a Q(Gui)Application, which is when Qt reads it.
- ``_no_leaked_threads`` fails every test that leaves a thread running after it: a Python
  non-daemon thread, a QThread started during the test, or a task in Qt's global thread pool.
  A leaked worker outlives its test, races the next one, and can keep the interpreter from
  exiting or make Qt abort on exit ("QThread: Destroyed while thread is still running").
"""

from __future__ import annotations

import os
import sys
import threading
import time
import weakref

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The window trains in a child process; most tests use the in-process training thread instead,
# which starts at once and lets them look at the trainer. The process has tests of its own
# (tests/training/test_remote.py; tests/gui/test_controller.py runs on both backends) and is
# what the end-to-end test under Xvfb runs.
os.environ.setdefault("RNNVIZ_TRAINING", "thread")

#: How long a test's leftover threads get to finish on their own before the test fails.
THREAD_GRACE_SECONDS = 2.0

# QThreads started through Python since the QThread hook was installed (weak: never keeps one
# alive). A QThread whose start() is called from Python, subclass or not, goes through the hook.
_started_qthreads: weakref.WeakSet = weakref.WeakSet()
_qthread_hook_installed = False


def _qtcore():
    """PySide6.QtCore if something already imported it, else None (never imports Qt itself)."""
    return sys.modules.get("PySide6.QtCore")


def _install_qthread_hook(qtcore) -> None:
    global _qthread_hook_installed
    if _qthread_hook_installed:
        return
    original_start = qtcore.QThread.start

    def start(self, *args, **kwargs):
        _started_qthreads.add(self)
        return original_start(self, *args, **kwargs)

    start.__doc__ = original_start.__doc__
    qtcore.QThread.start = start
    _qthread_hook_installed = True


def _running_qthreads() -> set:
    alive = set()
    for thread in list(_started_qthreads):
        try:
            if thread.isRunning():
                alive.add(thread)
        except RuntimeError:  # the C++ object is already deleted: not running
            pass
    return alive


def _leaked_python_threads(before: set[threading.Thread], deadline: float) -> list[str]:
    leaked = []
    for thread in threading.enumerate():
        if thread in before or thread.daemon or thread is threading.current_thread():
            continue
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            leaked.append(thread.name)
    return leaked


def _leaked_qthreads(before: set, deadline: float) -> list[str]:
    leaked = []
    for thread in _running_qthreads() - before:
        remaining_ms = int(max(0.0, deadline - time.monotonic()) * 1000)
        try:
            if thread.wait(remaining_ms):
                continue
            leaked.append(f"{type(thread).__name__}({thread.objectName() or 'unnamed'})")
        except RuntimeError:  # deleted meanwhile: it has stopped
            continue
    return leaked


def _pool_active(qtcore) -> int:
    return 0 if qtcore is None else qtcore.QThreadPool.globalInstance().activeThreadCount()


def _leaked_pool_tasks(qtcore, before: int, deadline: float) -> int:
    """How many more tasks run in Qt's global pool than before the test, after the grace."""
    pool = qtcore.QThreadPool.globalInstance()
    if pool.activeThreadCount() <= before:
        return 0
    pool.waitForDone(int(max(0.0, deadline - time.monotonic()) * 1000))
    return max(0, pool.activeThreadCount() - before)


@pytest.fixture(autouse=True)
def _no_leaked_threads():
    """Fail the test if it leaves a non-daemon thread, a QThread, a pool task or a training
    process running."""
    threads_before = set(threading.enumerate())
    qtcore = _qtcore()
    if qtcore is not None:
        _install_qthread_hook(qtcore)
    qthreads_before = _running_qthreads()
    pool_before = _pool_active(qtcore)

    yield

    deadline = time.monotonic() + THREAD_GRACE_SECONDS
    problems = []
    leaked = _leaked_python_threads(threads_before, deadline)
    if leaked:
        problems.append(f"non-daemon Python threads still running: {', '.join(leaked)}")
    qtcore = _qtcore()
    if qtcore is not None:
        leaked_q = _leaked_qthreads(qthreads_before, deadline)
        if leaked_q:
            problems.append(f"QThreads still running: {', '.join(leaked_q)}")
        pool_tasks = _leaked_pool_tasks(qtcore, pool_before, deadline)
        if pool_tasks:
            problems.append(f"{pool_tasks} QThreadPool.globalInstance() task(s) still running")
    remote = sys.modules.get("rnnviz.training.remote")
    if remote is not None:
        leaked_pids = remote.live_processes()
        if leaked_pids:
            problems.append(f"training processes still running: {leaked_pids}")
    if problems:
        pytest.fail(
            f"the test left threads running {THREAD_GRACE_SECONDS:g} s after it ended: "
            + "; ".join(problems)
            + " (stop and join/wait for every thread a test starts)",
            pytrace=False,
        )
