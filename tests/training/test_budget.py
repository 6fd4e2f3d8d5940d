"""The memory estimate: close to (and above) the measured peak, every lesson far inside the
budget, and the largest settings refused at once, before anything is allocated."""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import replace

import pytest

from rnnviz.core import SGD, Adagrad, Adam, RMSprop
from rnnviz.tasks.corpora import load_corpus
from rnnviz.training import budget
from rnnviz.training.budget import BUDGET_BYTES, check_budget, estimate_memory
from rnnviz.training.config import ConfigError, ModelConfig, TrainConfig
from rnnviz.training.presets import list_presets, load_preset
from rnnviz.training.trainer import Trainer

#: The estimate is at least the measured peak and at most this many times it.
MAX_OVERESTIMATE = 1.5

LARGEST = {
    "model.hidden_size": "1024",
    "model.num_layers": "4",
    "model.bidirectional": "true",
    "batch_size": "4096",
    "seq_len": "10000",
}


def _measured_peak(config: TrainConfig) -> tuple[int, tuple[int, int, int]]:
    """Peak bytes traced while building a trainer, making two updates (the second runs while
    the first one's results are kept for the views) and evaluating; and the task's (I, O, T)."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        trainer = Trainer(config)
        trainer.step()
        trainer.step()
        trainer.evaluate()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    task = trainer.task
    return peak, (task.input_size, task.output_size, trainer.seq_len)


@pytest.mark.parametrize(
    ("preset", "settings"),
    [
        # every cell, stacked and bidirectional, each task; 15 to 80 MiB each
        ("vanishing_gradient", {"model.hidden_size": "128", "model.num_layers": "2",
                                "model.bidirectional": "true", "batch_size": "32"}),
        ("vanishing_gradient", {"model.cell": "rnn_tanh", "model.hidden_size": "256",
                                "model.num_layers": "2", "batch_size": "64"}),
        ("moving_ball", {"model.hidden_size": "128", "batch_size": "64", "seq_len": "100"}),
        ("word_order", {"model.hidden_size": "256", "batch_size": "32", "seq_len": "64",
                        "optim.kind": "sgd"}),
        ("alphabet", {"model.cell": "gru", "model.hidden_size": "256", "batch_size": "128"}),
    ],
)  # fmt: skip
def test_the_estimate_is_close_above_the_measured_peak(preset, settings):
    config = load_preset(preset).config.with_settings(settings)
    peak, shape = _measured_peak(config)
    estimate = estimate_memory(config, shape).total
    assert peak > 10 * 2**20  # large enough that Python's own allocations do not count
    assert peak <= estimate <= MAX_OVERESTIMATE * peak, (estimate / 2**20, peak / 2**20)


def test_the_text_task_is_estimated_with_its_largest_vocabulary(tmp_path):
    config = load_preset("word_order").config
    for corpus in ("classroom", "zen", "stdlib"):  # the estimate takes them to be ASCII
        assert max(map(ord, load_corpus(corpus))) < budget._BUILT_IN_VOCABULARY
    built_in = estimate_memory(config, (128, 128, config.seq_len)).total
    assert estimate_memory(config).total == built_in
    story = tmp_path / "story.txt"
    story.write_text("a story\n" * 20, encoding="utf-8")
    on_file = config.with_settings({"task.path": str(story)})
    assert estimate_memory(on_file).total == estimate_memory(on_file, (256, 256, 32)).total


def test_every_lesson_fits_with_a_wide_margin():
    for preset in list_presets():
        for _, config in [(None, preset.config), *preset.compare_configs()]:
            assert estimate_memory(config).total < BUDGET_BYTES / 50, preset.name


def test_ordinary_tinkering_fits():
    config = load_preset("text_messaging").config.with_settings(
        {"model.cell": "lstm", "model.hidden_size": "256", "model.num_layers": "2",
         "batch_size": "64", "seq_len": "100"}
    )  # fmt: skip
    assert estimate_memory(config).total < BUDGET_BYTES / 2


def test_the_largest_settings_are_refused_at_once_without_allocating():
    base = load_preset("text_messaging").config
    model = ModelConfig("lstm", 1024, 4, True)
    largest = replace(base, model=model, batch_size=4096, seq_len=10_000)  # not yet checked
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ConfigError) as error:
            Trainer(largest)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 1.0 and peak < 2**20
    message = str(error.value)
    assert "TiB of memory for one update" in message and "rnnviz allows 2 GiB" in message
    for name in ("batch_size (4096)", "seq_len (10000)", "model.hidden_size (1024)",
                 "model.num_layers (4)", "model.bidirectional=false"):  # fmt: skip
        assert name in message


def test_a_setting_past_the_budget_is_refused_by_with_settings():
    # what the window calls: the message says what to make smaller, and nothing is built
    config = load_preset("text_messaging").config
    with pytest.raises(ConfigError, match=r"would need about .* \(rnnviz allows 2 GiB\)"):
        config.with_settings(LARGEST)
    with pytest.raises(ConfigError, match=r"make batch_size \(4096\), seq_len \(32\)"):
        config.with_settings({"batch_size": "4096", "model.hidden_size": "1024"})


def test_settings_are_checked_together_whatever_their_order():
    config = load_preset("text_messaging").config.with_settings({"batch_size": "4096"})
    # the long sequences alone would be too much with 4096 of them; with 1, they are not
    fine = config.with_settings({"seq_len": "10000", "batch_size": "1"})
    assert (fine.seq_len, fine.batch_size) == (10_000, 1)


def test_the_message_names_what_drives_the_estimate():
    wide = replace(TrainConfig(), model=ModelConfig("lstm", 1024, 4, False), batch_size=1)
    with pytest.raises(ConfigError) as error:
        check_budget(wide, budget=2**20)
    assert "make model.hidden_size (1024) or model.num_layers (4) smaller" in str(error.value)
    assert "batch_size" not in str(error.value)  # it would not help
    long_history = replace(TrainConfig(task="ball"), history=1_000_000, seq_len=10_000)
    with pytest.raises(ConfigError, match=r"make history \(1000000\) or seq_len \(10000\)"):
        check_budget(long_history)
    recall = replace(TrainConfig(task="recall"), batch_size=4096)
    with pytest.raises(ConfigError, match=r"batch_size \(4096\), task\.delay \(40\)"):
        check_budget(recall, budget=2**20)


def test_the_optimiser_table_matches_the_optimisers():
    for kind, cls in (("sgd", SGD), ("adam", Adam), ("adagrad", Adagrad), ("rmsprop", RMSprop)):
        assert budget._OPTIMISER_BUFFERS[kind] == len(cls._buffers)
