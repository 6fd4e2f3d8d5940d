"""The settings sidebar: every control a student changes, as dotted settings.

The widget emits ``settings_changed(dict)`` with the dotted names ``TrainConfig.with_settings``
takes (``{"optim.lr": "0.003"}``); the controller decides whether that applies live or starts a
new run. ``show_config(config)`` sets the widgets from a running config without emitting.
Controls that change the model's shape are marked ⟲: changing them starts a new run.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rnnviz.training.config import TrainConfig

__all__ = ["ControlPanel"]

RESET = " ⟲"

CELLS = (("RNN (tanh)", "rnn_tanh"), ("RNN (ReLU)", "rnn_relu"), ("LSTM", "lstm"), ("GRU", "gru"))
OPTIMIZERS = (
    ("SGD + momentum", "sgd"),
    ("Adam", "adam"),
    ("Adagrad", "adagrad"),
    ("RMSprop", "rmsprop"),
)


def _spin(low: int, high: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setKeyboardTracking(False)  # emit on Enter or arrows, not on every digit typed
    return box


def _double(low: float, high: float, decimals: int, step: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setKeyboardTracking(False)
    return box


class ControlPanel(QWidget):
    """Model, optimiser, data and task settings (see the module docstring)."""

    settings_changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        self.widgets: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)

        model = QFormLayout()
        self.cell = self._combo("model.cell", CELLS)
        model.addRow("Cell" + RESET, self.cell)
        self.hidden = self._bind_spin("model.hidden_size", _spin(1, 512))
        model.addRow("Hidden units" + RESET, self.hidden)
        self.layers = self._bind_spin("model.num_layers", _spin(1, 4))
        model.addRow("Layers" + RESET, self.layers)
        self.bidirectional = QCheckBox("both directions")
        self.bidirectional.toggled.connect(
            lambda on: self._emit("model.bidirectional", "true" if on else "false")
        )
        self.widgets["model.bidirectional"] = self.bidirectional
        model.addRow("Bidirectional" + RESET, self.bidirectional)
        layout.addWidget(self._group("Model", model))

        optim = QFormLayout()
        self.optimizer = self._combo("optim.kind", OPTIMIZERS)
        optim.addRow("Optimiser", self.optimizer)
        self.lr = _double(1e-5, 100.0, 5, 0.001)
        self.lr.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self._bind_double("optim.lr", self.lr)
        optim.addRow("Learning rate", self.lr)
        self.clip = _double(0.0, 1000.0, 2, 0.5)
        self.clip.setSpecialValueText("off")
        self._bind_double("optim.clip", self.clip, zero_means="none")
        optim.addRow("Gradient clipping", self.clip)
        layout.addWidget(self._group("Optimisation (live)", optim))

        data = QFormLayout()
        self.seq_len = self._bind_spin("seq_len", _spin(1, 500))
        data.addRow("Sequence length" + RESET, self.seq_len)
        self.batch = self._bind_spin("batch_size", _spin(1, 512))
        data.addRow("Batch size" + RESET, self.batch)
        self.seed = self._bind_spin("seed", _spin(0, 1_000_000))
        data.addRow("Seed" + RESET, self.seed)
        layout.addWidget(self._group("Data", data))

        task = QFormLayout()
        self.delay = self._bind_spin("task.delay", _spin(1, 200))
        task.addRow("Delay N" + RESET, self.delay)
        self.gap = self._bind_spin("task.gap", _spin(1, 100))
        task.addRow("Occlusion length" + RESET, self.gap)
        self.noise = _double(0.0, 0.2, 3, 0.005)
        self._bind_double("task.noise", self.noise)
        task.addRow("Noise" + RESET, self.noise)
        self.temperature = _double(0.05, 5.0, 2, 0.05)
        self._bind_double("temperature", self.temperature)
        task.addRow("Temperature (live)", self.temperature)
        self.task_form = task
        self.task_box = self._group("Task", task)
        layout.addWidget(self.task_box)
        note = QLabel("⟲ starts a new run")
        layout.addWidget(note)
        layout.addStretch(1)

    # ---------------------------------------------------------------- building

    @staticmethod
    def _group(title: str, form: QFormLayout) -> QGroupBox:
        box = QGroupBox(title)
        box.setLayout(form)
        return box

    def _combo(self, key: str, items) -> QComboBox:
        box = QComboBox()
        for label, value in items:
            box.addItem(label, value)
        box.currentIndexChanged.connect(lambda _i: self._emit(key, box.currentData()))
        self.widgets[key] = box
        return box

    def _bind_spin(self, key: str, box: QSpinBox) -> QSpinBox:
        box.valueChanged.connect(lambda v: self._emit(key, str(v)))
        self.widgets[key] = box
        return box

    def _bind_double(self, key: str, box: QDoubleSpinBox, zero_means: str | None = None) -> None:
        def changed(value: float) -> None:
            self._emit(key, zero_means if zero_means and value == 0 else repr(value))

        box.valueChanged.connect(changed)
        self.widgets[key] = box

    def _emit(self, key: str, value: str) -> None:
        if not self._updating:
            self.settings_changed.emit({key: value})

    # ---------------------------------------------------------------- showing a config

    @Slot(object)
    def show_config(self, config: TrainConfig) -> None:
        """Set every widget from ``config`` without emitting; hide task fields it lacks."""
        self._updating = True
        try:
            self.cell.setCurrentIndex(self.cell.findData(config.model.cell.value))
            self.hidden.setValue(config.model.hidden_size)
            self.layers.setValue(config.model.num_layers)
            self.bidirectional.setChecked(config.model.bidirectional)
            self.optimizer.setCurrentIndex(self.optimizer.findData(config.optim.kind.value))
            self.lr.setValue(config.optim.lr)
            self.clip.setValue(config.optim.clip or 0.0)
            self.seq_len.setValue(config.seq_len)
            self.batch.setValue(config.batch_size)
            self.seed.setValue(config.seed)
            self.temperature.setValue(config.temperature)
            params = config.task_params
            for key, box in (("delay", self.delay), ("gap", self.gap), ("noise", self.noise)):
                present = hasattr(params, key)
                self.task_form.setRowVisible(box, present)
                if present:
                    box.setValue(getattr(params, key))
            self.task_form.setRowVisible(self.temperature, config.task.value == "text")
            # a task with nothing to set (the alphabet) shows no empty box
            rows = (self.delay, self.gap, self.noise, self.temperature)
            self.task_box.setVisible(any(self.task_form.isRowVisible(box) for box in rows))
        finally:
            self._updating = False
