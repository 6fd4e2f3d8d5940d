"""The model a config builds: its recurrent layer comes from the cell definitions."""

import numpy as np
import pytest

from rnnviz.core import CELLS
from rnnviz.training.model import CELL_KINDS, SequenceModel


def test_the_cell_kinds_are_the_core_cells():
    assert CELL_KINDS == tuple(CELLS) == ("rnn_tanh", "rnn_relu", "lstm", "gru")


@pytest.mark.parametrize("name", CELL_KINDS)
def test_the_model_builds_the_spec_layer(name):
    model = SequenceModel(name, 3, 4, 5, num_layers=2, seed=2, dtype=np.float64)
    layer, spec = model.rnn, CELLS[name]
    assert layer.spec is spec and layer.num_layers == 2 and layer.dtype == np.float64
    again = spec.build(3, 4, num_layers=2, seed=2, dtype=np.float64)
    for key, value in layer.params.items():
        assert np.array_equal(value, again.params[key]), key
    assert model.params["readout.weight"].shape == (5, 4)


def test_an_unknown_cell_names_the_choices():
    with pytest.raises(ValueError, match="unknown cell 'transformer'; choose one of rnn_tanh, "):
        SequenceModel("transformer", 3, 4, 5)
