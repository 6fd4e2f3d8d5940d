"""The lessons of the slides that draw the network (the loop, forward propagation, BPTT), and
the vanishing-gradient lesson's recurrent weight scale."""

import numpy as np
import pytest

from rnnviz.core import cell_spec
from rnnviz.tasks.setting import ConfigError
from rnnviz.training.config import TrainConfig, config_from_dict, config_to_dict
from rnnviz.training.model import model_for
from rnnviz.training.presets import goal_reached, list_presets, load_preset
from rnnviz.training.settings import find_setting, settings_help
from rnnviz.training.spectral import spectral_radius
from rnnviz.training.trainer import Trainer

NETWORK_LESSONS = ("rnn_loop", "forward_propagation", "bptt")


@pytest.mark.parametrize("name", NETWORK_LESSONS)
def test_the_network_lessons_reach_their_goal_with_the_diagram_in_front(name):
    preset = load_preset(name)
    assert preset.view == "diagram"
    model = preset.config.model
    assert model.cell.value == "rnn_tanh" and model.num_layers == 1  # one loop to look at
    assert model.hidden_size <= 16 and preset.config.seq_len <= 12  # strips and boxes read
    trainer = Trainer(preset.config)
    for _ in range(preset.steps):
        trainer.step()
    assert goal_reached(preset.goal, trainer.evaluate(), trainer.task.baselines())


def test_the_lessons_follow_the_lecture():
    names = [preset.name for preset in list_presets()]
    # the loop after sequential memory, forward propagation after the language-model slide,
    # BPTT right before the vanishing gradient
    assert names.index("alphabet") + 1 == names.index("rnn_loop")
    assert names.index("word_order") + 1 == names.index("forward_propagation")
    assert names.index("bptt") + 1 == names.index("vanishing_gradient")


def test_bptt_shows_the_gradient_shrinking_step_by_step_back_from_the_output():
    snapshot = Trainer(load_preset("bptt").config).snapshot()
    dh = np.asarray(snapshot.dh_norms[0], np.float64)  # (T,): the loss is at the last step
    assert np.all(np.diff(dh) > 0)  # smaller at every step further back
    assert dh[0] < dh[-1] / 100


# --- the recurrent weight scale ----------------------------------------------------------------


def test_the_scale_is_a_setting_that_starts_a_new_run_with_its_help_said_once():
    row = find_setting("model.recurrent_scale")
    assert (row.low, row.high, row.kind, row.live) == (0.1, 3.0, float, False)
    assert "W_hh" in row.help
    assert settings_help(200).count(row.help) == 1
    assert TrainConfig().model.recurrent_scale == 1.0
    with pytest.raises(ConfigError, match=r"model\.recurrent_scale .* between 0\.1 and 3"):
        TrainConfig().with_settings({"model.recurrent_scale": "5"})
    # a session saved before the setting existed opens with the initialisation it had
    data = config_to_dict(TrainConfig())
    del data["model"]["recurrent_scale"]
    assert config_from_dict(data).model.recurrent_scale == 1.0


@pytest.mark.parametrize("preset", list_presets(), ids=lambda p: p.name)
def test_at_scale_one_every_lesson_starts_from_the_layers_own_weights_bit_for_bit(preset):
    config = preset.config
    assert config.model.recurrent_scale == 1.0
    trainer = Trainer(config)
    m = config.model
    own = cell_spec(m.cell.value).build(
        trainer.task.input_size,
        m.hidden_size,
        m.num_layers,
        m.bidirectional,
        np.float32,
        config.seed,
    )
    for name, value in own.params.items():
        assert np.array_equal(trainer.model.params[f"rnn.{name}"], value), name


@pytest.mark.parametrize("cell", ["rnn_tanh", "lstm", "gru"])
def test_the_scale_multiplies_every_recurrent_matrix_and_nothing_else(cell):
    settings = {"model.cell": cell, "model.num_layers": "2", "model.bidirectional": "true"}
    config = TrainConfig().with_settings(settings)
    task = Trainer(config).task
    plain = model_for(config, task).params
    scaled = model_for(config.with_settings({"model.recurrent_scale": "0.5"}), task).params
    recurrent = [name for name in plain if "weight_hh" in name]
    assert len(recurrent) == 4  # 2 layers × 2 directions
    for name, value in plain.items():
        factor = np.float32(0.5) if name in recurrent else np.float32(1.0)
        assert np.array_equal(scaled[name], value * factor), name


def test_the_gradient_decays_at_about_the_spectral_radius_per_step():
    preset = load_preset("vanishing_gradient")
    rates = {}
    for scale in (0.5, 1.0, 1.5):
        settings = {"model.cell": "rnn_tanh", "model.recurrent_scale": scale}
        snapshot = Trainer(preset.config.with_settings(settings)).snapshot()
        dh = np.asarray(snapshot.dh_norms[0], np.float64)[:30]  # (30,) the early steps
        per_step = float(np.exp(np.mean(np.diff(np.log(dh)))))  # ‖∂L/∂h_t‖ / ‖∂L/∂h_{t+1}‖
        rho = spectral_radius(snapshot.weights["rnn.weight_hh_l0"])
        assert 0.75 * rho < 1 / per_step <= rho, (scale, rho, 1 / per_step)
        rates[scale] = 1 / per_step
    assert rates[0.5] < rates[1.0] < rates[1.5]
