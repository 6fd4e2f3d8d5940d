"""How much memory a run needs, estimated from its configuration before anything is built.

The settings allow shapes far past what a laptop holds: hidden size 1024 × 4 layers ×
bidirectional × batch 4096 × 10,000 steps would need about 31 TiB for one update. The estimate
is computed from the config alone (no model, batch or text is built), so such a config is
refused at once (``check_budget``, a ``ConfigError`` that says what to make smaller) instead of
failing half-way through an allocation or swapping the machine to a halt. It is checked by
``TrainConfig.with_settings`` (so the window refuses the setting) and at the start of
``Trainer.__init__`` (so every run, from a preset, a setting or a session, is covered).

At its peak a run holds, in float32 numbers, with L layers, D directions, hidden size H,
G gates (RNN 1, GRU 3, LSTM 4), I inputs, O outputs, T steps and B sequences:

    parameters   P = Σ_k D·G·H·(I_k + H + 2) + O·(D·H + 1),   I_0 = I, I_k = D·H (k > 0)
                 kept 6 + S times: weights, gradients, the previous update's gradients (kept
                 for the views), the snapshot's copy, the optimiser's two work arrays and its
                 S buffers (SGD and Adagrad 1, Adam and RMSprop 2)
    forward      T·B·(I + O + L·D·C·H + copies): the batch, the readout's outputs, every
                 layer-direction's cache (C = 7 for the LSTM: four gates, h, c, tanh c; 5 for
                 the GRU: three gates, h, W_hn·h; 1 for the RNN: h; the RNN and the LSTM
                 also keep each step's input beside h, I_k + 1 more) and the copies a
                 bidirectional layer makes of its input (reversed) and output (joined)
    backward     T·B·(O + 2·D·H + W·H + I_k + L·D·H): the gradients of the outputs and of y,
                 the work of one layer-direction (W = 5 LSTM, 7 GRU, 2 RNN) and the gradient
                 reaching every h_t, kept for the gradient-flow view
    scores       T·B·O in float64, twice (the log-softmax of the loss and of the metrics)

An update holds two forward passes (the trainer keeps the last one for the views while the next
one runs), a backward pass and the scores; the evaluation at the end of ``rnnviz train``
(``Trainer.evaluate``: batches of max(B, 32) sequences, or the text's validation text) holds
the last update's forward pass, the work arrays the layer keeps from its backward pass (for
speed: ``rnnviz.core.workspace``) and two forward passes of its own. The larger of the two
counts, with the histories (the gradient norms keep ``history`` rows of L·D·T numbers, and a
snapshot copies them) and a quarter more for NumPy's short-lived temporaries.

Measured with ``tracemalloc`` (tests/training/test_budget.py: each cell, stacked and
bidirectional layers, every task), the estimate lies between 1 and 1.5 times the real peak.
The text task's vocabulary is not known before its text is read, so the estimate takes the
largest it can be (128 for the built-in corpora, which are ASCII; ``TextTask.MAX_VOCABULARY``
for a file) and the longest validation text: there it is an upper bound, up to 3.5 times the
peak of the classroom corpus (27 characters) with long sequences.

Not counted: the text itself (at most ``DEFAULT_MAX_BYTES`` of file, 50 MB, held a few times
while it is encoded) and what the window draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rnnviz.core import CELLS
from rnnviz.tasks.registry import TaskName, make_task
from rnnviz.tasks.setting import ConfigError
from rnnviz.tasks.text import CorpusName, TextTask

if TYPE_CHECKING:  # TrainConfig.with_settings calls check_budget: no import back at run time
    from rnnviz.training.config import TrainConfig

__all__ = ["BUDGET_BYTES", "MemoryEstimate", "check_budget", "estimate_memory"]

#: The most memory one run may need: 2 GiB. Every lesson needs less than 10 MiB, and ordinary
#: tinkering far less than the budget (an LSTM of 256 units, 2 layers, bidirectional, batch 64,
#: 200 steps: about 1.3 GiB estimated); a classroom laptop with 8 GB shares the rest with the
#: window, the system and a browser. Past it an update takes many seconds on two cores anyway.
BUDGET_BYTES = 2 * 1024**3

_FLOAT = 4  # bytes: every array of a run is float32
_DOUBLE = 8  # the loss and metrics take the log-softmax in float64
_INDEX = 8  # int64 iteration numbers in the histories

#: The most characters of the built-in text corpora (classroom, zen, stdlib): they are ASCII.
_BUILT_IN_VOCABULARY = 128
#: Gates per cell (rows of weight_hh are G·H), from the cells' one definition.
_GATES = {name: spec.gate_count for name, spec in CELLS.items()}
#: Numbers per step, sequence and unit that one layer-direction's forward pass keeps.
_CACHE_UNITS = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 5, "lstm": 7}
#: ... and that its backward pass works on (the gradient reaching h_t included).
_BACKWARD_UNITS = {"rnn_tanh": 2, "rnn_relu": 2, "gru": 7, "lstm": 5}
#: ... and that it works on while it runs (the LSTM's input projection for every step).
_FORWARD_WORK_UNITS = {"rnn_tanh": 0, "rnn_relu": 0, "gru": 0, "lstm": 4}
#: Per-parameter buffers of each optimiser (SGD and Adagrad one, Adam and RMSprop two).
_OPTIMISER_BUFFERS = {"sgd": 1, "adam": 2, "adagrad": 1, "rmsprop": 2}
#: Arrays of every parameter's size besides the optimiser's buffers: the weights, their
#: gradients, the previous update's gradients (kept for the views), the snapshot's copy of the
#: weights and the optimiser's two work arrays.
_PARAMETER_COPIES = 6
#: NumPy's short-lived temporaries, which the count above leaves out: measured, they add up to
#: 10 % at most at the peak; a quarter more keeps the estimate above the real peak.
_MARGIN = 1.25
#: ``Trainer.evaluate`` reads batches of at least this many sequences.
_EVALUATION_BATCH = 32
#: The most metrics a task reports (their history keeps one column each).
_MAX_METRICS = 4


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a run needs at its peak, by what holds them.

    Attributes
    ----------
    parameters : int
        Weights, gradients and the optimiser's state.
    passes : int
        The forward and backward passes through time (or the evaluation, if larger): caches,
        gradients of the hidden states, the batch, the readout's outputs and scores.
    histories : int
        The loss, metric and gradient-norm histories and a snapshot's copy of them.
    """

    parameters: int
    passes: int
    histories: int

    @property
    def total(self) -> int:
        return self.parameters + self.passes + self.histories


def _task_shape(config: TrainConfig) -> tuple[int, int, int]:
    """(I, O, T) of the task ``config`` describes, without loading any data.

    The ball, alphabet and recall tasks are plain objects built from their settings (no data),
    so they are asked; the text task would read its corpus, so its largest vocabulary is taken:
    128 for the built-in corpora (ASCII), ``TextTask.MAX_VOCABULARY`` for a file.
    """
    if config.task is TaskName.TEXT:
        from_file = config.task_params.corpus is CorpusName.FILE
        V = TextTask.MAX_VOCABULARY if from_file else _BUILT_IN_VOCABULARY
        return V, V, config.seq_len
    task = make_task(config.task, config.task_params)
    return task.input_size, task.output_size, task.sequence_length(config.seq_len)


def estimate_memory(
    config: TrainConfig, shape: tuple[int, int, int] | None = None
) -> MemoryEstimate:
    """The memory a run of ``config`` needs at its peak (see the module docstring).

    Parameters
    ----------
    config : TrainConfig
    shape : (I, O, T), optional
        The task's input and output sizes and steps per sequence, when known (e.g. from a task
        already built); by default they are derived from ``config`` alone.
    """
    I, O, T = _task_shape(config) if shape is None else shape
    m = config.model
    cell, H, L = m.cell.value, m.hidden_size, m.num_layers
    D = 2 if m.bidirectional else 1
    G = _GATES[cell]
    inputs = [I] + [D * H] * (L - 1)  # I_k, what layer k reads

    P = sum(D * G * H * (I_k + H + 2) for I_k in inputs) + O * (D * H + 1)
    copies = _PARAMETER_COPIES + _OPTIMISER_BUFFERS[config.optim.kind.value]
    parameters = P * copies * _FLOAT

    # per step and sequence, in float32 numbers
    cache = L * D * _CACHE_UNITS[cell] * H
    if cell != "gru":  # the RNN and the LSTM keep z_t = [h_{t−1}; x_t; 1], their step's operand
        cache += sum(D * (I_k + 1) for I_k in inputs)
    # a bidirectional layer copies its input reversed and its two outputs side by side; the
    # LSTM's (T, H, B) states are copied once into the (T, B, H) the readout reads
    copies = sum((D - 1) * (I_k + D * H) for I_k in inputs) + (H if cell == "lstm" else 0)
    forward = I + O + cache + copies  # the batch and the readout's outputs too
    forward_work = _FORWARD_WORK_UNITS[cell] * H
    kept_dh = L * D * H  # the gradient reaching every h_t, kept for the gradient-flow view
    work = max(_BACKWARD_UNITS[cell] * H + I_k for I_k in inputs)
    backward = O + 2 * D * H + work + kept_dh  # dL/doutputs, dL/dy and the layer's input grad
    scores = 2 * O * _DOUBLE // _FLOAT  # float64 log-softmax and metrics
    B = config.batch_size
    update = T * B * (2 * forward + kept_dh + backward + scores)
    # evaluation batches: the text task's cover its validation text, at most so many positions
    evaluated = T * max(B, _EVALUATION_BATCH)
    if config.task is TaskName.TEXT:
        evaluated = min(evaluated, TextTask.MAX_VALIDATION_CHARS)
    # the layer keeps its last backward pass's work arrays for the next (rnnviz.core.workspace)
    evaluation = T * B * (forward + work) + evaluated * (2 * forward + forward_work + O + scores)
    passes = max(update, evaluation) * _FLOAT

    rows = config.history
    per_row = 3 * _INDEX + _FLOAT * (1 + _MAX_METRICS + L * D * T)
    histories = 2 * rows * per_row  # the histories and one snapshot's copy of them
    return MemoryEstimate(
        round(parameters * _MARGIN), round(passes * _MARGIN), round(histories * _MARGIN)
    )


def _size(n: float) -> str:
    """``2 GiB``, ``1.7 GiB``, ``320 MiB``: binary units, as the budget is stated."""
    for unit, scale in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2)):
        if n >= scale:
            value = n / scale
            return f"{value:.3g} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    return f"{n / 1024:.0f} KiB"


def _what_to_shrink(config: TrainConfig, estimate: MemoryEstimate) -> str:
    """The settings behind the largest part of the estimate, with their values, as the end
    of "make … smaller"."""
    m = config.model
    if estimate.histories >= max(estimate.parameters, estimate.passes):
        names = [f"history ({config.history})"]
        if config.task is not TaskName.RECALL:
            names.append(f"seq_len ({config.seq_len})")
    else:
        names = []
        if estimate.passes > estimate.parameters:
            names.append(f"batch_size ({config.batch_size})")
            if config.task is TaskName.RECALL:  # the delay fixes the length
                names.append(f"task.delay ({config.task_params.delay})")
            elif config.task is not TaskName.ALPHABET:  # never more than 25 steps
                names.append(f"seq_len ({config.seq_len})")
        names.append(f"model.hidden_size ({m.hidden_size})")
        if m.num_layers > 1:
            names.append(f"model.num_layers ({m.num_layers})")
    text = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    if m.bidirectional and estimate.histories < max(estimate.parameters, estimate.passes):
        return f"{text} smaller, or set model.bidirectional=false"
    return f"{text} smaller"


def check_budget(config: TrainConfig, budget: int = BUDGET_BYTES) -> MemoryEstimate:
    """The estimate for ``config``; a ConfigError saying what to make smaller if it exceeds
    ``budget`` bytes."""
    estimate = estimate_memory(config)
    if estimate.total > budget:
        raise ConfigError(
            f"these settings would need about {_size(estimate.total)} of memory for one update "
            f"(rnnviz allows {_size(budget)}): make {_what_to_shrink(config, estimate)}"
        )
    return estimate
