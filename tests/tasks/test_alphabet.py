"""The alphabet task: its data, the prompt scoring, and the sequential-memory lesson.

The lesson tests train the preset (below) for real: the network continues the alphabet from "A"
and from "F" to the end, and fails to say it backwards from "Z", because it was only ever
trained forwards.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rnnviz.tasks.alphabet import (
    ALPHABET,
    AlphabetConfig,
    AlphabetTask,
    Direction,
    WindowStart,
    continue_from,
    encode,
    expected_continuation,
    prompts_report,
    score_continuation,
)

# --- the lesson preset ----------------------------------------------------------------------------

PRESET = {
    "cell": "rnn_tanh",
    "start": "anywhere",
    "hidden": 32,
    "lr": 0.01,  # Adam
    "batch": 32,
    "seq_len": 25,  # every sequence runs to "Z"
    "steps": 300,
    "clip": 1.0,
}


class Counter:
    """A hand-made 'model' that always predicts the letter after (or before) its last input."""

    def __init__(self, step: int = 1, outputs: int = 26) -> None:
        self.step, self.outputs = step, outputs

    def forward(self, x, h0=None):
        T, B, _ = x.shape
        logits = np.zeros((T, B, self.outputs), np.float32)  # (T, B, V)
        nxt = (x.argmax(axis=-1) + self.step) % self.outputs  # (T, B)
        np.put_along_axis(logits, nxt[..., None], 8.0, axis=-1)
        return logits, None, None


# --- configuration --------------------------------------------------------------------------------


def test_config_default_and_strings():
    assert AlphabetConfig().start is WindowStart.ANYWHERE
    assert AlphabetConfig("from_a").start is WindowStart.FROM_A
    assert AlphabetConfig(WindowStart.FROM_A).start is WindowStart.FROM_A
    with pytest.raises(dataclasses.FrozenInstanceError):
        AlphabetConfig().start = WindowStart.FROM_A  # type: ignore[misc]


@pytest.mark.parametrize("bad", ["backwards", "", 3, None])
def test_config_rejects_unknown_starts_and_lists_the_choices(bad):
    with pytest.raises(ValueError, match=r"start \(where training sequences begin\) must be"):
        AlphabetConfig(bad)
    if isinstance(bad, str):
        with pytest.raises(ValueError, match="'anywhere', 'from_a'"):
            AlphabetConfig(bad)


# --- data -----------------------------------------------------------------------------------------


def test_batch_shapes_dtypes_and_next_letter_targets():
    task = AlphabetTask()
    batch = task.batch(np.random.default_rng(0), 64, 10)
    assert batch.x.shape == (10, 64, 26) and batch.x.dtype == np.float32
    assert batch.targets.shape == (10, 64) and batch.targets.dtype == np.int64
    assert batch.mask.shape == (10, 64) and batch.mask.dtype == np.float32
    valid = batch.mask > 0
    np.testing.assert_array_equal(batch.x.sum(axis=-1), valid)  # one-hot, zeros after the end
    letter = batch.x.argmax(axis=-1)  # (T, B)
    np.testing.assert_array_equal(batch.targets[valid], letter[valid] + 1)
    start = batch.extra["start"]
    np.testing.assert_array_equal(letter[0], start)
    np.testing.assert_array_equal(batch.extra["letters"][0], [ALPHABET[s] for s in start])
    # consecutive letters, as long as the sequence lasts
    assert np.all(np.diff(letter, axis=0)[valid[1:]] == 1)


def test_sequences_start_anywhere_but_at_z_and_stop_at_z():
    task = AlphabetTask(AlphabetConfig("anywhere"))
    batch = task.batch(np.random.default_rng(1), 2000, 25)
    assert set(batch.extra["start"]) == set(range(25))  # A … Y, never Z
    # a sequence starting at letter s has 25 − s steps: its last input is "Y", its target "Z"
    np.testing.assert_array_equal(batch.mask.sum(axis=0), 25 - batch.extra["start"])
    last = batch.mask.sum(axis=0).astype(int) - 1
    np.testing.assert_array_equal(batch.targets[last, np.arange(2000)], 25)
    assert not np.any(batch.x[..., 25])  # "Z" is never an input
    assert set(batch.extra["letters"][batch.mask == 0]) == {""}


def test_from_a_always_starts_at_a():
    task = AlphabetTask(AlphabetConfig("from_a"))
    batch = task.batch(np.random.default_rng(0), 8, 30)
    np.testing.assert_array_equal(batch.extra["start"], 0)
    assert "".join(batch.extra["letters"][:, 0]) == ALPHABET[:25]
    np.testing.assert_array_equal(batch.mask[:25], 1)  # longer than the alphabet: padded …
    np.testing.assert_array_equal(batch.mask[25:], 0)  # … and the padding does not count


def test_same_seed_same_batch():
    task = AlphabetTask()
    a = task.batch(np.random.default_rng(5), 16, 12)
    b = task.batch(np.random.default_rng(5), 16, 12)
    c = task.batch(np.random.default_rng(6), 16, 12)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.targets, b.targets)
    np.testing.assert_array_equal(a.mask, b.mask)
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize(("B", "T"), [(0, 5), (4, 0), (4, 2.0), (True, 5)])
def test_batch_rejects_bad_sizes(B, T):
    with pytest.raises(ValueError, match="must be a whole number ≥ 1"):
        AlphabetTask().batch(np.random.default_rng(0), B, T)


def test_encode():
    x = encode("abZ")
    assert x.shape == (3, 1, 26) and x.dtype == np.float32
    np.testing.assert_array_equal(x.argmax(axis=-1)[:, 0], [0, 1, 25])
    np.testing.assert_array_equal(x.sum(axis=-1), 1)
    with pytest.raises(ValueError, match="only contain the letters A–Z"):
        encode("A B")


# --- scoring continuations ------------------------------------------------------------------------


def test_expected_continuation():
    assert expected_continuation("A") == ALPHABET[1:]
    assert expected_continuation("F") == "GHIJKLMNOPQRSTUVWXYZ"
    assert expected_continuation("Z", "backward") == ALPHABET[:25][::-1]
    assert expected_continuation("Z", Direction.BACKWARD, 3) == "YXW"
    assert expected_continuation("Z") == ""  # nothing comes after Z
    assert expected_continuation("abc") == expected_continuation("C")  # the last letter counts


@pytest.mark.parametrize(
    ("prompt", "continuation", "direction", "right"),
    [
        ("F", "GHIJ", "forward", 4),
        ("F", "GHIQRS", "forward", 3),  # in a row: the letters after a mistake do not count
        ("F", "HIJ", "forward", 0),
        ("F", "", "forward", 0),
        ("f", "ghi", Direction.FORWARD, 3),  # either case
        ("ABCDEF", "GH", "forward", 2),
        ("X", "YZA", "forward", 2),  # nothing beyond Z is right
        ("Z", "YXW", "backward", 3),
        ("Z", "YZ", "backward", 1),
        ("Z", "ABC", "forward", 0),
        ("B", "A", "backward", 1),
        ("B", "AZ", "backward", 1),
        ("A", ALPHABET[1:], "forward", 25),
    ],
)
def test_score_continuation(prompt, continuation, direction, right):
    assert score_continuation(prompt, continuation, direction) == right


def test_scoring_rejects_what_is_not_a_letter():
    with pytest.raises(ValueError, match="the prompt is empty"):
        score_continuation("", "A")
    with pytest.raises(ValueError, match="the continuation may only contain the letters"):
        score_continuation("A", "B1")
    with pytest.raises(ValueError, match="direction must be 'forward' or 'backward'"):
        score_continuation("A", "B", "sideways")


def test_continue_from_feeds_its_own_letters_back():
    assert continue_from(Counter(+1), "F", 4) == "GHIJ"
    assert continue_from(Counter(-1), "z", 3) == "YXW"
    assert continue_from(Counter(+1), "Q", 0) == ""
    with pytest.raises(ValueError, match=r"length .* ≥ 0"):
        continue_from(Counter(), "A", -1)
    with pytest.raises(ValueError, match="the prompt is empty"):
        continue_from(Counter(), "", 3)
    with pytest.raises(ValueError, match="has 10 outputs; an alphabet model needs 26"):
        continue_from(Counter(outputs=10), "A", 1)


def test_prompts_report_of_hand_made_models():
    forwards = prompts_report(Counter(+1))
    assert set(forwards) == {"forward", "from_F", "backward"}
    assert forwards["forward"] == {
        "prompt": "A",
        "direction": "forward",
        "expected": ALPHABET[1:],
        "continuation": ALPHABET[1:],
        "correct": 25,
        "possible": 25,
        "complete": True,
    }
    assert forwards["from_F"]["continuation"] == "GHIJKLMNOPQRSTUVWXYZ"
    assert forwards["from_F"]["complete"]
    assert forwards["backward"]["continuation"].startswith("ABC")  # Z + 1 wraps to A
    assert forwards["backward"]["correct"] == 0
    backwards = AlphabetTask().prompts_report(Counter(-1))
    assert backwards["backward"]["complete"] and backwards["backward"]["correct"] == 25
    assert backwards["forward"]["correct"] == 0


# --- metrics and predictions ----------------------------------------------------------------------


def test_metrics_count_only_the_real_steps():
    task = AlphabetTask()
    batch = task.batch(np.random.default_rng(0), 40, 25)
    perfect, _, _ = Counter(+1).forward(batch.x)
    assert task.metrics(perfect, batch) == {"accuracy": 1.0}
    wrong, _, _ = Counter(+2).forward(batch.x)
    assert task.metrics(wrong, batch) == {"accuracy": 0.0}
    # the padding after "Z" predicts "B" (zeros argmax to "A", + 1): it must not count
    assert task.metrics(perfect, batch)["accuracy"] == 1.0
    assert task.baselines() == {"chance": 1 / 26}


def test_predictions_of_the_first_sequence():
    task = AlphabetTask(AlphabetConfig("from_a"))
    batch = task.batch(np.random.default_rng(0), 2, 27)
    logits = np.zeros((27, 2, 26), np.float32)
    logits[:, :, 3] = 2.0  # "D" is the favourite everywhere, then "C"
    logits[:, :, 2] = 1.0
    p = task.predictions(logits, batch)
    assert "".join(p["input"]) == ALPHABET[:25]
    assert "".join(p["target"]) == ALPHABET[1:]
    assert list(p["predicted"]) == ["D"] * 27
    assert p["top_letters"].shape == (27, 3) and list(p["top_letters"][0][:2]) == ["D", "C"]
    assert p["top_probs"].shape == (27, 3)
    assert np.all(np.diff(p["top_probs"], axis=1) <= 0)  # most likely first
    e = np.exp([2.0, 1.0] + [0.0] * 24)
    np.testing.assert_allclose(p["top_probs"][0, :2], e[:2] / e.sum())


def test_length_is_capped_at_the_alphabet_and_the_example_starts_at_a():
    task = AlphabetTask()
    assert task.sequence_length(10) == 10
    assert task.sequence_length(100) == 25
    example = task.example(np.random.default_rng(0), 25)
    assert "".join(example.extra["letters"][:, 0]) == ALPHABET[:25]
    with pytest.raises(ValueError, match="seq_len"):
        task.example(np.random.default_rng(0), 0)


def test_evaluate_scores_every_start_and_the_three_prompts():
    task = AlphabetTask()
    perfect = task.evaluate(Counter(+1))
    assert perfect["accuracy"] == 1.0
    assert (perfect["forward_correct"], perfect["from_F_correct"]) == (25, 20)
    assert perfect["backward_correct"] == 0
    backwards = task.evaluate(Counter(-1))
    assert backwards["accuracy"] == 0.0 and backwards["backward_correct"] == 25
    assert backwards["loss"] > perfect["loss"]
