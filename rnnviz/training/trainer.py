"""The training loop the window watches: a plain generator of snapshots, no Qt.

    trainer = Trainer(config)
    for snapshot in trainer.run(steps=1000, snapshot_every=50):
        ...                                   # draw it, print it, save it

Each update draws a batch from the task, runs forward and back-propagation through time,
clips and steps the optimiser (``rnnviz.training.step``). Learning rate, clipping, momentum,
optimiser and temperature change live (``update``); a change of shape needs a new trainer
(``needs_reset`` tells). ``rewind`` starts the identical run again from the same seed;
``reseed`` starts a new one.

BLAS threads: the trainer limits NumPy's BLAS to ``blas_threads`` (default 1) for the whole
process. At classroom sizes a second BLAS thread costs more in hand-over than it gains, and when
the other core is busy (the window's own thread, another program) OpenBLAS's waiting threads
make every step many times slower: measured here, an LSTM with H = 128 took 5.8 ms per step
with one thread and 169 ms with two while one other process ran.

Divergence: when the loss or a gradient is not finite, or the loss climbs above
``max(100 × the first loss, 100)`` (measured: a learning rate of 100 drives every task past it
within 150 updates, a learning rate of 1 stays below it), the update is skipped, ``diverged``
says why and what to do, and ``step`` does nothing until the trainer is rewound or given a
smaller learning rate.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from types import MappingProxyType

import numpy as np
from threadpoolctl import threadpool_limits

from rnnviz.core import SGD, Adagrad, Adam, NonFiniteGradientError, Optimizer, RMSprop, cell_spec
from rnnviz.tasks.base import Batch
from rnnviz.tasks.registry import make_task
from rnnviz.training.budget import check_budget
from rnnviz.training.config import OptimConfig, OptimizerKind, TrainConfig
from rnnviz.training.fresh_figures import FreshFigures
from rnnviz.training.history import DecimatingHistory
from rnnviz.training.model import model_for
from rnnviz.training.settings import needs_new_run
from rnnviz.training.snapshot import Layout, Snapshot, frozen_array, frozen_mapping
from rnnviz.training.step import StepResult, train_step
from rnnviz.training.trainer_state import (
    HISTORIES,
    TrainerState,
    TrainerStateError,
    check_state_fits,
    check_state_values,
)

__all__ = [
    "Trainer",
    "TrainerState",
    "TrainerStateError",
    "limit_blas_threads",
    "make_optimizer",
    "needs_reset",
]


def make_optimizer(optim: OptimConfig, params: dict[str, np.ndarray]) -> Optimizer:
    """The optimiser ``optim`` names, over ``params``."""
    if optim.kind is OptimizerKind.SGD:
        return SGD(params, lr=optim.lr, momentum=optim.momentum)
    if optim.kind is OptimizerKind.ADAM:
        return Adam(params, lr=optim.lr)
    if optim.kind is OptimizerKind.ADAGRAD:
        return Adagrad(params, lr=optim.lr)
    return RMSprop(params, lr=optim.lr, momentum=optim.momentum)


_blas_limiter = None

#: A loss above max(DIVERGENCE_FACTOR × the first loss, DIVERGENCE_FLOOR) counts as diverged.
DIVERGENCE_FACTOR = 100.0
DIVERGENCE_FLOOR = 100.0


def limit_blas_threads(threads: int) -> None:
    """Limit NumPy's BLAS to ``threads`` threads, process-wide (see the module docstring)."""
    global _blas_limiter
    if _blas_limiter is None or _blas_limiter[0] != threads:
        _blas_limiter = (threads, threadpool_limits(limits=threads, user_api="blas"))


def needs_reset(old: TrainConfig, new: TrainConfig) -> bool:
    """True when going from ``old`` to ``new`` changes a setting that is not live in the
    settings table (the model's shape or the data)."""
    return needs_new_run(old, new)


class _OutputsOverflowError(ArithmeticError):
    """The model's outputs overflowed while evaluating it."""


class _FiniteOutputs:
    """The model, for an evaluation: ``forward`` raises ``_OutputsOverflowError`` when the outputs
    are not finite, before a task's loss refuses them with an error of its own."""

    def __init__(self, model) -> None:
        self._model = model

    def forward(self, x: np.ndarray, h0=None):
        outputs, h_n, cache = self._model.forward(x, h0)
        if not np.all(np.isfinite(outputs)):
            raise _OutputsOverflowError
        return outputs, h_n, cache


class Trainer:
    """Trains one model on one task and makes snapshots of it.

    Parameters
    ----------
    config : TrainConfig
    run_id : int
        Tags every snapshot, so that a window can drop snapshots of a run it replaced.

    Raises
    ------
    ConfigError
        Before anything is built, if the run would need more memory than
        ``rnnviz.training.budget.BUDGET_BYTES``.
    """

    def __init__(self, config: TrainConfig, run_id: int = 0, blas_threads: int | None = 1) -> None:
        if not isinstance(config, TrainConfig):
            raise TypeError(f"Trainer needs a TrainConfig, got {type(config).__name__}")
        check_budget(config)  # before anything is built: a ConfigError says what is too large
        self.config = config
        self.run_id = run_id
        if blas_threads is not None:
            limit_blas_threads(blas_threads)
        # the figures on fresh data that snapshots carry: taken by whoever asks for them (the
        # window's training loop, once an update is shown), forgotten with the run's state
        self.fresh = FreshFigures()
        self._build()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        cfg = self.config
        self.task = make_task(cfg.task, cfg.task_params)
        self.model = model_for(cfg, self.task)
        self.optimizer = make_optimizer(cfg.optim, self.model.params)
        # separate streams: the data, and the fixed example sequence the views show
        self.rng = np.random.default_rng([cfg.seed, 1])
        self.seq_len = self.task.sequence_length(cfg.seq_len)
        self.example: Batch = self.task.example(np.random.default_rng([cfg.seed, 2]), self.seq_len)
        self.iteration = 0
        self.h_carry = None
        self.diverged = ""
        self._lr_at_divergence = float("inf")
        self._loss_limit = float("inf")
        self.last: StepResult | None = None
        self.last_metrics: dict[str, float] = {}
        LD = self.model.rnn.num_layers * self.model.rnn.num_directions
        self.loss_history = DecimatingHistory(cfg.history)
        self.metric_names = tuple(self._metrics_of_example())
        self.metric_history = DecimatingHistory(cfg.history, len(self.metric_names))
        self.dh_history = DecimatingHistory(cfg.history, (LD, self.seq_len))
        self._step_times: deque[float] = deque(maxlen=256)
        self.fresh.reset()

    def _metrics_of_example(self) -> dict[str, float]:
        outputs, _, _ = self.model.forward(self.example.x)
        return self.task.metrics(outputs, self.example)

    # ------------------------------------------------------------------ training

    def step(self) -> StepResult | None:
        """Make one update; None when holding after a divergence."""
        if self.diverged:
            if self.optimizer.lr < self._lr_at_divergence:
                self.diverged = ""  # a smaller learning rate: try again
            else:
                return None
        cfg = self.config
        batch = self.task.batch(self.rng, cfg.batch_size, self.seq_len)
        continues = bool(batch.extra.get("continues", True))
        h0 = self.h_carry if self.task.carries_state and continues else None
        result = train_step(
            self.model, self.task, batch, self.optimizer, cfg.optim.clip, h0, self._loss_limit
        )
        self.last = result
        if self.iteration == 0 and result.applied:
            self._loss_limit = max(DIVERGENCE_FACTOR * result.loss, DIVERGENCE_FLOOR)
        if not result.applied:
            self.diverged = (
                f"diverged at iteration {self.iteration}: {result.reason}. "
                "Lower the learning rate or rewind."
            )
            self._lr_at_divergence = self.optimizer.lr
            return result
        if self.task.carries_state:
            self.h_carry = result.h_n
        self.iteration += 1
        self._step_times.append(time.perf_counter())
        self.loss_history.offer(self.iteration, result.loss)
        self.last_metrics = self.task.metrics(result.outputs, batch)
        self.metric_history.offer(
            self.iteration, [self.last_metrics.get(n, np.nan) for n in self.metric_names]
        )
        if result.rnn_grads is not None:
            self.dh_history.offer(self.iteration, result.rnn_grads.dh_norms)
        return result

    def run(
        self,
        steps: int | None = None,
        snapshot_every: int | None = None,
        snapshot_interval: float | None = None,
    ) -> Iterator[Snapshot]:
        """Train, yielding a snapshot every ``snapshot_every`` updates and/or at most every
        ``snapshot_interval`` seconds, and one at the end. Stops after ``steps`` updates
        (None: never) or at a divergence (after yielding a snapshot that says so)."""
        done = 0
        last_yield = time.perf_counter()
        yielded_at = -1
        while steps is None or done < steps:
            result = self.step()
            if result is None or not result.applied:
                break
            done += 1
            now = time.perf_counter()
            due = snapshot_every is not None and done % snapshot_every == 0
            due |= snapshot_interval is not None and now - last_yield >= snapshot_interval
            if due:
                last_yield = now
                yielded_at = self.iteration
                yield self.snapshot()
        if yielded_at != self.iteration or self.diverged:
            yield self.snapshot()

    def evaluate(self, batches: int = 8, batch_size: int | None = None) -> dict[str, float]:
        """The task's metrics and the loss on fresh data (the validation text for the text
        task), without training; the training stream is not disturbed. A model whose outputs
        overflow (a diverged run, or weights near float32's limit from a file) scores NaN:
        no NumPy warning, no error."""
        with np.errstate(all="ignore"):  # an overflow shows as the NaN scores below
            try:
                return self._evaluate(batches, batch_size, _FiniteOutputs(self.model))
            except _OutputsOverflowError:
                return dict.fromkeys(("loss", *self.metric_names), float("nan"))

    def _evaluate(self, batches: int, batch_size: int | None, model) -> dict[str, float]:
        cfg = self.config
        B = batch_size or max(cfg.batch_size, 32)
        if hasattr(self.task, "evaluate"):
            return dict(self.task.evaluate(model, batch_size=B, seq_len=self.seq_len))
        rng = np.random.default_rng([cfg.seed, 3, self.iteration])
        totals: dict[str, float] = {}
        for _ in range(batches):
            batch = self.task.batch(rng, B, self.seq_len)
            outputs, _, _ = model.forward(batch.x)
            loss, _ = self.task.loss(outputs, batch)
            for name, value in {"loss": loss, **self.task.metrics(outputs, batch)}.items():
                totals[name] = totals.get(name, 0.0) + float(value) / batches
        return totals

    # ------------------------------------------------------------------ live changes

    def update(self, config: TrainConfig) -> None:
        """Apply a config that differs only in live settings (optimiser, clip, temperature).

        Raises ValueError if it changes the shape or the data: make a new Trainer instead.
        """
        if needs_reset(self.config, config):
            raise ValueError("that change needs a new run (it changes the model or the data)")
        old = self.config.optim
        self.config = config
        new = config.optim
        if new.kind is not old.kind:
            self.optimizer = make_optimizer(new, self.model.params)  # weights kept, state new
        else:
            self.optimizer.lr = new.lr
            if hasattr(self.optimizer, "momentum") and new.kind in (
                OptimizerKind.SGD,
                OptimizerKind.RMSPROP,
            ):
                self.optimizer.momentum = new.momentum

    def set(self, **settings) -> None:
        """Live change by dotted names, e.g. ``trainer.set(**{"optim.lr": 0.001})``."""
        self.update(self.config.with_settings(settings))

    def rewind(self) -> None:
        """Start again from the same seed: the identical run."""
        self._build()

    def reseed(self, seed: int) -> None:
        """Start a new run from another seed."""
        self.config = replace(self.config, seed=seed)
        self._build()

    # ------------------------------------------------------------------ state

    def state(self) -> TrainerState:
        """Everything the run depends on besides ``config``, as plain arrays and numbers
        (copies; see ``TrainerState``): a trainer of the same config given it by
        ``load_state`` continues exactly as this one would."""
        carry = self.h_carry
        parts = () if carry is None else carry if isinstance(carry, tuple) else (carry,)
        return TrainerState(
            iteration=self.iteration,
            params=self.model.state_dict(),
            optimizer=self.optimizer.state_dict(),
            histories={h: getattr(self, h).state() for h in HISTORIES},
            rng=self.rng.bit_generator.state,
            task={k: np.array(v) for k, v in self.task.state().items()},
            carry=tuple(np.array(p) for p in parts),
            diverged=self.diverged,
            lr_at_divergence=float(self._lr_at_divergence),
            loss_limit=float(self._loss_limit),
        )

    def load_state(self, state: TrainerState) -> None:
        """Continue from ``state`` (from ``state()`` of a trainer of this config).

        Every member and number is checked first (``rnnviz.training.trainer_state``); the
        last update's loss, metrics and the speed are forgotten, as in a new trainer.

        Raises
        ------
        TrainerStateError
            Saying what does not fit, in one line; the trainer is then as it was.
        """
        check_state_values(state, self.config)
        check_state_fits(self, state)
        backup = self.state()
        try:
            self._apply_state(state)
        except Exception as error:  # a part's own check refused: put the old state back
            self._apply_state(backup)
            if isinstance(error, ValueError):
                raise TrainerStateError(str(error)) from None
            raise
        self.last = None
        self.last_metrics = {}
        self._step_times.clear()
        self.fresh.reset()

    def _apply_state(self, state: TrainerState) -> None:
        self.model.load_state_dict(state.params)
        self.optimizer.load_state_dict(state.optimizer)
        for h in HISTORIES:
            getattr(self, h).load_state(state.histories[h], finite=h == "loss_history")
        self.task.load_state(state.task)
        self.rng.bit_generator.state = {**state.rng, "state": dict(state.rng["state"])}
        parts = tuple(np.array(p, dtype=self.model.dtype, order="C") for p in state.carry)
        self.h_carry = None if not parts else parts if len(parts) == 2 else parts[0]
        self.iteration = int(state.iteration)
        self.diverged = state.diverged
        self._lr_at_divergence = float(state.lr_at_divergence)
        self._loss_limit = float(state.loss_limit)

    # ------------------------------------------------------------------ snapshots

    def steps_per_second(self) -> float:
        times = self._step_times
        if len(times) < 2:
            return 0.0
        now = time.perf_counter()
        recent = [t for t in times if now - t <= 2.0]
        if len(recent) < 2:
            return 0.0
        return (len(recent) - 1) / (recent[-1] - recent[0]) if recent[-1] > recent[0] else 0.0

    def snapshot(self) -> Snapshot:
        """A frozen copy of everything the views draw, computed on the fixed example."""
        with np.errstate(all="ignore"):  # a diverged model may overflow; the views show NaN
            return self._snapshot()

    def _snapshot(self) -> Snapshot:
        ex = self.example
        outputs, _, cache = self.model.forward(ex.x)
        exploded = not np.all(np.isfinite(outputs))
        if exploded:
            # the last update blew the hidden states up (the next one reports the divergence):
            # nothing is predicted, and the views show the states and NaN gradients as they are
            outputs = np.zeros_like(outputs)
        _, doutputs = self.task.loss(outputs, ex)
        dy_ok = not exploded and np.all(np.isfinite(doutputs))
        dh_norms = np.full((len(cache.trace), ex.seq_len), np.nan)
        cell_rows = len(cache.trace) if cache.trace.directions[0].c is not None else 0
        dc_norms = np.full((cell_rows, ex.seq_len), np.nan)  # (L·D, T), or (0, T)
        # the example's own gradients, per unit, for the backward equations (NaN: none)
        nan = np.full((ex.seq_len, self.config.model.hidden_size), np.nan)  # (T, H)
        dh, dc = [nan] * len(cache.trace), [nan] * cell_rows  # L·D × (T, H), cell_rows × (T, H)
        dy = np.full(doutputs.shape[::2], np.nan)  # (T, O)
        if dy_ok and np.all(np.isfinite(self.model.readout.params["weight"])):
            try:
                _, rnn_grads = self.model.backward(doutputs, cache)
                dh_norms, dc_norms = rnn_grads.dh_norms, rnn_grads.dc_norms
                dh = [g[:, 0] for g in rnn_grads.dh]  # (T, H) each: the example is B = 1
                dc = [g[:, 0] for g in rnn_grads.dc]  # (T, H) each
                dy = doutputs[:, 0]  # (T, O)
            except NonFiniteGradientError:  # finite weights so large the gradient overflows
                pass
        trace = cache.trace
        last = self.last
        model = self.config.model
        metric_values = self.metric_history.values()
        return Snapshot(
            run_id=self.run_id,
            iteration=self.iteration,
            config=self.config,
            loss=float(last.loss) if last is not None else float("nan"),
            metrics=frozen_mapping(self.last_metrics),
            history_iterations=frozen_array(self.loss_history.iterations()),
            loss_history=frozen_array(self.loss_history.values()),
            metric_history=frozen_mapping(
                {n: metric_values[:, k] for k, n in enumerate(self.metric_names)}
            ),
            task=self.task.facts(),
            layout=Layout.of(
                cell_spec(model.cell.value),
                model.num_layers,
                model.bidirectional,
                model.hidden_size,
            ),
            example_x=frozen_array(ex.x[:, 0]),
            hidden=tuple(frozen_array(dt.h[:, 0]) for dt in trace),
            cell_states=tuple(frozen_array(dt.c[:, 0]) for dt in trace if dt.c is not None),
            gates=tuple(frozen_mapping({k: v[:, 0] for k, v in dt.gates.items()}) for dt in trace),
            dh_norms=frozen_array(dh_norms),
            dc_norms=frozen_array(dc_norms),
            dh_norm_history=frozen_array(self.dh_history.values()),
            predictions=frozen_mapping(self.task.predictions(outputs, ex)),
            diverged=self.diverged,
            steps_per_second=self.steps_per_second(),
            num_parameters=self.model.num_parameters(),
            weights=MappingProxyType(
                {k: frozen_array(v, v.dtype) for k, v in self.model.params.items()}
            ),
            dh=tuple(frozen_array(g) for g in dh),
            dc=tuple(frozen_array(g) for g in dc),
            dy=frozen_array(dy),
            checked=frozen_mapping(self.fresh.figures),
            made_at=time.monotonic(),  # last: once everything above is copied
        )
