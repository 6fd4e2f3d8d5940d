"""The settings sidebar is built from the settings table, so its ranges cannot drift from it."""

import pytest
from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

from rnnviz.gui.controls import RESET, ControlPanel
from rnnviz.training.config import TrainConfig, config_from_dict, config_to_dict
from rnnviz.training.settings import GROUPS, find_setting, setting_value

# which task each task setting of the sidebar belongs to
TASK_OF = {"task.delay": "recall", "task.gap": "ball", "task.noise": "ball", "temperature": "text"}


@pytest.fixture
def panel(qtbot):
    widget = ControlPanel()
    qtbot.addWidget(widget)
    return widget


def label_of(panel: ControlPanel, box) -> str:
    for form in panel.findChildren(type(panel.task_form)):
        label = form.labelForField(box)
        if label is not None:
            return label.text()
    raise AssertionError(f"no label for {box}")


def test_every_control_takes_range_step_unit_and_help_from_the_table(panel):
    assert len(panel.widgets) == 15
    for name, box in panel.widgets.items():
        row = find_setting(name)
        assert row.help in box.toolTip(), name
        assert label_of(panel, box).startswith(row.label), name
        assert label_of(panel, box).endswith(RESET) == (not row.live), name
        if isinstance(box, QCheckBox):
            assert row.kind is bool
        elif isinstance(box, QComboBox):
            items = [(box.itemData(i), box.itemText(i)) for i in range(box.count())]
            assert items == list(row.choices), name
        else:
            assert isinstance(box, QAbstractSpinBox), name
            low = box.minimum()
            if row.off:  # the value below the range is "off"
                assert box.specialValueText() == "off"
                low = round(low + 10.0**-row.decimals, row.decimals)
            assert (low, box.maximum()) == (row.low, row.high), name
            assert box.suffix() == (f" {row.unit}" if row.unit else ""), name
            if isinstance(box, QDoubleSpinBox):
                assert box.decimals() == row.decimals, name
            adaptive = box.stepType() == QAbstractSpinBox.StepType.AdaptiveDecimalStepType
            assert adaptive == (row.step is None and row.kind is float), name
            if not adaptive:
                assert box.singleStep() == (row.step or 1), name


def config_with(name: str, value) -> TrainConfig:
    """A valid config of the setting's task holding ``value`` (built from a dict, as a
    session file is, so that no memory budget stands in the way of an extreme value)."""
    data = config_to_dict(TrainConfig(task=TASK_OF.get(name, "recall")))
    group, _, field = name.rpartition(".")
    holder = data[GROUPS[group]] if group else data
    holder[field] = value
    return config_from_dict(data)


@pytest.mark.parametrize("end", ["low", "high"])
def test_the_sidebar_shows_any_valid_value_as_it_is(panel, end):
    for name, box in panel.widgets.items():
        row = find_setting(name)
        if row.low is None:
            continue
        config = config_with(name, getattr(row, end))
        panel.show_config(config)
        value = setting_value(config, name)
        assert box.value() == pytest.approx(value), f"{name} shows {box.value()}, not {value}"


def test_a_change_is_sent_as_a_setting_the_config_takes(panel, qtbot):
    panel.show_config(TrainConfig(task="recall"))
    sent = []
    panel.settings_changed.connect(sent.append)
    panel.seed.setValue(2**32 - 1)
    panel.clip.setValue(panel.clip.minimum())
    panel.hidden.setValue(1024)
    panel.cell.setCurrentIndex(panel.cell.findData("gru"))
    panel.bidirectional.setChecked(True)
    assert sent == [
        {"seed": "4294967295"},
        {"optim.clip": "off"},
        {"model.hidden_size": "1024"},
        {"model.cell": "gru"},
        {"model.bidirectional": "true"},
    ]
    config = TrainConfig(task="recall")
    for setting in sent:
        config = config.with_settings(setting)
    assert config.seed == 2**32 - 1 and config.optim.clip is None
    assert config.model.hidden_size == 1024 and config.model.bidirectional


def test_showing_a_config_sends_nothing(panel, qtbot):
    with qtbot.assertNotEmitted(panel.settings_changed):
        panel.show_config(config_with("seed", 123_456_789))
    assert panel.seed.value() == 123_456_789 and isinstance(panel.seed, QDoubleSpinBox)
    assert isinstance(panel.hidden, QSpinBox)
