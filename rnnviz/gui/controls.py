"""The settings sidebar: every control a student changes, as dotted settings.

The widget emits ``settings_changed(dict)`` with the dotted names ``TrainConfig.with_settings``
takes (``{"optim.lr": "0.003"}``); the controller decides whether that applies live or starts a
new run. ``show_config(config)`` sets the widgets from a running config without emitting.

Each control is built from its row in the settings table (``rnnviz.training.settings``): its
range, step, decimals, unit, tooltip and label, and the ⟲ mark of a setting whose change starts
a new run. Only which settings the sidebar shows, and in which group, is said here.
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
from rnnviz.training.settings import Setting, find_setting, setting_value, settings_for

__all__ = ["CELLS", "OPTIMIZERS", "RESET", "SIDEBAR", "ControlPanel", "setting_widget"]

#: The mark of a setting whose change starts a new run.
RESET = " ⟲"
#: What the sidebar shows: (group title, dotted names), top to bottom.
SIDEBAR = (
    (
        "Model",
        (
            "model.cell",
            "model.hidden_size",
            "model.num_layers",
            "model.bidirectional",
            "model.recurrent_scale",
        ),
    ),
    ("Optimisation", ("optim.kind", "optim.lr", "optim.clip")),
    ("Data", ("seq_len", "batch_size", "seed")),
    ("Task", ("task.delay", "task.gap", "task.noise", "temperature")),
)
#: Attribute names of the controls tests and the window reach for.
_ATTRIBUTES = {
    "model.cell": "cell",
    "model.hidden_size": "hidden",
    "model.num_layers": "layers",
    "model.bidirectional": "bidirectional",
    "model.recurrent_scale": "recurrent_scale",
    "optim.kind": "optimizer",
    "optim.lr": "lr",
    "optim.clip": "clip",
    "seq_len": "seq_len",
    "batch_size": "batch",
    "seed": "seed",
    "task.delay": "delay",
    "task.gap": "gap",
    "task.noise": "noise",
    "temperature": "temperature",
}
#: The cells and optimisers as the combo boxes offer them: (label, value).
CELLS = tuple((label, value) for value, label in find_setting("model.cell").choices)
OPTIMIZERS = tuple((label, value) for value, label in find_setting("optim.kind").choices)

#: A QSpinBox holds 32-bit whole numbers; a wider range (the seed) goes in a QDoubleSpinBox
#: showing no decimals, exact up to 2⁵³.
_INT_MAX = 2**31 - 1


def tooltip(row: Setting) -> str:
    """The row's help, the values it takes and whether a change starts a new run."""
    text = f"{row.help}\n{row.name}: {row.describe()}."
    return text + ("" if row.live else "\nChanging it starts a new run (⟲).")


def setting_widget(row: Setting) -> QWidget:
    """A control for ``row``: a spin box with its range, step, decimals and unit, a combo box
    of its choices or a check box; the tooltip says what it does."""
    if row.kind is bool:
        box = QCheckBox()
    elif row.choices:
        box = QComboBox()
        for value, label in row.choices:
            box.addItem(label, value)
    elif row.kind is int and row.high <= _INT_MAX:
        box = QSpinBox()
        box.setRange(int(row.low), int(row.high))
        box.setSingleStep(int(row.step or 1))
    else:
        box = QDoubleSpinBox()
        box.setDecimals(row.decimals)
        low = row.low
        if row.off:  # one step below the range means "off"
            low = round(row.low - 10.0**-row.decimals, row.decimals)
            box.setSpecialValueText("off")
        box.setRange(low, row.high)
        if row.step is None and row.kind is float:  # over many decades: a tenth of the value
            box.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        else:
            box.setSingleStep(row.step or 1)
    if isinstance(box, QAbstractSpinBox):
        box.setKeyboardTracking(False)  # emit on Enter or arrows, not on every digit typed
        if row.unit:
            box.setSuffix(f" {row.unit}")
    box.setToolTip(tooltip(row))
    return box


class ControlPanel(QWidget):
    """Model, optimiser, data and task settings (see the module docstring)."""

    settings_changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        self.widgets: dict[str, QWidget] = {}
        self.rows: dict[str, Setting] = {}
        #: the settings a focused lesson hides (``hide_settings``)
        self.hidden_settings: frozenset[str] = frozenset()
        self._config: TrainConfig | None = None
        self._groups: list[tuple[QGroupBox, QFormLayout, list[str]]] = []
        layout = QVBoxLayout(self)
        # rows and groups closer than Qt's defaults, so that every lesson's settings fit a
        # projector's 1280 × 720 without scrolling (tests/gui/test_projector_fit.py)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        for title, names in SIDEBAR:
            rows = [find_setting(name) for name in names]
            all_live = all(row.live for row in rows)
            form = QFormLayout()
            form.setContentsMargins(8, 4, 8, 4)
            form.setVerticalSpacing(3)
            for row in rows:
                box = self._bind(row)
                mark = RESET if not row.live else "" if all_live else " (live)"
                form.addRow(row.label + mark, box)
                form.labelForField(box).setToolTip(box.toolTip())
                setattr(self, _ATTRIBUTES[row.name], box)
            group = QGroupBox(title + (" (live)" if all_live else ""))
            group.setLayout(form)
            layout.addWidget(group)
            self._groups.append((group, form, list(names)))
        self.bidirectional.setText("both directions")
        self.task_form = form  # the last group: the task's own settings
        self.task_box = group
        layout.addWidget(QLabel(RESET.strip() + " starts a new run"))
        layout.addStretch(1)

    # ---------------------------------------------------------------- building

    def _bind(self, row: Setting) -> QWidget:
        box = setting_widget(row)
        if isinstance(box, QCheckBox):
            box.toggled.connect(lambda on: self._emit(row, on))
        elif isinstance(box, QComboBox):
            box.currentIndexChanged.connect(lambda _i: self._emit(row, box.currentData()))
        elif row.off:
            box.valueChanged.connect(lambda v: self._emit(row, None if v == box.minimum() else v))
        else:
            box.valueChanged.connect(lambda v: self._emit(row, v))
        self.widgets[row.name] = box
        self.rows[row.name] = row
        return box

    def _emit(self, row: Setting, value: object) -> None:
        if not self._updating:
            self.settings_changed.emit({row.name: row.format(value)})

    # ---------------------------------------------------------------- showing a config

    def hide_settings(self, names) -> None:
        """Hide the settings ``names`` (dotted; a focused lesson's ``hide``), showing again
        any hidden before that ``names`` leaves out."""
        self.hidden_settings = frozenset(names)
        if self._config is not None:
            self.show_config(self._config)

    @Slot(object)
    def show_config(self, config: TrainConfig) -> None:
        """Set every widget from ``config`` without emitting; hide the fields it lacks and
        those a focused lesson hides."""
        self._config = config
        self._updating = True
        try:
            own = settings_for(config.task)
            for name, box in self.widgets.items():
                present = name in own and (name != "temperature" or config.task.value == "text")
                if present:
                    self._show(box, setting_value(config, name))
                for _, form, names in self._groups:
                    if name in names:
                        form.setRowVisible(box, present and name not in self.hidden_settings)
            # a group with nothing left to set (the alphabet's task) shows no empty box
            for group, form, names in self._groups:
                group.setVisible(any(form.isRowVisible(self.widgets[n]) for n in names))
        finally:
            self._updating = False

    @staticmethod
    def _show(box: QWidget, value: object) -> None:
        if isinstance(box, QCheckBox):
            box.setChecked(bool(value))
        elif isinstance(box, QComboBox):
            box.setCurrentIndex(box.findData(getattr(value, "value", value)))
        elif value is None:  # off
            box.setValue(box.minimum())
        else:
            box.setValue(value)
