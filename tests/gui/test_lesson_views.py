"""The alphabet and recall lesson views (rnnviz.gui.lesson_views), from real snapshots.

What is checked: both are views (``check_view``); the alphabet view shows the slide's three
prompts as an independent copy of the snapshot's model continues them; the recall view's bars
are the model's probabilities at the cue and its answer is said right or wrong; the cursor and
the layer choice are taken without a redraw of anything else; a view of another task's snapshot
leaves what it shows alone.
"""

from __future__ import annotations

import ast
import functools
import inspect

import numpy as np
import pytest

pytest.importorskip("pytestqt")
pytest.importorskip("pyqtgraph")

from gui_helpers import shown

from rnnviz.gui import lesson_views
from rnnviz.gui.lesson_views import AlphabetView, RecallView
from rnnviz.gui.view import check_view
from rnnviz.training.config import TrainConfig
from rnnviz.training.demos.alphabet import prompts_report
from rnnviz.training.inference import SnapshotModel
from rnnviz.training.trainer import Trainer

SMALL = {"model.hidden_size": 8, "batch_size": 4}


@functools.cache
def snapshot(task: str, steps: int = 30):
    config = TrainConfig(task=task).with_settings({**SMALL, "seq_len": 12})
    return list(Trainer(config).run(steps=steps))[-1]


@pytest.fixture
def show(qtbot):
    return functools.partial(shown, qtbot, size=(900, 600))


def test_lesson_views_are_views(show):
    for cls, name in ((AlphabetView, "alphabet"), (RecallView, "recall")):
        view = show(cls)
        check_view(view)
        assert view.name == name
        view.set_layer(1)  # nothing to choose: taken all the same
        view.set_cursor(2)


def test_the_gui_reaches_the_alphabet_task_through_the_training_layer():
    tree = ast.parse(inspect.getsource(lesson_views))
    imported = [
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    ]
    assert "rnnviz.training.demos.alphabet" in imported
    assert not [m for m in imported if m.startswith("rnnviz.tasks")]


def test_alphabet_view_shows_the_models_continuations(show):
    snap = snapshot("alphabet")
    view = show(AlphabetView, snap)
    expected = prompts_report(SnapshotModel().update(snap))
    assert view.report == expected
    for key, row in expected.items():
        text = view.rows[key].text()
        assert text.startswith(f"{row['prompt']} →")
        assert f"{row['correct']}/{row['possible']} right" in text
        # right and wrong told apart without red against green, and wrong ones underlined
        right = row["correct"]  # right in a row, as the score counts them
        assert text.count("color:#0072B2") == right
        assert text.count("color:#D55E00; text-decoration:underline") == (
            len(row["continuation"]) - right
        )


def test_a_letter_that_matches_after_a_wrong_one_is_not_right():
    row = {"prompt": "Z", "expected": "YXWV", "continuation": "UVWX", "correct": 0}
    text = AlphabetView._colour({**row, "possible": 4})
    assert "color:#0072B2" not in text  # the W matches by chance: the network is lost
    assert text.count("text-decoration:underline") == 4


def test_recall_view_shows_the_probabilities_at_the_cue(show):
    snap = snapshot("recall")
    view = show(RecallView, snap)
    probs = np.asarray(snap.predictions["probs"])[-1]
    np.testing.assert_allclose(view.bars.opts["height"], probs)
    answer = snap.task.symbols[int(np.argmax(probs))]
    assert f"<b>{answer}</b>" in view.answer.text()
    verdict = "right" if int(np.argmax(probs)) == int(snap.predictions["symbol"]) else "wrong"
    assert view.answer.text().endswith(verdict)
    view.set_cursor(3)
    assert "background:#ffd92f" in view.sequence.text().split("</span>")[3]


def test_a_snapshot_of_another_task_changes_nothing(show):
    alphabet, recall = snapshot("alphabet"), snapshot("recall")
    view = show(AlphabetView, alphabet)
    report = view.report
    view.show_snapshot(recall)
    assert view.report == report
    other = show(RecallView, recall)
    answer = other.answer.text()
    other.show_snapshot(alphabet)
    assert other.answer.text() == answer
