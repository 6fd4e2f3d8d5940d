"""Long-range recall: remember a symbol, then say it when asked. The vanishing-gradient lesson.

The network sees one of K symbols, then a gap of distractor steps, then a cue that says
"recall now"; only its answer at the cue counts. To learn this, the error at the cue has to
travel back through every step of the gap to where the symbol was seen. In a vanilla RNN the
gradient ‖∂L/∂h_t‖ shrinks by about the same factor at every step back (the lecture's "gradient
shrinks exponentially through each time step"), so over a long gap almost nothing arrives and
the network does not learn what it should have kept: its answer stays a guess (chance, 1/K).
An LSTM or a GRU can learn to hold the symbol in its memory (forget gate ≈ 1, update gate ≈ 1),
and then the gradient crosses the gap too.

One sequence has T = N + 2 steps whatever its gap d (1 ≤ d ≤ N); time runs left to right::

    step      0 … N−d−1        N−d       N−d+1 … N          N+1
    token     filler           symbol    filler (d of them)  cue "?"
    target    –                –         –                   the symbol   (mask 1 here only)

With ``vary_delay`` (the default) each sequence draws its gap d uniformly from 1 … N, so short
gaps are in the mix: they give a gated network a short path on which to discover that it
should hold on, and it then holds on over the long gaps as well. Without it every gap is N, the
symbol is always at step 0, and the only learning signal is the one that crosses all N steps.

What to expect with the defaults (N = 40, K = 16, a blank filler) and Adam (learning rate 0.01,
batch 32, hidden 32, 2000 updates, a few seconds each): LSTM and GRU recall the symbol over
the full gap of 40 every time; a vanilla tanh RNN stays near chance (1/16), often keeping
about one bit (two or three of the sixteen symbols told apart, in stable states of its
dynamics that need no gradient to persist). After training, ‖∂L/∂h_0‖/‖∂L/∂h_T‖ is around
10⁻¹ for the LSTM and anywhere from 10⁻³ down to 10⁻²⁰ for the RNN. Two honest caveats:

- An untrained LSTM forgets as fast as an RNN: PyTorch's initialisation puts its forget gate
  near 0.5, so its gradient over 40 steps starts near 10⁻⁹ too. With every gap at N
  (``vary_delay=False``) it has no short path to learn from, and in our runs it stayed at
  chance, while the GRU still learned and the vanilla RNN reached 0.3–0.45.
- Adam divides each weight's step by the size of that weight's own recent gradients, so a
  weight whose only gradient is a tiny but consistent one (the input weights of a symbol that
  is always seen 41 steps before the cue) still moves at full speed. That is why a vanilla RNN
  trained with Adam does better on fixed gaps than the vanishing gradient alone suggests; with
  plain SGD the textbook failure is cleaner.

Inputs are one-hot over the K + M + 1 tokens, in this order:

    channels 0 … K−1          the K symbols, named "A", "B", …
    channels K … K+M−1        the M fillers: M = 1 is a blank "·" that never changes (the
                              cleanest lesson: nothing but the gap makes it hard); M > 1 draws a
                              random filler "a", "b", … at every step, noise to be ignored
    channel  K + M            the cue "?"

The fillers are a separate set from the symbols, so a filler is never a possible answer.
Arrays, time-major as everywhere:

    x        (T, B, K+M+1)  float32 one-hot
    targets  (T, B)         int64, the symbol at every step (only the cue step counts)
    mask     (T, B)         float32, 1 at the cue step (the last), 0 elsewhere
    extra["tokens"]   (T, B)  int64 token index (0 … K+M) at each step, for the views
    extra["symbol"]   (B,)    int64, the symbol to recall
    extra["delay"]    (B,)    int64, the gap d: the symbol is at step N − d
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from rnnviz.core import softmax
from rnnviz.tasks.base import Batch, Task
from rnnviz.tasks.facts import RecallFacts
from rnnviz.tasks.setting import Setting, check_fields

__all__ = ["MAX_DELAY", "MAX_TOKENS", "RecallConfig", "RecallTask"]

#: Most symbols (and fillers): they are named with the letters of the alphabet.
MAX_TOKENS = 26
#: Longest gap: the sequences grow with it, and the training time with them.
MAX_DELAY = 1000
#: Steps × sequences per forward pass in :meth:`RecallTask.accuracy_by_delay`.
_POSITIONS_PER_FORWARD = 200_000


def _check_int(name: str, value: object, low: int, high: int, meaning: str) -> None:
    """Raise a ValueError a student understands unless ``value`` is an int in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} ({meaning}) must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} ({meaning}) must be between {low} and {high}, got {value}")


@dataclass(frozen=True)
class RecallConfig:
    """Settings of the long-range recall task.

    Each field's range and meaning is its row in ``SETTINGS`` (the settings table, said once
    there): N = ``delay``, the longest gap between the symbol and the cue (every gap, without
    ``vary_delay``; a sequence has N + 2 steps), K = ``symbols`` (chance is 1/K) and
    M = ``distractors``, the kinds of filler token (1 is a single blank; more draws random
    noise from a separate set of M tokens).
    """

    delay: int = 40
    symbols: int = 16
    distractors: int = 1
    vary_delay: bool = True

    #: The rows of these settings in the settings table (``rnnviz.tasks.setting``).
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "task.delay",
            int,
            "N: the most steps between the symbol and the cue (a sequence has N + 2 steps).",
            low=1,
            high=MAX_DELAY,
            label="Delay N",
            gloss="steps between the symbol and the cue",
        ),
        Setting(
            "task.symbols",
            int,
            "K: how many different symbols there are to remember; chance is 1/K.",
            low=2,
            high=MAX_TOKENS,
            label="Symbols K",
            gloss="how many symbols to remember",
        ),
        Setting(
            "task.distractors",
            int,
            "M: kinds of filler token in the gap; 1 is a blank, more are random noise.",
            low=1,
            high=MAX_TOKENS,
            label="Fillers M",
            gloss="kinds of filler token",
        ),
        Setting(
            "task.vary_delay",
            bool,
            "Draw each sequence's gap from 1 … N (true) or always use N (false).",
            label="Vary the delay",
        ),
    )

    def __post_init__(self) -> None:
        check_fields(self, self.SETTINGS)


class RecallTask(Task):
    """Recall the symbol seen d steps before the cue (see the module docstring).

    Parameters
    ----------
    config : RecallConfig, optional
        Gap N, symbols K, fillers M and ``vary_delay``; the defaults when omitted.

    Attributes
    ----------
    input_size : int
        K + M + 1 (symbols, fillers, cue).
    output_size : int
        K.
    cue_token : int
        Index K + M of the cue in the one-hot input.
    """

    name: ClassVar[str] = "recall"
    kind: ClassVar[str] = "classification"

    def __init__(self, config: RecallConfig | None = None) -> None:
        self.config = RecallConfig() if config is None else config
        K, M = self.config.symbols, self.config.distractors
        self.input_size = K + M + 1
        self.output_size = K
        self.cue_token = K + M

    @property
    def seq_len(self) -> int:
        """T = N + 2, fixed by the delay."""
        return self.config.delay + 2

    def sequence_length(self, requested: int) -> int:
        """N + 2 whatever is requested: the delay fixes the length."""
        return self.seq_len

    def example(self, rng: np.random.Generator, seq_len: int | None = None) -> Batch:
        """The sequence the views show: one symbol at step 0 and the full gap of N before the
        cue, so the hidden states and the gradient curve span the whole distance."""
        return self.batch_with_delay(rng, 1, self.config.delay)

    def token_names(self) -> list[str]:
        """Display names of the K + M + 1 input tokens: "A", "B", …, then the fillers ("·" when
        there is one, else "a", "b", …), then "?" for the cue."""
        K, M = self.config.symbols, self.config.distractors
        symbols = [chr(ord("A") + k) for k in range(K)]
        fillers = ["·"] if M == 1 else [chr(ord("a") + m) for m in range(M)]
        return [*symbols, *fillers, "?"]

    # --- data ---------------------------------------------------------------------------------

    def batch(self, rng: np.random.Generator, batch_size: int, seq_len: int | None = None) -> Batch:
        """Draw ``batch_size`` recall sequences, gaps as ``config.vary_delay`` says.

        The arguments are ``Task.batch``'s, but ``seq_len`` may be left out and is ignored: the
        length is always ``self.seq_len`` = N + 2, set by the delay.

        Returns
        -------
        Batch
            See the module docstring for the arrays.
        """
        _check_int("batch_size", batch_size, 1, 1_000_000, "sequences per batch")
        N = self.config.delay
        if self.config.vary_delay:
            delay = rng.integers(1, N + 1, size=batch_size)  # (B,)
        else:
            delay = np.full(batch_size, N)  # (B,)
        return self._make(rng, delay)

    def batch_with_delay(self, rng: np.random.Generator, batch_size: int, delay: int) -> Batch:
        """Draw ``batch_size`` sequences that all have the gap ``delay`` (1 ≤ delay ≤ N).

        For evaluating at one distance, e.g. the longest: ``batch_with_delay(rng, B, N)`` puts
        every symbol at step 0. Same layout and length (N + 2) as :meth:`batch`.
        """
        _check_int("batch_size", batch_size, 1, 1_000_000, "sequences per batch")
        _check_int("delay", delay, 1, self.config.delay, "steps between the symbol and the cue")
        return self._make(rng, np.full(batch_size, delay))

    def _make(self, rng: np.random.Generator, delay: np.ndarray) -> Batch:
        """The batch whose sequence b has the gap ``delay[b]``; draws symbols, then fillers."""
        K, M, N = self.config.symbols, self.config.distractors, self.config.delay
        T, B = N + 2, delay.shape[0]
        symbol = rng.integers(0, K, size=B)  # (B,)
        # fillers everywhere first (with M = 1, integers(K, K + 1) is always the blank K) …
        tokens = rng.integers(K, K + M, size=(T, B))  # (T, B)
        # … then the symbol d steps before the cue, and the cue at the end
        tokens[N - delay, np.arange(B)] = symbol
        tokens[-1] = self.cue_token
        x = np.zeros((T, B, self.input_size), dtype=np.float32)  # (T, B, K+M+1)
        np.put_along_axis(x, tokens[..., None], 1.0, axis=2)
        # the symbol is the target at every step so that every target is a valid class index;
        # the mask makes the cue step the only one that counts
        targets = np.broadcast_to(symbol, (T, B)).astype(np.int64)  # (T, B)
        mask = np.zeros((T, B), dtype=np.float32)  # (T, B)
        mask[-1] = 1.0
        extra = {
            "tokens": tokens.astype(np.int64),
            "symbol": symbol.astype(np.int64),
            "delay": delay.astype(np.int64),
        }
        return Batch(x, targets, mask, extra)

    # --- scoring ------------------------------------------------------------------------------

    def metrics(self, outputs: np.ndarray, batch: Batch) -> dict[str, float]:
        """How often the answer at the cue is the symbol.

        Parameters
        ----------
        outputs : ndarray, (T, B, K)
            Logits.
        batch : Batch
            The batch they were computed on (from this task).

        Returns
        -------
        dict
            "accuracy": over all sequences; "accuracy_long": over those whose gap is longer
            than N/2 (all of them without ``vary_delay``), where memory matters most; NaN
            when the batch has none.
        """
        right = outputs[-1].argmax(axis=-1) == batch.targets[-1]  # (B,)
        delay = batch.extra.get("delay")
        long = np.ones_like(right) if delay is None else delay > self.config.delay / 2  # (B,)
        long_acc = float(np.mean(right[long])) if long.any() else float("nan")
        return {"accuracy": float(np.mean(right)), "accuracy_long": long_acc}

    def symbols(self) -> tuple[str, ...]:
        return tuple(self.token_names())

    def metric_labels(self) -> dict[str, str]:
        return {
            "accuracy_long": f"accuracy, gaps > {self.config.delay / 2:g} steps",
            "accuracy_full_gap": f"recall accuracy {self.config.delay} steps back",
        }

    def facts(self) -> RecallFacts:
        return self.facts_with(
            RecallFacts,
            delay=self.config.delay,
            num_symbols=self.config.symbols,
        )

    def baselines(self) -> dict[str, float]:
        """``{"chance": 1/K}``: the accuracy of guessing, which a network that forgot gets."""
        return {"chance": 1.0 / self.config.symbols}

    def predictions(self, outputs: np.ndarray, batch: Batch) -> dict[str, np.ndarray]:
        """What the network would answer at every step of the first sequence.

        Only the answer at the cue counts, but the probability of the right symbol along the
        sequence shows where the network picks it up and whether it still has it later.

        Returns
        -------
        dict
            "probs" (T, K) softmax of the outputs; "answer" (T,) int64, the most likely symbol;
            "p_symbol" (T,) the probability of the right symbol; "symbol" and "symbol_step",
            0-d int64.
        """
        probs = softmax(outputs[:, 0, :].astype(np.float64))  # (T, K)
        symbol = int(batch.targets[-1, 0])
        delay = batch.extra.get("delay")
        step = 0 if delay is None else self.config.delay - int(delay[0])
        return {
            "probs": probs,
            "answer": probs.argmax(axis=-1).astype(np.int64),
            "p_symbol": probs[:, symbol],
            "symbol": np.array(symbol, dtype=np.int64),
            "symbol_step": np.array(step, dtype=np.int64),
        }

    def evaluate(
        self,
        model,
        batch_size: int = 32,
        seq_len: int | None = None,
        batches: int = 8,
        seed: int = 0,
    ) -> dict[str, float]:
        """The loss and the metrics on fresh data, the same data at every call.

        Parameters
        ----------
        model : object with ``forward(x, h0) -> (outputs, h_n, cache)``
        batch_size : int
            Sequences per batch.
        seq_len : int, optional
            Ignored (the delay fixes the length).
        batches : int
            Batches of each kind.
        seed : int
            Seeds the data, so that calls during training compare like with like.

        Returns
        -------
        dict
            "loss", "accuracy" and "accuracy_long" on sequences drawn like the training data,
            and "accuracy_full_gap": the accuracy when every gap is N, the lesson's figure.
        """
        _check_int("batches", batches, 1, 1_000_000, "batches to evaluate on")
        rng = np.random.default_rng(seed)
        totals = {"loss": 0.0, "accuracy": 0.0, "accuracy_long": 0.0, "accuracy_full_gap": 0.0}
        long_batches = 0
        for _ in range(batches):
            batch = self.batch(rng, batch_size)
            outputs, _, _ = model.forward(batch.x, None)  # (T, B, K)
            totals["loss"] += self.loss(outputs, batch)[0] / batches
            m = self.metrics(outputs, batch)
            totals["accuracy"] += m["accuracy"] / batches
            if not np.isnan(m["accuracy_long"]):  # a batch may have no long gap (B = 1)
                totals["accuracy_long"] += m["accuracy_long"]
                long_batches += 1
            full = self.batch_with_delay(rng, batch_size, self.config.delay)
            outputs, _, _ = model.forward(full.x, None)  # (T, B, K)
            totals["accuracy_full_gap"] += self.metrics(outputs, full)["accuracy"] / batches
        totals["accuracy_long"] = (
            totals["accuracy_long"] / long_batches if long_batches else float("nan")
        )
        return totals

    def accuracy_by_delay(self, model, rng: np.random.Generator, per_delay: int = 64) -> np.ndarray:
        """Accuracy at every gap 1 … N: how far back the model can remember.

        Parameters
        ----------
        model : object with ``forward(x, h0) -> (outputs, h_n, cache)``
            E.g. a trained ``SequenceModel`` with K + M + 1 inputs and K outputs.
        rng : numpy Generator
            Draws the test sequences.
        per_delay : int
            Sequences per gap.

        Returns
        -------
        ndarray, (N,) float64
            Entry d − 1 is the accuracy at gap d.
        """
        _check_int("per_delay", per_delay, 1, 1_000_000, "sequences per gap")
        N, T = self.config.delay, self.seq_len
        delay = np.repeat(np.arange(1, N + 1), per_delay)  # (N·per_delay,)
        right = np.empty(delay.shape, dtype=bool)  # (N·per_delay,)
        # in chunks of about _POSITIONS_PER_FORWARD steps × sequences, so that long gaps do not
        # need gigabytes at once
        chunk = max(1, _POSITIONS_PER_FORWARD // T)
        for lo in range(0, delay.size, chunk):
            batch = self._make(rng, delay[lo : lo + chunk])
            outputs, _, _ = model.forward(batch.x, None)  # (T, chunk, K)
            right[lo : lo + chunk] = outputs[-1].argmax(axis=-1) == batch.targets[-1]
        return right.reshape(N, per_delay).mean(axis=1)
