"""The demo views (rnnviz.gui.demos), drawn from real snapshots on the offscreen platform.

What is checked: each view draws something; the ball view puts its markers at the snapshot's
positions, draws the occluder only in gap mode and says "one frame" in snapshot mode; a mouse
drag throws a ball that the view's private model predicts (the same numbers an independent copy
of the snapshot's model gives, and no memory shared with the trainer); the text view's keyboard,
sentence scorer and samples give exactly what the text helpers give for the snapshot's model;
the selected unit colours the example; the time cursor follows ``set_cursor`` silently and
clicks loudly; the temperature and a bad text file are reported by signals.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

pytest.importorskip("pytestqt")
pytest.importorskip("pyqtgraph")

from gui_helpers import settle, shown
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from rnnviz.gui.demos import BallView, TextView
from rnnviz.gui.demos._text_widgets import fit_to_vocabulary, value_colors
from rnnviz.gui.demos.ball_view import THROW_SEED
from rnnviz.gui.demos.text_keyboard import TOP_KEYS
from rnnviz.gui.demos.text_samples import SAMPLE_CHARS, SampleStream
from rnnviz.gui.demos.text_scorer import WORD_CHOICE, WORD_ORDER
from rnnviz.tasks.language_model import (
    greedy_completion,
    next_char_distribution,
    sample,
    sentence_log_prob,
)
from rnnviz.training.config import TrainConfig
from rnnviz.training.inference import SnapshotModel
from rnnviz.training.trainer import Trainer

SIZE = (1000, 760)
TEXT_SETTINGS = {"model.hidden_size": "16", "batch_size": "4", "seq_len": "16"}
GAP_SETTINGS = {"task.mode": "gap", "seq_len": "10"}


# ------------------------------------------------------------------------------ snapshots


@functools.cache
def trained(task: str, settings: tuple = (), steps: int = 30):
    """(trainer, its last snapshot) of a short real run (cached: snapshots are read-only)."""
    trainer = Trainer(TrainConfig(task=task).with_settings(dict(settings)))
    return trainer, list(trainer.run(steps=steps))[-1]


def ball(mode: str = "next", steps: int = 30):
    settings = {"next": {}, "gap": GAP_SETTINGS, "snapshot": {"task.mode": "snapshot"}}[mode]
    return trained("ball", tuple(settings.items()), steps)[1]


def text(steps: int = 30):
    return trained("text", tuple(TEXT_SETTINGS.items()), steps)[1]


def private_model(snapshot):
    """An independent copy of the snapshot's model (and its task)."""
    copy = SnapshotModel()
    model = copy.update(snapshot)
    return model, copy.task


# ------------------------------------------------------------------------------ helpers


@pytest.fixture
def show(qtbot):
    return functools.partial(shown, qtbot, size=SIZE)


def colour_stats(widget) -> tuple[int, int]:
    """(distinct colours, distinct strong colours): grey text and frames are antialiased into
    many greys, so "drew data" is judged by the colours far from grey."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), np.uint8, count=h * stride).reshape(h, stride)
    rgb = data[:, : w * 4].reshape(h, w, 4)[..., :3].reshape(-1, 3).astype(np.int64)
    codes = rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]
    strong = rgb.max(axis=1) - rgb.min(axis=1) > 60
    return len(np.unique(codes)), len(np.unique(codes[strong]))


def scatter_points(item) -> np.ndarray:
    x, y = item.getData()
    return np.column_stack([x, y]) if len(x) else np.zeros((0, 2))


def viewport_point(view, x: float, y: float) -> QPoint:
    scene = view.view_box.mapViewToScene(QPointF(x, y))
    return view.view.mapFromScene(scene)


def drag(view, points):
    """Press at points[0], move through the others, release at the last (data coordinates)."""
    viewport = view.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=viewport_point(view, *points[0]))
    for x, y in points[1:]:
        view.view.scene()._lastMoveEventTime = 0  # pyqtgraph rate-limits mouse moves
        QTest.mouseMove(viewport, viewport_point(view, x, y))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=viewport_point(view, *points[-1]))
    settle()


def predict_throw(snapshot, thrown):
    """Predictions of an independent copy of the model for the thrown trajectory."""
    model, task = private_model(snapshot)
    positions = np.concatenate([thrown["true_positions"], thrown["target_positions"][-1:]])
    batch = task.batch_from_positions(positions[:, None], np.random.default_rng(THROW_SEED))
    outputs, _, _ = model.forward(batch.x)
    return task.predictions(outputs, batch)


# ------------------------------------------------------------------------------ both views


def data_areas(view) -> list:
    """The widgets that draw the data (not the legends, buttons and colour keys)."""
    if isinstance(view, BallView):
        return [view.view]
    return [view.example.activation_text, view.keyboard.suggestions]


@pytest.mark.parametrize("cls, snap", [(BallView, ball), (TextView, text)], ids=["ball", "text"])
def test_view_draws_something(show, cls, snap):
    empty = show(cls)
    blank = [colour_stats(area)[0] for area in data_areas(empty)]
    view = show(cls, snap())
    colours, _ = colour_stats(view)
    assert colours >= 100, colours
    for area, before in zip(data_areas(view), blank, strict=True):
        drawn, _ = colour_stats(area)
        assert drawn >= 40 and drawn > 4 * before, (area, drawn, before)


@pytest.mark.parametrize("cls, other", [(BallView, text), (TextView, ball)], ids=["ball", "text"])
def test_view_of_another_task_says_so(show, cls, other):
    view = show(cls, other())
    what = view.message.text() if cls is BallView else view.example.readout.text()
    assert "task" in what
    if cls is BallView:
        assert view.is_showing_message()


# ------------------------------------------------------------------------------ ball arena


def test_ball_markers_sit_at_the_snapshots_positions(show, qtbot):
    snap = ball()
    view = show(BallView, snap)
    p = snap.predictions
    T = len(p["true_positions"])
    # the frames up to the cursor, then the later ones (faint: test_ball_demo.py)
    trail = np.concatenate([scatter_points(view.trail_points), scatter_points(view.future_points)])
    np.testing.assert_allclose(trail, p["true_positions"], atol=1e-6)
    with qtbot.assertNotEmitted(view.cursor_moved):
        for t in (0, 5, T - 1):
            view.set_cursor(t)
            assert view.cursor() == t
            np.testing.assert_allclose(
                scatter_points(view.ball_marker), p["true_positions"][t : t + 1], atol=1e-6
            )
            np.testing.assert_allclose(
                scatter_points(view.predicted_marker),
                p["predicted_positions"][t : t + 1],
                atol=1e-6,
            )
            np.testing.assert_allclose(
                scatter_points(view.true_marker), p["target_positions"][t : t + 1], atol=1e-6
            )
            # the arrows start at the ball and point where the prediction and the truth are
            for arrow, end in (
                (view.predicted_arrow, p["predicted_positions"][t]),
                (view.true_arrow, p["target_positions"][t]),
            ):
                assert arrow.isVisible()
                np.testing.assert_allclose(arrow.start, p["true_positions"][t], atol=1e-6)
                want = end - p["true_positions"][t]
                got = arrow.end - arrow.start
                cosine = want @ got / (np.linalg.norm(want) * np.linalg.norm(got))
                assert cosine > 0.9999
    view.set_cursor(10_000)
    assert view.cursor() == T - 1


def test_occluder_only_in_gap_mode(show):
    plain = show(BallView, ball("next"))
    assert not plain.occluder.isVisible()
    assert len(scatter_points(plain.hidden_points)) == 0

    snap = ball("gap")
    view = show(BallView, snap)
    p = snap.predictions
    hidden = ~p["visible"]
    assert hidden.any() and view.occluder.isVisible()
    rect = view.occluder.rect()
    for x, y in p["true_positions"][hidden]:
        assert rect.contains(QPointF(float(x), float(y)))
    view.set_cursor(len(hidden) - 1)  # the rings of the frames up to the cursor: all of them
    np.testing.assert_allclose(
        scatter_points(view.hidden_points), p["true_positions"][hidden], atol=1e-6
    )
    # the network's guesses exist only behind the occluder
    seen, behind = int(np.flatnonzero(~hidden)[0]), int(np.flatnonzero(hidden)[0])
    view.set_cursor(seen)
    assert len(scatter_points(view.predicted_marker)) == 0
    view.set_cursor(behind)
    np.testing.assert_allclose(
        scatter_points(view.predicted_marker), p["predicted_positions"][behind : behind + 1]
    )
    np.testing.assert_allclose(
        scatter_points(view.true_marker), p["true_positions"][behind : behind + 1], atol=1e-6
    )
    # back to a mode without an occluder: it goes away
    view.show_snapshot(ball("next"))
    assert not view.occluder.isVisible()


def test_snapshot_mode_says_one_frame(show):
    view = show(BallView, ball("next"))
    assert "ONE frame" not in view.banner.text()
    view.show_snapshot(ball("snapshot"))
    assert "ONE frame" in view.banner.text()
    assert view.banner.isVisible()
    # the whole throw is drawn, one guess per frame
    drawn = len(scatter_points(view.trail_points)) + len(scatter_points(view.future_points))
    assert drawn == len(ball("snapshot").predictions["visible"])


def test_drag_throws_a_ball_predicted_by_the_private_model(show, qtbot):
    trainer, snap = trained("ball", ())
    view = show(BallView, snap)
    view.zoom_box.setChecked(False)  # the whole box (zooming: test_zoom_in_on_the_example)
    start, end = (0.3, 0.4), (0.6, 0.55)
    with qtbot.waitSignal(view.ball_thrown, timeout=1000):
        drag(view, [start, (0.35, 0.42), (0.45, 0.48), end])
    thrown = view.thrown
    assert thrown is not None and view.shown is thrown
    true = thrown["true_positions"]
    assert len(true) == len(snap.predictions["true_positions"])
    np.testing.assert_allclose(true[0], start, atol=0.01)  # a pixel or so
    move = true[1] - true[0]
    drag_direction = np.subtract(end, start)
    cosine = move @ drag_direction / (np.linalg.norm(move) * np.linalg.norm(drag_direction))
    assert cosine > 0.99
    speed = np.linalg.norm(move)
    cfg = trainer.task.config
    assert cfg.speed_min - 1e-9 <= speed <= cfg.speed_max + 1e-9
    # the view's numbers are the snapshot's model's, on the thrown trajectory
    expected = predict_throw(snap, thrown)
    np.testing.assert_allclose(
        thrown["predicted_positions"], expected["predicted_positions"], rtol=1e-5, atol=1e-6
    )
    assert not np.allclose(thrown["predicted_positions"], snap.predictions["predicted_positions"])
    view.set_cursor(7)
    np.testing.assert_allclose(
        scatter_points(view.predicted_marker), thrown["predicted_positions"][7:8], atol=1e-6
    )
    # the private model shares no memory with the trainer's
    own = view._model.model.params
    for name, array in trainer.model.params.items():
        assert not np.shares_memory(own[name], array), name
    # and back to the example
    assert view.back_button.isEnabled()
    QTest.mouseClick(view.back_button, Qt.MouseButton.LeftButton)
    assert view.thrown is None and not view.back_button.isEnabled()
    np.testing.assert_allclose(
        scatter_points(view.predicted_marker), snap.predictions["predicted_positions"][7:8]
    )


def view_range(view) -> np.ndarray:
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    return np.array([x0, y0, x1, y1])


def test_zoom_in_on_the_example(show, qtbot):
    snap = ball()
    view = show(BallView, snap)
    true = snap.predictions["true_positions"]
    assert view.zoom_box.isChecked()
    x0, y0, x1, y1 = view_range(view)
    assert min(x1 - x0, y1 - y0) < 0.9  # zoomed in (the aspect ratio widens the other axis)
    assert np.all((true >= [x0, y0]) & (true <= [x1, y1]))
    # a drag while zoomed starts the ball under the mouse, then shows the whole box
    (cx, cy), span = true.mean(axis=0), (x1 - x0) / 4
    start = (cx - span / 2, cy)
    with qtbot.waitSignal(view.ball_thrown, timeout=1000):
        drag(view, [start, (cx, cy + span / 4), (cx + span / 2, cy + span / 2)])
    np.testing.assert_allclose(view.thrown["true_positions"][0], start, atol=0.01)
    whole = view_range(view)
    assert whole[0] < 0 and whole[1] < 0 and whole[2] > 1 and whole[3] > 1
    view.back_to_example()
    np.testing.assert_allclose(view_range(view), [x0, y0, x1, y1])
    view.zoom_box.setChecked(False)
    np.testing.assert_allclose(view_range(view), whole)


def test_thrown_ball_follows_new_weights(show, qtbot):
    early = ball(steps=30)
    view = show(BallView, early)
    before = view.throw([0.5, 0.5], [0.02, 0.01])["predicted_positions"].copy()
    later = ball(steps=200)
    view.show_snapshot(later)
    qtbot.waitUntil(lambda: not np.allclose(view.thrown["predicted_positions"], before))
    np.testing.assert_allclose(
        view.thrown["predicted_positions"],
        predict_throw(later, view.thrown)["predicted_positions"],
        rtol=1e-5,
        atol=1e-6,
    )


def test_compass_task_throws_along_the_compass(show):
    snap = trained("ball", (("task.compass", "true"),))[1]
    view = show(BallView, snap)
    drag(view, [(0.3, 0.3), (0.4, 0.33), (0.6, 0.38)])  # about 11° above east
    move = view.thrown["true_positions"][1] - view.thrown["true_positions"][0]
    assert abs(move[1]) < 1e-9 and move[0] > 0  # thrown due east


def test_click_on_the_trail_moves_the_cursor(show, qtbot):
    snap = ball()
    view = show(BallView, snap)
    x, y = snap.predictions["true_positions"][6]
    with qtbot.waitSignal(view.cursor_moved, timeout=1000) as signal:
        QTest.mouseClick(
            view.view.viewport(), Qt.MouseButton.LeftButton, pos=viewport_point(view, x, y)
        )
    assert signal.args == [6] and view.cursor() == 6
    with qtbot.waitSignal(view.cursor_moved, timeout=1000) as signal:
        QTest.keyClick(view, Qt.Key.Key_Right)
    assert signal.args == [7]


# ------------------------------------------------------------------------------ text view


def test_keyboard_matches_the_models_next_char_distribution(show, qtbot):
    snap = text()
    view = show(TextView, snap)
    view.keyboard.edit.clear()
    qtbot.keyClicks(view.keyboard.edit, "the ca")
    model, task = private_model(snap)
    p = next_char_distribution(model, task.vocab, "the ca")
    top = np.argsort(-p, kind="stable")[:TOP_KEYS]
    shown = view.keyboard.suggestions
    assert shown.chars == [task.vocab.chars[i] for i in top]
    np.testing.assert_allclose(shown.probs, p[top], rtol=1e-9)
    assert np.all(np.diff(shown.probs) <= 0) and shown.probs.sum() <= 1 + 1e-9
    assert view.keyboard.completion == greedy_completion(model, task.vocab, "the ca", 40, stop="\n")
    # typing one more character changes the suggestions
    before = shown.probs.copy()
    qtbot.keyClicks(view.keyboard.edit, "t")
    p2 = next_char_distribution(model, task.vocab, "the cat")
    np.testing.assert_allclose(shown.probs, np.sort(p2)[::-1][:TOP_KEYS], rtol=1e-9)
    assert not np.allclose(shown.probs, before)


def test_keyboard_reads_capitals_as_lower_case_and_names_unknown_characters(show, qtbot):
    snap = text()
    view = show(TextView, snap)
    vocab = private_model(snap)[1].vocab
    unknown = next(c for c in "jq#%@" if c not in vocab and c.lower() not in vocab)
    view.keyboard.edit.clear()
    qtbot.keyClicks(view.keyboard.edit, f"THE C{unknown}A")
    model = private_model(snap)[0]
    np.testing.assert_allclose(
        view.keyboard.suggestions.probs,
        np.sort(next_char_distribution(model, vocab, "the ca"))[::-1][:TOP_KEYS],
        rtol=1e-9,
    )
    assert unknown in view.keyboard.note.text()
    assert fit_to_vocabulary(f"THE C{unknown}A", vocab) == ("the ca", [unknown])


def test_clicking_a_suggestion_types_it(show):
    view = show(TextView, text())
    view.keyboard.edit.setText("the ca")
    first = view.keyboard.suggestions.chars[0]
    QTest.mouseClick(view.keyboard.suggestions, Qt.MouseButton.LeftButton, pos=QPoint(20, 100))
    assert view.keyboard.edit.text() == "the ca" + first


def test_sentence_scorer_equals_sentence_log_prob(show):
    snap = text()
    view = show(TextView, snap)
    view.set_section("scorer")
    model, task = private_model(snap)
    for pair in (WORD_ORDER, WORD_CHOICE):
        if tuple(e.text() for e in view.scorer.edits) != pair:
            QTest.mouseClick(view.scorer.pair_button, Qt.MouseButton.LeftButton)
        assert tuple(e.text() for e in view.scorer.edits) == pair
        expected = [sentence_log_prob(model, task.vocab, s) for s in pair]
        np.testing.assert_allclose(view.scorer.scores, expected, rtol=1e-12)
        best = int(np.argmax(expected))
        assert f"prefers “{pair[best]}”" in view.scorer.verdict_label.text()
        assert "✓" in view.scorer.score_labels[best].text()
        assert "✓" not in view.scorer.score_labels[1 - best].text()
        # the surprise strip sums to the same log-probability
        for k in range(2):
            bits = view.scorer.surprise[k]
            assert -np.nansum(bits) * math.log(2) == pytest.approx(expected[k], rel=1e-9)


def test_scorer_follows_an_edited_sentence(show):
    snap = text()
    view = show(TextView, snap)
    model, task = private_model(snap)
    view.scorer.edits[1].setText("the dog is small")
    assert view.scorer.scores[1] == pytest.approx(
        sentence_log_prob(model, task.vocab, "the dog is small")
    )


def test_selected_unit_colours_the_example(show, qtbot):
    snap = text()
    view = show(TextView, snap)
    T = len(snap.predictions["text"])
    colours = {}
    with qtbot.assertNotEmitted(view.unit_selected):
        for unit in (0, 1, 5):
            view.select_unit(unit)
            assert view.selected_unit() == unit
            colours[unit] = view.example.activation_text.colors.copy()
            np.testing.assert_array_equal(colours[unit], value_colors(snap.hidden[0][:T, unit]))
    assert not np.array_equal(colours[0], colours[1])
    assert not np.array_equal(colours[1], colours[5])
    vocab = private_model(snap)[1].vocab
    assert "".join(view.example.activation_text.chars) == vocab.decode(snap.predictions["text"])
    # the spin box selects too, and says so
    with qtbot.waitSignal(view.unit_selected, timeout=1000) as signal:
        view.example.unit_box.setValue(2)
    assert signal.args == [2]
    np.testing.assert_array_equal(
        view.example.activation_text.colors, value_colors(snap.hidden[0][:T, 2])
    )


def test_text_cursor_follows_set_cursor_and_clicks(show, qtbot):
    snap = text()
    view = show(TextView, snap)
    with qtbot.assertNotEmitted(view.cursor_moved):
        view.set_cursor(4)
    assert view.example.activation_text.cursor == 4 and view.cursor() == 4
    assert "step 4" in view.example.readout.text()
    strip = view.example.activation_text
    positions, _ = strip._positions(strip.width())
    centre = strip._rect(*positions[9]).center().toPoint()
    with qtbot.waitSignal(view.cursor_moved, timeout=1000) as signal:
        QTest.mouseClick(strip, Qt.MouseButton.LeftButton, pos=centre)
    assert signal.args == [9] and strip.cursor == 9


def test_temperature_change_emits_the_signal(show, qtbot):
    view = show(TextView, text())
    view.set_section("samples")
    with qtbot.waitSignal(view.temperature_changed, timeout=1000) as signal:
        view.samples.temperature_box.setValue(0.5)
    assert signal.args == [pytest.approx(0.5)]
    assert view.samples.temperature() == pytest.approx(0.5)
    with qtbot.assertNotEmitted(view.temperature_changed):
        view.samples.set_temperature(2.0)
    assert view.samples.temperature() == pytest.approx(2.0)


def test_live_sample_is_the_models_sample(show, qtbot):
    snap = text()
    view = show(TextView, snap)
    view.set_section("samples")
    view.samples.temperature_box.setValue(0.8)
    qtbot.waitUntil(lambda: "temperature 0.8" in view.samples.caption.text(), timeout=5000)
    model, task = private_model(snap)
    expected = sample(
        model, task.vocab, "", SAMPLE_CHARS, 0.8, rng=np.random.default_rng(view.samples.seed)
    )
    assert view.samples.sample_label.text() == expected
    # "New sample" draws another one
    view.samples.new_sample()
    qtbot.waitUntil(lambda: view.samples.sample_label.text() != expected, timeout=5000)


def test_sample_stream_equals_sample():
    snap = text()
    model, task = private_model(snap)
    stream = SampleStream(model, task.vocab, "the", 50, 1.3, seed=7)
    while not stream.run(0.0):
        pass
    assert stream.text == sample(model, task.vocab, "the", 50, 1.3, rng=np.random.default_rng(7))


def test_bad_text_file_is_reported(show, qtbot, tmp_path):
    view = show(TextView, text())
    binary = tmp_path / "weights.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with (
        qtbot.assertNotEmitted(view.text_file_chosen),
        qtbot.waitSignal(view.failed, timeout=1000) as signal,
    ):
        assert not view.open_text_file(str(binary))
    assert "binary" in signal.args[0]
    assert view.status_label.isVisible() and "binary" in view.status_label.text()
    # the button goes through the same check (the file dialog replaced)
    view.ask_for_file = lambda: str(tmp_path / "missing.txt")
    with qtbot.waitSignal(view.failed, timeout=1000) as signal:
        QTest.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    assert "no file" in signal.args[0]


def test_good_text_file_is_announced(show, qtbot, tmp_path):
    view = show(TextView, text())
    good = tmp_path / "story.txt"
    good.write_text("the cat sat on the mat.\n" * 20, encoding="utf-8")
    with (
        qtbot.assertNotEmitted(view.failed),
        qtbot.waitSignal(view.text_file_chosen, timeout=1000) as signal,
    ):
        assert view.open_text_file(str(good))
    assert signal.args == [str(good)]
    assert "story.txt" in view.status_label.text()
