"""Cell lists as typed on the command line: the rnn alias, order, and one message per mistake."""

import pytest

from rnnviz.training.cell_list import cell_label, parse_cells
from rnnviz.training.settings import Cell


def test_rnn_means_the_tanh_rnn_and_order_is_kept():
    assert parse_cells("rnn,lstm,gru") == (Cell.RNN_TANH, Cell.LSTM, Cell.GRU)
    assert parse_cells(" GRU , rnn_relu") == (Cell.GRU, Cell.RNN_RELU)
    assert [cell_label(c) for c in parse_cells("rnn,lstm,gru")] == ["RNN", "LSTM", "GRU"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "at least one cell"),
        ("rnn,,gru", "empty cell name"),
        ("rnn,transformer", "unknown cell 'transformer'"),
        ("rnn,rnn_tanh", "named twice"),
        ("rnn,lstm,gru,rnn_relu", "at most 3"),
    ],
)
def test_each_mistake_gets_one_sentence(text, words):
    with pytest.raises(ValueError, match=words) as caught:
        parse_cells(text, at_most=3)
    assert "\n" not in str(caught.value)
