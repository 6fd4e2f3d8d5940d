"""The thread-leak guard in conftest.py really fails tests that leak threads.

A small inner test suite runs in a child pytest with a copy of our conftest (its grace cut from
2 s to 0.2 s to keep this quick): the leaking tests must error at teardown, naming the thread,
and the clean ones must pass.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtCore")

CONFTEST = Path(__file__).with_name("conftest.py")

INNER_TESTS = """
import threading

import pytest
from PySide6 import QtCore

release = threading.Event()
keep = []


@pytest.fixture(scope="module", autouse=True)
def release_everything_at_the_end():
    yield
    release.set()
    for thread in keep:
        if isinstance(thread, QtCore.QThread):
            thread.wait()
        elif isinstance(thread, threading.Thread):
            thread.join()
    QtCore.QThreadPool.globalInstance().waitForDone()


class Blocked(QtCore.QThread):
    def run(self):
        release.wait()


class Quick(QtCore.QThread):
    def run(self):
        pass


class BlockedTask(QtCore.QRunnable):
    def run(self):
        release.wait()


def test_leaks_python_thread():
    thread = threading.Thread(target=release.wait, name="leaky-python-thread")
    keep.append(thread)
    thread.start()


def test_leaks_qthread():
    thread = Blocked()
    thread.setObjectName("leaky-qthread")
    keep.append(thread)
    thread.start()


def test_leaks_pool_task():
    QtCore.QThreadPool.globalInstance().start(BlockedTask())


def test_daemon_thread_and_finished_threads_are_fine():
    daemon = threading.Thread(target=release.wait, name="daemon", daemon=True)
    keep.append(daemon)
    daemon.start()
    threading.Thread(target=lambda: None, name="quick").start()  # not joined: grace covers it
    quick = Quick()
    keep.append(quick)  # a QThread object must outlive its thread, or Qt aborts
    quick.start()  # not waited for: grace covers it
"""


@pytest.fixture(scope="module")
def inner_run(tmp_path_factory) -> subprocess.CompletedProcess[str]:
    root = tmp_path_factory.mktemp("thread_guard")
    conftest = CONFTEST.read_text(encoding="utf-8")
    fast = conftest.replace("THREAD_GRACE_SECONDS = 2.0", "THREAD_GRACE_SECONDS = 0.2")
    assert fast.count("THREAD_GRACE_SECONDS = 0.2") == 1, "conftest's grace constant moved"
    (root / "conftest.py").write_text(fast, encoding="utf-8")
    (root / "test_inner.py").write_text(INNER_TESTS, encoding="utf-8")
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rE", str(root)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _error_block(output: str, test_name: str) -> str:
    match = re.search(
        rf"_+ ERROR at teardown of {test_name} _+\n(.*?)(?=\n_{{3,}} |\n=+ )", output, re.S
    )
    assert match, f"{test_name} did not error at teardown:\n{output}"
    return match.group(1)


def test_inner_suite_counts(inner_run):
    output = inner_run.stdout + inner_run.stderr
    assert inner_run.returncode == 1, output
    assert re.search(r"\b4 passed, 3 errors\b", output), output


@pytest.mark.parametrize(
    ("test_name", "message"),
    [
        (
            "test_leaks_python_thread",
            "non-daemon Python threads still running: leaky-python-thread",
        ),
        ("test_leaks_qthread", "QThreads still running: Blocked(leaky-qthread)"),
        ("test_leaks_pool_task", "1 QThreadPool.globalInstance() task(s) still running"),
    ],
)
def test_leak_is_reported(inner_run, test_name, message):
    assert message in _error_block(inner_run.stdout, test_name)


def test_clean_test_passes(inner_run):
    assert "ERROR at teardown of test_daemon_thread_and_finished_threads_are_fine" not in (
        inner_run.stdout
    )
