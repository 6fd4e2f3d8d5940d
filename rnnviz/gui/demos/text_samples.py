"""The text demo's live samples: text the network writes at a temperature.

A new sample is drawn with the newest weights at most every ``SAMPLE_INTERVAL_MS`` while the
page is shown, generated a few characters per event-loop turn so the window never stalls
(``SampleStream``), and shown when complete. The seed is fixed until "New sample" changes it,
so successive samples differ only because the network learned. The temperature spin box tells
the controller (``temperature_changed(float)``), which applies it live.
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from rnnviz.gui.demos._text_widgets import MUTED, label, mono_font
from rnnviz.gui.demos.text_run import TextRun
from rnnviz.gui.panels._common import FOREGROUND, TEXT_PT, font
from rnnviz.training.demos.text import START, Continuation, Vocabulary, sampling
from rnnviz.training.settings import find_setting

__all__ = ["SAMPLE_CHARS", "LiveSamples", "SampleStream"]

#: A new live sample starts at most this often.
SAMPLE_INTERVAL_MS = 600
#: Characters per live sample.
SAMPLE_CHARS = 240
#: Time the sampler may take per event-loop turn, in seconds.
SAMPLE_BUDGET_S = 0.004
#: Temperature range of the spin box: the setting's own, from the settings table.
TEMPERATURE_RANGE = (find_setting("temperature").low, find_setting("temperature").high)


class SampleStream:
    """A sample drawn a few characters at a time: the same draws as ``sample(model, vocab,
    prompt, length, temperature, rng=np.random.default_rng(seed))`` of
    ``rnnviz.tasks.language_model``, so that the window can spread the work over several
    event-loop turns."""

    def __init__(
        self, model, vocab: Vocabulary, prompt: str, length: int, temperature: float, seed: int
    ) -> None:
        self.length = int(length)
        choose = sampling(temperature, rng=np.random.default_rng(seed))
        self._continuation = Continuation(model, vocab, prompt, choose)

    @property
    def done(self) -> bool:
        return len(self._continuation.codes) >= self.length

    @property
    def text(self) -> str:
        return self._continuation.text

    def run(self, budget_s: float) -> bool:
        """Draw characters for about ``budget_s`` seconds (at least one); True when done."""
        deadline = time.perf_counter() + budget_s
        while not self.done:
            self._continuation.step()
            if time.perf_counter() >= deadline:
                break
        return self.done


class LiveSamples(QWidget):
    """The samples page (see the module docstring): ``temperature_box``, ``sample_label`` the
    last complete sample, ``caption`` how it was drawn, ``seed`` the sampler's seed."""

    #: The user changed the sampling temperature.
    temperature_changed = Signal(float)

    def __init__(self, run: TextRun, parent=None) -> None:
        super().__init__(parent)
        self._run = run
        self.seed = 0
        self._sampler: SampleStream | None = None
        self._wanted = False
        self._last_start = -math.inf
        self._info = (0, 1.0)  # iteration and temperature of the sample being drawn
        self._step_timer = QTimer(self)
        self._step_timer.setInterval(0)
        self._step_timer.timeout.connect(self._continue)
        self._gate = QTimer(self)
        self._gate.setSingleShot(True)
        self._gate.timeout.connect(self._start_if_due)

        self.temperature_box = QDoubleSpinBox()
        self.temperature_box.setFont(font(TEXT_PT))
        self.temperature_box.setRange(*TEMPERATURE_RANGE)
        self.temperature_box.setDecimals(2)
        self.temperature_box.setSingleStep(0.1)
        self.temperature_box.setValue(1.0)
        self.temperature_box.setKeyboardTracking(False)
        self.temperature_box.valueChanged.connect(self._on_temperature_chosen)
        self.new_sample_button = QPushButton("New sample")
        self.new_sample_button.setFont(font(TEXT_PT))
        self.new_sample_button.clicked.connect(self.new_sample)
        row = QHBoxLayout()
        row.addWidget(label("Temperature", TEXT_PT, bold=True, wrap=False))
        row.addWidget(self.temperature_box)
        row.addStretch(1)
        row.addWidget(self.new_sample_button)
        # the hint on its own line: beside the spin box it squeezed into five lines and pushed
        # the button out of a projector's window
        hint = label("low: safe · 1: the network's own odds · high: wild", TEXT_PT - 1, color=MUTED)
        self.sample_label = QLabel()
        self.sample_label.setFont(mono_font(TEXT_PT + 3))
        self.sample_label.setWordWrap(True)
        self.sample_label.setTextFormat(Qt.TextFormat.PlainText)
        self.sample_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.sample_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sample_label.setStyleSheet(
            f"QLabel {{ color: {FOREGROUND}; background: #f6f6f6; border: 1px solid #cccccc; "
            "padding: 8px; }"
        )
        self.sample_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.sample_label.setMinimumHeight(6 * self.sample_label.fontMetrics().height())
        self.caption = label("", TEXT_PT - 1, color=MUTED)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 4)
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(hint)
        column.addWidget(self.sample_label, 1)
        column.addWidget(self.caption)

    # ---------------------------------------------------------------- temperature

    def temperature(self) -> float:
        return float(self.temperature_box.value())

    @Slot(float)
    def set_temperature(self, temperature: float) -> None:
        """Show ``temperature`` (from the config) and sample with it; emits nothing."""
        self.temperature_box.blockSignals(True)
        self.temperature_box.setValue(float(temperature))
        self.temperature_box.blockSignals(False)
        self.refresh()

    @Slot(float)
    def _on_temperature_chosen(self, value: float) -> None:
        self.temperature_changed.emit(float(value))
        self._sample_now()

    # ---------------------------------------------------------------- drawing samples

    @Slot()
    def new_sample(self) -> None:
        """Draw another sample with a new seed, now."""
        self.seed += 1
        self._sample_now()

    def _sample_now(self) -> None:
        """The user asked for a different sample: drop the one in progress, start at once."""
        self._sampler = None
        self._step_timer.stop()
        self._gate.stop()
        self._last_start = -math.inf
        self.refresh()

    def refresh(self) -> None:
        """Ask for a sample with the latest weights and temperature (started when due)."""
        self._wanted = True
        self._start_if_due()

    def sample_in_progress(self) -> bool:
        return self._sampler is not None

    @Slot()
    def _start_if_due(self) -> None:
        if not self._wanted or self._sampler is not None or not self._run.ready:
            return
        if not self.isVisible():  # shown again: showEvent starts it
            return
        wait_ms = SAMPLE_INTERVAL_MS - 1000 * (time.monotonic() - self._last_start)
        if wait_ms > 0:
            if not self._gate.isActive():
                self._gate.start(math.ceil(wait_ms))
            return
        model = self._run.model()
        if model is None:
            return
        # a sample is drawn over several event-loop turns while new weights may be loaded into
        # the private model: it runs its own frozen copy
        model = copy.deepcopy(model)
        self._wanted = False
        self._last_start = time.monotonic()
        try:
            with np.errstate(all="ignore"):
                self._sampler = SampleStream(
                    model, self._run.vocab, self._prompt(), SAMPLE_CHARS, self.temperature(),
                    self.seed,
                )  # fmt: skip
        except ValueError as error:
            self.sample_label.setText(str(error))
            return
        self._info = (self._run.snapshot.iteration, self.temperature())
        self._step_timer.start()

    def _prompt(self) -> str:
        vocab, codes = self._run.vocab, self._run.codes
        if START in vocab:
            return ""
        return vocab.chars[int(codes[0])] if len(codes) else vocab.chars[0]

    @Slot()
    def _continue(self) -> None:
        sampler = self._sampler
        if sampler is None:
            self._step_timer.stop()
            return
        with np.errstate(all="ignore"):
            done = sampler.run(SAMPLE_BUDGET_S)
        if not done:
            return
        self._step_timer.stop()
        self._sampler = None
        self.sample_label.setText(self._prompt() + sampler.text)
        iteration, temperature = self._info
        caption = f"Sampled at iteration {iteration}, temperature {temperature:g}, seed "
        caption += f"{self.seed}. {self._run.language_note()}"
        self.caption.setText(caption.strip())
        self._start_if_due()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._start_if_due()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._step_timer.stop()
        if self._sampler is not None:  # start over with the newest weights when shown again
            self._sampler = None
            self._wanted = True
