"""The alphabet: sequential memory. Say it forward, start at F, say it backwards.

The lecture asks the audience to say the alphabet forward (easy), then backwards (hard), then
forward from F (a moment's thought, then easy). A recurrent network trained on the alphabet
shows the same pattern, and for a reason the audience can see:

- It is trained to predict the next letter, always forwards: "A" → "B", "B" → "C", …
- The training sequences start at any letter (``WindowStart.ANYWHERE``, the default), so it
  also learns to start in the middle: prompted with "F" it says "GHIJ…Z".
  Trained only from "A" (``WindowStart.FROM_A``) it has never started anywhere else. Then a
  vanilla RNN usually ignores a lone "F" and recites "BCD…" as if it had heard "A": it learned
  the recitation by its position in it, not the letters, like a child who can only say the
  alphabet from the beginning. (Gated cells more often manage; this is a tendency, not a rule:
  it depends on the initial weights.)
- It never sees the alphabet backwards, and "Z" is never an input (nothing follows it), so
  prompted with "Z" and asked to go on backwards ("YXW…") it fails: it says some letter and
  counts forwards from there, because it has only learned what comes *after* each letter.
  Sequential memory has a direction.

Data layout (time-major, one letter per step, A = 0 … Z = 25):

    x        (T, B, 26)  float32 one-hot of the input letter; all zeros after the end
    targets  (T, B)      int64, the next letter (0 where the sequence has ended)
    mask     (T, B)      float32, 1 while there is a next letter, 0 after "Z"
    extra["letters"]  (T, B)  the input letters as strings ("" after the end)
    extra["start"]    (B,)    int64 index of each sequence's first letter

A sequence starting at letter s has 25 − s next-letter steps (the last input is "Y", whose
target is "Z"); a batch of length T cuts each sequence to min(T, 25 − s) steps and masks the
rest, so ``seq_len`` = 25 lets every sequence run to the end of the alphabet.
"""

from __future__ import annotations

import enum
import string
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from rnnviz.core import softmax
from rnnviz.tasks.base import Batch, Task
from rnnviz.tasks.setting import Setting, check_fields

__all__ = [
    "ALPHABET",
    "AlphabetConfig",
    "AlphabetTask",
    "Direction",
    "WindowStart",
    "continue_from",
    "encode",
    "expected_continuation",
    "prompts_report",
    "score_continuation",
]

#: The 26 letters, in order; a letter's index is its class.
ALPHABET = string.ascii_uppercase
#: Letters shown per step by :meth:`AlphabetTask.predictions`.
TOP_K = 3
#: Most next-letter steps one sequence can have: from "A", 25 predictions to "Z".
MAX_STEPS = len(ALPHABET) - 1


class WindowStart(enum.Enum):
    """Where the training sequences start."""

    #: At a random letter A … Y, so the network learns to start anywhere.
    ANYWHERE = "anywhere"
    #: Always at "A", like reciting the alphabet from the beginning.
    FROM_A = "from_a"


class Direction(enum.Enum):
    """Which way a continuation should run through the alphabet."""

    FORWARD = "forward"
    BACKWARD = "backward"


@dataclass(frozen=True)
class AlphabetConfig:
    """Settings of the alphabet task: its row in ``SETTINGS`` says what ``start`` takes (a
    ``WindowStart`` or its value, "anywhere" by default or "from_a"; a string is converted).
    """

    start: WindowStart = WindowStart.ANYWHERE

    #: The row of this setting in the settings table (``rnnviz.tasks.setting``).
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "task.start",
            WindowStart,
            "Where the training sequences start: anywhere (the network learns to start at any "
            "letter) or from_a (always at A, like reciting the alphabet).",
            label="Sequences start",
            gloss="where training sequences begin",
        ),
    )

    def __post_init__(self) -> None:
        check_fields(self, self.SETTINGS)


def _check_count(name: str, value: object, meaning: str) -> None:
    """Raise a ValueError a student understands unless ``value`` is a whole number ≥ 1."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} ({meaning}) must be a whole number ≥ 1, got {value!r}")


# --- letters <-> arrays -------------------------------------------------------------------------


def _clean(text: str, what: str, allow_empty: bool = False) -> str:
    """``text`` in capitals, or a ValueError if it holds anything but the letters A–Z."""
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a string of letters, got {text!r}")
    upper = text.upper()
    bad = sorted({c for c in upper if c not in ALPHABET})
    if bad:
        raise ValueError(
            f"{what} may only contain the letters A–Z, got {text!r} (not allowed: {bad})"
        )
    if not upper and not allow_empty:
        raise ValueError(f"{what} is empty: give at least one letter, e.g. 'A'")
    return upper


def encode(letters: str) -> np.ndarray:
    """One-hot encoding of a string of letters as one sequence.

    Parameters
    ----------
    letters : str
        Letters A–Z (either case), at least one.

    Returns
    -------
    ndarray, (T, 1, 26) float32
        x[t, 0, i] = 1 where i is the index of the t-th letter.
    """
    letters = _clean(letters, "the letters")
    idx = np.array([ALPHABET.index(c) for c in letters])  # (T,)
    x = np.zeros((len(letters), 1, len(ALPHABET)), dtype=np.float32)  # (T, 1, 26)
    x[np.arange(len(letters)), 0, idx] = 1.0
    return x


def _direction(direction: Direction | str) -> Direction:
    if isinstance(direction, Direction):
        return direction
    try:
        return Direction(direction)
    except ValueError:
        raise ValueError(f"direction must be 'forward' or 'backward', got {direction!r}") from None


# --- prompting a trained model ------------------------------------------------------------------


def expected_continuation(
    prompt: str, direction: Direction | str = Direction.FORWARD, length: int | None = None
) -> str:
    """The letters that follow the prompt's last letter in ``direction``, up to the end.

    >>> expected_continuation("F")
    'GHIJKLMNOPQRSTUVWXYZ'
    >>> expected_continuation("Z", "backward", 3)
    'YXW'

    Parameters
    ----------
    prompt : str
        Letters A–Z; only the last one matters.
    direction : Direction or "forward" / "backward"
    length : int, optional
        At most this many letters; all of them to "Z" (forward) or "A" (backward) when None.
    """
    last = ALPHABET.index(_clean(prompt, "the prompt")[-1])
    if _direction(direction) is Direction.FORWARD:
        rest = ALPHABET[last + 1 :]
    else:
        rest = ALPHABET[:last][::-1]
    return rest if length is None else rest[: max(0, length)]


def score_continuation(
    prompt: str, continuation: str, direction: Direction | str = Direction.FORWARD
) -> int:
    """How many letters of ``continuation`` are right in a row, from its first letter.

    >>> score_continuation("F", "GHIQ")
    3
    >>> score_continuation("Z", "YZ", "backward")
    1

    Parameters
    ----------
    prompt : str
        The letters the model was given (only the last one matters).
    continuation : str
        What the model said next (may be empty).
    direction : Direction or "forward" / "backward"

    Returns
    -------
    int
        The length of the longest start of ``continuation`` that agrees with
        :func:`expected_continuation`; letters beyond the end of the alphabet never count.
    """
    said = _clean(continuation, "the continuation", allow_empty=True)
    expected = expected_continuation(prompt, direction)
    right = 0
    for got, want in zip(said, expected, strict=False):
        if got != want:
            break
        right += 1
    return right


def continue_from(model, prompt: str, length: int) -> str:
    """Let a trained model continue the prompt, one letter at a time (greedy).

    After the prompt, the most likely next letter is appended and fed back as the next input,
    ``length`` times. The whole text is run again from a zero state for every letter, which
    is exact for any model (a bidirectional one too) and cheap at alphabet lengths.

    Parameters
    ----------
    model : object with ``forward(x, h0) -> (outputs, h_n, cache)``
        Maps (T, 1, 26) one-hot inputs to (T, 1, 26) logits, e.g. a ``SequenceModel``.
    prompt : str
        At least one letter A–Z (either case).
    length : int
        How many letters to add, ≥ 0.

    Returns
    -------
    str
        The ``length`` letters the model said, in capitals (the prompt not included).
    """
    text = _clean(prompt, "the prompt")
    if isinstance(length, bool) or not isinstance(length, int | np.integer) or length < 0:
        raise ValueError(f"length (letters to add) must be a whole number ≥ 0, got {length!r}")
    said = ""
    for _ in range(length):
        outputs, _, _ = model.forward(encode(text + said), None)  # (T, 1, 26)
        if outputs.shape[-1] != len(ALPHABET):
            raise ValueError(
                f"the model has {outputs.shape[-1]} outputs; an alphabet model needs "
                f"{len(ALPHABET)}, one per letter"
            )
        said += ALPHABET[int(np.argmax(outputs[-1, 0]))]
    return said


#: The slide's three prompts: (key, prompt, direction).
SLIDE_PROMPTS = (
    ("forward", "A", Direction.FORWARD),
    ("from_F", "F", Direction.FORWARD),
    ("backward", "Z", Direction.BACKWARD),
)


def prompts_report(model) -> dict[str, dict[str, object]]:
    """The slide's three prompts, continued by ``model`` and scored.

    Parameters
    ----------
    model : object with ``forward(x, h0) -> (outputs, h_n, cache)``
        An alphabet model (26 inputs, 26 outputs).

    Returns
    -------
    dict
        Keys "forward" (prompt "A"), "from_F" (prompt "F") and "backward" (prompt "Z", to be
        continued "YXW…"), each a dict with

        - "prompt", "direction" ("forward" or "backward"),
        - "expected": the right continuation, to the end of the alphabet,
        - "continuation": what the model said, as many letters as "expected",
        - "correct": how many of them are right in a row (:func:`score_continuation`),
        - "possible": ``len(expected)``,
        - "complete": whether all of them are right.
    """
    report: dict[str, dict[str, object]] = {}
    for key, prompt, direction in SLIDE_PROMPTS:
        expected = expected_continuation(prompt, direction)
        said = continue_from(model, prompt, len(expected))
        correct = score_continuation(prompt, said, direction)
        report[key] = {
            "prompt": prompt,
            "direction": direction.value,
            "expected": expected,
            "continuation": said,
            "correct": correct,
            "possible": len(expected),
            "complete": correct == len(expected),
        }
    return report


# --- the task -----------------------------------------------------------------------------------


class AlphabetTask(Task):
    """Next-letter prediction on the alphabet (see the module docstring).

    Parameters
    ----------
    config : AlphabetConfig, optional
        Where the training sequences start; ``WindowStart.ANYWHERE`` when omitted.
    """

    name: ClassVar[str] = "alphabet"
    kind: ClassVar[str] = "classification"

    def __init__(self, config: AlphabetConfig | None = None) -> None:
        self.config = AlphabetConfig() if config is None else config
        self.input_size = len(ALPHABET)
        self.output_size = len(ALPHABET)

    def batch(self, rng: np.random.Generator, batch_size: int, seq_len: int) -> Batch:
        """Draw ``batch_size`` stretches of the alphabet, each ``seq_len`` steps or to its end.

        Parameters
        ----------
        rng : numpy Generator
            The only source of randomness (the start letters).
        batch_size : int
            B ≥ 1.
        seq_len : int
            T ≥ 1. A sequence starting at letter s has 25 − s steps; beyond that (T > 25 − s)
            the steps are padding, with zero input and mask 0.

        Returns
        -------
        Batch
            See the module docstring for the arrays.
        """
        _check_count("batch_size", batch_size, "sequences per batch")
        if self.config.start is WindowStart.FROM_A:
            start = np.zeros(batch_size, dtype=np.int64)  # (B,)
        else:
            # A … Y: "Z" has no next letter, so no sequence can start there
            start = rng.integers(0, MAX_STEPS, size=batch_size)  # (B,)
        return self._make(start, seq_len)

    def sequence_length(self, requested: int) -> int:
        """``requested``, but at most 25: no sequence has more next-letter steps."""
        return min(int(requested), MAX_STEPS)

    def example(self, rng: np.random.Generator, seq_len: int) -> Batch:
        """The sequence the views show: the alphabet from "A", ``seq_len`` steps of it."""
        return self._make(np.zeros(1, dtype=np.int64), seq_len)

    def _make(self, start: np.ndarray, seq_len: int) -> Batch:
        """The batch whose sequence b starts at letter ``start[b]`` and has ``seq_len`` steps."""
        _check_count("seq_len", seq_len, "steps per sequence")
        T, B = seq_len, start.shape[0]
        letter = start[None, :] + np.arange(T)[:, None]  # (T, B) index of the input letter
        valid = letter < MAX_STEPS  # (T, B): the input is A … Y, so there is a next letter
        x = np.zeros((T, B, len(ALPHABET)), dtype=np.float32)  # (T, B, 26)
        t_idx, b_idx = np.nonzero(valid)
        x[t_idx, b_idx, letter[valid]] = 1.0
        targets = np.where(valid, letter + 1, 0).astype(np.int64)  # (T, B)
        mask = valid.astype(np.float32)  # (T, B)
        letters = np.where(valid, np.array(list(ALPHABET))[np.minimum(letter, MAX_STEPS)], "")
        return Batch(x, targets, mask, {"letters": letters, "start": start.astype(np.int64)})

    def metrics(self, outputs: np.ndarray, batch: Batch) -> dict[str, float]:
        """The fraction of next letters predicted right.

        Parameters
        ----------
        outputs : ndarray, (T, B, 26)
            Logits.
        batch : Batch
            The batch they were computed on.

        Returns
        -------
        dict
            ``{"accuracy": …}`` over the masked-in steps.
        """
        right = outputs.argmax(axis=-1) == batch.targets  # (T, B)
        w = np.ones(right.shape) if batch.mask is None else batch.mask  # (T, B)
        return {"accuracy": float(np.sum(right * w) / np.sum(w))}

    def symbols(self) -> tuple[str, ...]:
        return tuple(ALPHABET)

    def metric_labels(self) -> dict[str, str]:
        return {
            "forward_correct": "letters right from A",
            "from_F_correct": "letters right from F",
            "backward_correct": "letters right backwards from Z",
        }

    def baselines(self) -> dict[str, float]:
        """``{"chance": 1/26}``: the accuracy of guessing a letter."""
        return {"chance": 1.0 / len(ALPHABET)}

    def predictions(self, outputs: np.ndarray, batch: Batch) -> dict[str, np.ndarray]:
        """The first sequence's next-letter guesses, for the demo view.

        Returns
        -------
        dict
            "input" (T,) str, the letter seen ("" after the end); "predicted" (T,) str, the
            most likely next letter; "target" (T,) str, the right one ("" after the end);
            "top_letters" (T, 3) str and "top_probs" (T, 3) float64, the three most likely
            letters and their probabilities, most likely first.
        """
        probs = softmax(outputs[:, 0, :].astype(np.float64))  # (T, 26)
        top = np.argsort(-probs, axis=-1, kind="stable")[:, :TOP_K]  # (T, 3)
        letters = np.array(list(ALPHABET))  # (26,)
        x = batch.x[:, 0, :]  # (T, 26), all zeros after the end of the alphabet
        seen = x.any(axis=-1)  # (T,)
        valid = seen if batch.mask is None else batch.mask[:, 0] > 0  # (T,)
        return {
            "input": np.where(seen, letters[x.argmax(axis=-1)], ""),
            "predicted": letters[probs.argmax(axis=-1)],
            "target": np.where(valid, letters[batch.targets[:, 0]], ""),
            "top_letters": letters[top],
            "top_probs": np.take_along_axis(probs, top, axis=-1),
        }

    def evaluate(self, model, batch_size: int = 32, seq_len: int = MAX_STEPS) -> dict[str, float]:
        """The loss and accuracy over every start letter, and the slide's three prompts.

        Parameters
        ----------
        model : object with ``forward(x, h0) -> (outputs, h_n, cache)``
        batch_size : int
            Ignored: the evaluation is exhaustive, one sequence per start letter A … Y.
        seq_len : int
            Steps per sequence (the alphabet to its end with the default).

        Returns
        -------
        dict
            "loss" and "accuracy" on the 25 sequences; "forward_correct", "from_F_correct" and
            "backward_correct": the letters right in a row for each prompt of
            :func:`prompts_report`.
        """
        T = max(1, min(int(seq_len), MAX_STEPS))
        batch = self._make(np.arange(MAX_STEPS), T)  # every start letter once
        outputs, _, _ = model.forward(batch.x, None)  # (T, 25, 26)
        result = {"loss": self.loss(outputs, batch)[0], **self.metrics(outputs, batch)}
        for key, row in prompts_report(model).items():
            result[f"{key}_correct"] = float(row["correct"])
        return result

    def prompts_report(self, model) -> dict[str, dict[str, object]]:
        """The slide's three prompts for ``model``: see :func:`prompts_report`."""
        return prompts_report(model)
