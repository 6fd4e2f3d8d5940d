"""The long-range recall task: its data, its scoring, and the vanishing-gradient lesson.

The lesson tests train the preset (below) for real: an LSTM and a GRU learn to recall a symbol
over a gap of 40 steps, a vanilla tanh RNN does not, and the RNN's gradient at the symbol is
orders of magnitude smaller than the LSTM's, relative to the gradient at the cue.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rnnviz.tasks import recall
from rnnviz.tasks.recall import RecallConfig, RecallTask

# --- the lesson preset ----------------------------------------------------------------------------

PRESET = {
    "delay": 40,  # N: gaps of 1 … 40 steps in training, tested at 40
    "symbols": 16,  # K: chance is 1/16
    "distractors": 1,  # a blank filler
    "vary_delay": True,
    "hidden": 32,
    "lr": 0.01,  # Adam
    "batch": 32,
    "steps": 2000,
    "clip": 1.0,
}
#: Seeds of the vanilla RNNs. One run is a draw (a run can keep a bit by luck, and its gradient
#: ratio spans tens of orders of magnitude from run to run), so the RNN is judged on four.
RNN_SEEDS = (0, 1, 2, 3)


def preset_task() -> RecallTask:
    return RecallTask(
        RecallConfig(
            delay=PRESET["delay"],
            symbols=PRESET["symbols"],
            distractors=PRESET["distractors"],
            vary_delay=PRESET["vary_delay"],
        )
    )


# --- configuration --------------------------------------------------------------------------------


def test_defaults_are_the_preset():
    config = RecallConfig()
    assert (config.delay, config.symbols, config.distractors, config.vary_delay) == (
        PRESET["delay"],
        PRESET["symbols"],
        PRESET["distractors"],
        PRESET["vary_delay"],
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("delay", 0, r"delay \(steps between the symbol and the cue\) must be between 1 and"),
        ("delay", 1001, "must be between 1 and 1000, got 1001"),
        ("delay", 2.5, "delay .* must be a whole number, got 2.5"),
        ("delay", True, "must be a whole number, got True"),
        ("delay", "10", "must be a whole number, got '10'"),
        ("symbols", 1, r"symbols \(how many symbols to remember\) must be between 2 and 26"),
        ("symbols", 27, "must be between 2 and 26, got 27"),
        ("distractors", 0, r"distractors \(kinds of filler token\) must be between 1 and 26"),
        ("vary_delay", "yes", "vary_delay must be true or false"),
    ],
)
def test_config_rejects_bad_values_with_a_clear_message(field, value, message):
    with pytest.raises(ValueError, match=message):
        RecallConfig(**{field: value})


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RecallConfig().delay = 3  # type: ignore[misc]


def test_sizes_and_token_names():
    task = RecallTask(RecallConfig(delay=5, symbols=3, distractors=1))
    assert (task.input_size, task.output_size, task.cue_token, task.seq_len) == (5, 3, 4, 7)
    assert task.token_names() == ["A", "B", "C", "·", "?"]
    noisy = RecallTask(RecallConfig(delay=5, symbols=2, distractors=3))
    assert noisy.token_names() == ["A", "B", "a", "b", "c", "?"]
    assert noisy.input_size == len(noisy.token_names())
    assert RecallTask().name == "recall" and RecallTask().kind == "classification"


# --- data -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("vary", [True, False])
def test_batch_shapes_dtypes_and_one_hot(vary):
    task = RecallTask(RecallConfig(delay=12, symbols=5, distractors=3, vary_delay=vary))
    batch = task.batch(np.random.default_rng(0), 64)
    T, B = 14, 64
    assert batch.x.shape == (T, B, 5 + 3 + 1) and batch.x.dtype == np.float32
    assert batch.targets.shape == (T, B) and batch.targets.dtype == np.int64
    assert batch.mask.shape == (T, B) and batch.mask.dtype == np.float32
    np.testing.assert_array_equal(batch.x.sum(axis=-1), 1.0)  # exactly one token per step
    np.testing.assert_array_equal(batch.x.argmax(axis=-1), batch.extra["tokens"])
    assert batch.extra["symbol"].shape == (B,) and batch.extra["delay"].shape == (B,)
    assert (batch.seq_len, batch.batch_size) == (T, B)


def test_seq_len_argument_does_not_change_the_length():
    task = RecallTask(RecallConfig(delay=6))
    assert task.batch(np.random.default_rng(0), 4, 50).x.shape[0] == 8
    assert task.batch(np.random.default_rng(0), 4, 3).x.shape[0] == 8


@pytest.mark.parametrize("vary", [True, False])
def test_symbol_gap_filler_and_cue_are_where_the_layout_says(vary):
    K, M, N = 4, 2, 9
    task = RecallTask(RecallConfig(delay=N, symbols=K, distractors=M, vary_delay=vary))
    batch = task.batch(np.random.default_rng(3), 200)
    tokens, symbol, delay = batch.extra["tokens"], batch.extra["symbol"], batch.extra["delay"]
    for b in range(200):
        step = N - delay[b]
        assert tokens[step, b] == symbol[b] < K  # the symbol, d steps before the cue
        fillers = np.delete(tokens[:-1, b], step)
        assert np.all((fillers >= K) & (fillers < K + M))  # everything else is a filler …
        assert tokens[-1, b] == K + M  # … but the cue at the end
    np.testing.assert_array_equal(batch.targets[-1], symbol)
    if vary:
        assert set(delay) == set(range(1, N + 1))  # 200 draws cover every gap 1 … 9
    else:
        np.testing.assert_array_equal(delay, N)
        np.testing.assert_array_equal(tokens[0], symbol)  # fixed gap: the symbol comes first


def test_blank_filler_never_changes_and_noise_fillers_do():
    blank = RecallTask(RecallConfig(delay=20, symbols=3, distractors=1, vary_delay=False))
    tokens = blank.batch(np.random.default_rng(0), 50).extra["tokens"]
    np.testing.assert_array_equal(tokens[1:-1], 3)
    noisy = RecallTask(RecallConfig(delay=20, symbols=3, distractors=4, vary_delay=False))
    tokens = noisy.batch(np.random.default_rng(0), 50).extra["tokens"]
    assert set(np.unique(tokens[1:-1])) == {3, 4, 5, 6}


def test_symbols_are_drawn_evenly():
    task = RecallTask(RecallConfig(delay=3, symbols=4))
    symbol = task.batch(np.random.default_rng(1), 4000).extra["symbol"]
    np.testing.assert_allclose(np.bincount(symbol, minlength=4) / 4000, 0.25, atol=0.03)


def test_mask_covers_only_the_recall_step():
    task = RecallTask(RecallConfig(delay=7, symbols=3))
    batch = task.batch(np.random.default_rng(0), 16)
    expected = np.zeros((9, 16), np.float32)
    expected[-1] = 1
    np.testing.assert_array_equal(batch.mask, expected)
    # and so the loss has no gradient anywhere but at the cue
    logits = np.random.default_rng(1).standard_normal((9, 16, 3)).astype(np.float32)
    _, dlogits = task.loss(logits, batch)
    assert np.all(dlogits[:-1] == 0) and np.abs(dlogits[-1]).sum() > 0
    # answers before the cue do not count
    changed = logits.copy()
    changed[:-1] = 50 * np.random.default_rng(2).standard_normal((8, 16, 3))
    assert task.loss(changed, batch)[0] == pytest.approx(task.loss(logits, batch)[0])


def test_same_seed_same_batch_other_seed_other_batch():
    task = RecallTask(RecallConfig(delay=15, symbols=6, distractors=3))
    a = task.batch(np.random.default_rng(42), 32)
    b = task.batch(np.random.default_rng(42), 32)
    c = task.batch(np.random.default_rng(43), 32)
    for name in ("x", "targets", "mask"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for key in a.extra:
        np.testing.assert_array_equal(a.extra[key], b.extra[key])
    assert not np.array_equal(a.x, c.x)


def test_batch_with_delay_fixes_the_gap():
    task = RecallTask(RecallConfig(delay=10, symbols=3))
    batch = task.batch_with_delay(np.random.default_rng(0), 20, 4)
    np.testing.assert_array_equal(batch.extra["delay"], 4)
    np.testing.assert_array_equal(batch.extra["tokens"][6], batch.extra["symbol"])
    assert batch.x.shape == (12, 20, 5)
    with pytest.raises(ValueError, match="between 1 and 10, got 11"):
        task.batch_with_delay(np.random.default_rng(0), 20, 11)
    with pytest.raises(ValueError, match="batch_size"):
        task.batch(np.random.default_rng(0), 0)


# --- scoring --------------------------------------------------------------------------------------


def answers(batch, answer_at_cue: np.ndarray, K: int) -> np.ndarray:
    """Logits (T, B, K) that answer ``answer_at_cue`` (B,) at the cue and garbage before."""
    T, B = batch.targets.shape
    logits = np.random.default_rng(0).standard_normal((T, B, K)).astype(np.float32)
    logits[-1] = 0
    logits[-1, np.arange(B), answer_at_cue] = 5
    return logits


def test_metrics_count_the_answer_at_the_cue():
    K, N = 4, 10
    task = RecallTask(RecallConfig(delay=N, symbols=K))
    batch = task.batch(np.random.default_rng(0), 100)
    symbol, delay = batch.extra["symbol"], batch.extra["delay"]
    assert task.metrics(answers(batch, symbol, K), batch) == {
        "accuracy": 1.0,
        "accuracy_long": 1.0,
    }
    assert task.metrics(answers(batch, (symbol + 1) % K, K), batch)["accuracy"] == 0.0
    # right only when the gap is short: accuracy_long sees the failure, accuracy half of it
    short_only = np.where(delay <= N / 2, symbol, (symbol + 1) % K)
    m = task.metrics(answers(batch, short_only, K), batch)
    assert m["accuracy_long"] == 0.0
    assert m["accuracy"] == pytest.approx(np.mean(delay <= N / 2))


def test_baseline_is_chance():
    assert RecallTask(RecallConfig(symbols=4)).baselines() == {"chance": 0.25}
    assert RecallTask(RecallConfig(symbols=16)).baselines() == {"chance": 1 / 16}


def test_predictions_for_the_first_sequence():
    K = 5
    task = RecallTask(RecallConfig(delay=6, symbols=K))
    batch = task.batch(np.random.default_rng(0), 3)
    logits = answers(batch, batch.extra["symbol"], K)
    p = task.predictions(logits, batch)
    assert p["probs"].shape == (8, K)
    np.testing.assert_allclose(p["probs"].sum(axis=1), 1.0)
    assert p["answer"][-1] == batch.extra["symbol"][0] == p["symbol"]
    assert p["p_symbol"][-1] == pytest.approx(p["probs"][-1, p["symbol"]])
    assert p["p_symbol"][-1] > 0.9
    assert p["symbol_step"] == 6 - batch.extra["delay"][0]


class MemoryUpTo:
    """A hand-made 'model' that recalls the symbol only if it was seen at most ``reach`` steps
    before the cue, and otherwise answers symbol 0: a memory of known length."""

    def __init__(self, K: int, reach: int) -> None:
        self.K, self.reach = K, reach

    def forward(self, x, h0=None):
        T, B, _ = x.shape
        tokens = x.argmax(axis=-1)  # (T, B)
        is_symbol = tokens < self.K  # (T, B)
        step = is_symbol.argmax(axis=0)  # (B,) where the symbol is
        symbol = tokens[step, np.arange(B)]  # (B,)
        gap = T - 2 - step  # (B,)
        answer = np.where(gap <= self.reach, symbol, 0)
        logits = np.zeros((T, B, self.K), np.float32)
        logits[-1, np.arange(B), answer] = 1.0
        return logits, None, None


def test_accuracy_by_delay_shows_how_far_back_a_model_remembers():
    K, N = 4, 12
    task = RecallTask(RecallConfig(delay=N, symbols=K))
    acc = task.accuracy_by_delay(MemoryUpTo(K, reach=5), np.random.default_rng(0), 200)
    assert acc.shape == (N,)
    np.testing.assert_array_equal(acc[:5], 1.0)
    np.testing.assert_allclose(acc[5:], 1 / K, atol=0.08)  # it answers 0: right 1 time in K
    perfect = task.accuracy_by_delay(MemoryUpTo(K, reach=N), np.random.default_rng(0), 50)
    np.testing.assert_array_equal(perfect, 1.0)


def test_accuracy_by_delay_works_in_chunks(monkeypatch):
    K, N = 3, 6
    task = RecallTask(RecallConfig(delay=N, symbols=K))
    model = MemoryUpTo(K, reach=2)
    calls = []
    forward = model.forward
    monkeypatch.setattr(model, "forward", lambda x, h0=None: calls.append(x.shape) or forward(x))
    monkeypatch.setattr(recall, "_POSITIONS_PER_FORWARD", 8 * 5)  # 5 sequences of 8 steps
    acc = task.accuracy_by_delay(model, np.random.default_rng(0), 40)
    assert len(calls) == 48 and max(shape[1] for shape in calls) == 5  # 240 sequences
    np.testing.assert_array_equal(acc[:2], 1.0)
    assert np.all(acc[2:] < 0.7)


def test_length_is_fixed_by_the_delay_and_the_example_spans_the_full_gap():
    task = RecallTask(RecallConfig(delay=9, symbols=3))
    assert task.sequence_length(5) == task.sequence_length(500) == 11
    example = task.example(np.random.default_rng(0), 32)
    assert example.x.shape == (11, 1, 5)
    assert example.extra["delay"][0] == 9
    assert example.extra["tokens"][0, 0] == example.extra["symbol"][0]  # the symbol first


def test_evaluate_reports_the_full_gap_on_the_same_data_every_time():
    K, N = 4, 10
    task = RecallTask(RecallConfig(delay=N, symbols=K))
    perfect = task.evaluate(MemoryUpTo(K, reach=N), batch_size=16)
    assert set(perfect) == {"loss", "accuracy", "accuracy_long", "accuracy_full_gap"}
    assert perfect["accuracy"] == perfect["accuracy_long"] == perfect["accuracy_full_gap"] == 1
    short = task.evaluate(MemoryUpTo(K, reach=6), batch_size=64)
    assert short == task.evaluate(MemoryUpTo(K, reach=6), batch_size=64)  # same data
    assert short["accuracy_full_gap"] < 0.5 < short["accuracy"]  # short gaps right, long not
    assert short["accuracy_long"] < short["accuracy"]
    assert np.isfinite(short["loss"]) and short["loss"] > perfect["loss"]
