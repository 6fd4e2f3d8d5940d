"""The window benchmark's shared measuring (``rnnviz.gui.window_benchmark``): both
``--benchmark`` and ``--benchmark --compare`` measure the event loop with one probe."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from rnnviz.gui import compare_benchmark, window_benchmark
from rnnviz.gui.window_benchmark import (
    TICK_MS,
    LatenessProbe,
    lateness_summary,
    rate_per_second,
)


def test_lateness_summary_and_rates():
    late = [float(k) for k in range(101)]  # 0 … 100 ms
    assert lateness_summary(late) == {"p50": 50.0, "p99": 99.0, "max": 100.0}
    assert lateness_summary([]) == {"p50": 0.0, "p99": 0.0, "max": 0.0}
    assert rate_per_second([1.0, 1.5, 2.0, 2.5, 3.0]) == 2.0
    assert rate_per_second([1.0]) == rate_per_second([]) == 0.0


def test_both_benchmarks_measure_with_the_one_probe():
    assert compare_benchmark.LatenessProbe is window_benchmark.LatenessProbe
    assert compare_benchmark.lateness_summary is lateness_summary


def test_the_probe_keeps_the_lateness_of_the_measured_span_only(qtbot):
    calls = []
    probe = LatenessProbe(lambda: calls.append(1))
    assert probe.timer.interval() == TICK_MS
    probe.start()
    qtbot.waitUntil(lambda: len(calls) >= 3, timeout=5_000)
    assert probe.lateness == [] and len(probe.before) == len(calls)
    assert probe.cpu_share() is None
    probe.measure(60.0)
    qtbot.waitUntil(lambda: len(probe.lateness) >= 3, timeout=5_000)
    probe.stop()
    counted = len(calls)
    assert all(late >= 0.0 for late in probe.lateness) and counted == len(probe.before)
    assert probe.cpu_share() is not None and probe.cpu_share() >= 0.0
