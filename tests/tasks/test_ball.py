"""The moving-ball task: physics, batches, metrics, and the three lessons, trained for real.

The lessons (seeded; each training takes a few seconds on a two-core laptop):

- "next": a GRU that sees the history predicts the direction of the next move ≥ 90 % of the
  time;
- "snapshot": the same GRU, trained the same way on single frames, stays near chance (≤ 25 %);
- "gap": with noisy observations, a bidirectional GRU fills the occlusion with at most half the
  error of a one-directional one.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from rnnviz.tasks.ball import (
    NO_DIRECTION,
    WARMUP_FRAMES,
    BallConfig,
    BallMode,
    BallTask,
    direction_sector,
    fold_into_box,
    simulate_ball,
    throw_score,
)
from rnnviz.tasks.facts import BallFacts

# --- physics ----------------------------------------------------------------------------------


def random_balls(seed: int, n: int, speed: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """n balls at random positions with random velocities up to ``speed`` per axis."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, (n, 2)), rng.uniform(-speed, speed, (n, 2))


@pytest.mark.parametrize("gravity", [0.0, 0.01])
def test_ball_stays_in_the_box(gravity):
    p0, v0 = random_balls(1, 200)
    positions, _ = simulate_ball(p0, v0, 300, gravity)  # (300, 200, 2)
    assert positions.shape == (300, 200, 2)
    assert positions.min() >= 0.0 and positions.max() <= 1.0
    # the balls really went everywhere, so the test above could have failed
    assert positions.min() < 0.01 and positions.max() > 0.99


def test_bounce_on_a_wall_reflects_the_velocity():
    p0 = np.array([[0.95, 0.5], [0.5, 0.02], [0.97, 0.98]])  # right wall, floor, corner
    v0 = np.array([[0.1, 0.01], [0.03, -0.05], [0.05, 0.04]])
    positions, velocities = simulate_ball(p0, v0, 2)  # (2, 3, 2)
    # past the wall by d, the ball ends d inside it, and that component of v changes sign
    np.testing.assert_allclose(positions[1, 0], [1 - 0.05, 0.51])
    np.testing.assert_allclose(velocities[1, 0], [-0.1, 0.01])
    np.testing.assert_allclose(positions[1, 1], [0.53, 0.03])
    np.testing.assert_allclose(velocities[1, 1], [0.03, 0.05])
    np.testing.assert_allclose(positions[1, 2], [0.98, 0.98])
    np.testing.assert_allclose(velocities[1, 2], [-0.05, -0.04])


def test_bounces_keep_the_speed_without_gravity():
    p0, v0 = random_balls(2, 50)
    _, velocities = simulate_ball(p0, v0, 200)  # (200, 50, 2)
    speed = np.linalg.norm(velocities, axis=-1)  # (200, 50)
    np.testing.assert_allclose(speed, np.broadcast_to(speed[0], speed.shape), rtol=1e-12)
    # and they did bounce: some velocity component changed sign
    assert np.any(np.sign(velocities[-1]) != np.sign(velocities[0]))


def test_fold_counts_several_walls():
    position = np.array([[2.1, -1.25]])  # two walls crossed in x, two in y (−1.25 → 1.25 → 0.75)
    velocity = np.array([[0.3, -0.4]])
    p, v = fold_into_box(position, velocity)
    np.testing.assert_allclose(p, [[0.1, 0.75]])
    np.testing.assert_allclose(v, [[0.3, -0.4]])  # an even number of bounces per axis


def test_gravity_accelerates_downward():
    g = 0.004
    p0, v0 = np.array([[0.3, 0.9]]), np.array([[0.01, 0.0]])
    positions, velocities = simulate_ball(p0, v0, 15, gravity=g)  # (15, 1, 2)
    t = np.arange(15)
    # semi-implicit Euler: v_t = v_0 − g t and y_t = y_0 − g t (t + 1) / 2 (no floor reached)
    np.testing.assert_allclose(velocities[:, 0, 1], -g * t)
    np.testing.assert_allclose(positions[:, 0, 1], 0.9 - g * t * (t + 1) / 2)
    np.testing.assert_allclose(positions[:, 0, 0], 0.3 + 0.01 * t)  # x is not pulled
    assert np.all(np.diff(positions[:, 0, 1], n=2) < 0)  # y curves down


def test_gravity_bounces_off_the_floor():
    positions, velocities = simulate_ball(np.array([[0.5, 0.5]]), np.zeros((1, 2)), 80, 0.01)
    y = positions[:, 0, 1]
    assert y.min() >= 0 and np.any(velocities[1:, 0, 1] > 0)  # it came back up


def test_simulate_rejects_a_ball_outside_the_box():
    with pytest.raises(ValueError, match="inside the unit box"):
        simulate_ball(np.array([[1.5, 0.5]]), np.zeros((1, 2)), 3)


# --- directions -------------------------------------------------------------------------------


def test_direction_sectors_of_the_eight_compass_directions():
    angles = np.arange(8) * np.pi / 4  # E, NE, N, NW, W, SW, S, SE
    movement = 0.03 * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (8, 2)
    assert direction_sector(movement).tolist() == list(range(8))
    # a sector is 45° wide, centred on its direction
    assert direction_sector(np.array([np.cos(0.38), np.sin(0.38)])) == 0  # 21.8°
    assert direction_sector(np.array([np.cos(0.41), np.sin(0.41)])) == 1  # 23.5°
    assert direction_sector(np.array([1.0, -0.01])) == 0  # just below east is still east
    # with 4 sectors of 90°: 42° is east, 48° north; exactly 45° belongs to the anticlockwise one
    four = np.array([[1.0, 0.9], [0.9, 1.0], [1.0, 1.0], [-1.0, -1.0], [0.0, 0.0]])
    assert direction_sector(four, directions=4).tolist() == [0, 1, 1, 3, 0]


# --- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"noise": 0.5}, r"noise must be between 0 and 0.2 \(box widths\), got 0.5"),
        ({"noise": -0.1}, "noise must be between 0 and 0.2"),
        ({"noise": "loud"}, "noise .* must be a number"),
        ({"gravity": -1.0}, "gravity must be between 0 and 0.01"),
        ({"gravity": True}, "gravity .* must be a number"),
        ({"speed_min": 0.0}, r"speed_min must be between 0\.001 and 0\.25"),
        ({"speed_max": 0.5}, r"speed_max must be between 0\.001 and 0\.25"),
        ({"speed_min": 0.05, "speed_max": 0.03}, r"speed_min \(0.05\) must not be more than"),
        ({"speed_min": float("nan")}, "speed_min must be a finite number between"),
        ({"mode": "teleport"}, "mode must be one of 'next', 'snapshot', 'gap'"),
        ({"gap": 0}, "gap must be between 1 and 100"),
        ({"gap": 2.5}, "gap .* must be a whole number"),
        ({"directions": 1}, "directions must be between 2 and 36"),
        ({"compass": 1}, "compass .* must be true or false"),
    ],
)
def test_config_rejects_bad_values_with_a_clear_message(changes, message):
    with pytest.raises(ValueError, match=message):
        BallConfig(**changes)


def test_config_survives_a_json_round_trip():
    config = BallConfig(speed_min=0.01, gravity=0.002, noise=0.01, mode="gap", gap=4, compass=True)
    assert config.mode is BallMode.GAP  # the string became the enum
    data = json.loads(json.dumps(dataclasses.asdict(config)))
    assert data["mode"] == "gap"
    for value in data.values():
        assert isinstance(value, int | float | bool | str)
    assert BallConfig(**data) == config


def test_config_turns_whole_numbers_into_floats():
    config = BallConfig(gravity=0, noise=0)
    assert isinstance(config.gravity, float) and isinstance(config.noise, float)


# --- batches ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(BallMode))
def test_same_seed_same_batch_other_seed_other_batch(mode):
    task = BallTask(BallConfig(mode=mode, noise=0.01))
    a = task.batch(np.random.default_rng(5), 4, 12)
    b = task.batch(np.random.default_rng(5), 4, 12)
    c = task.batch(np.random.default_rng(6), 4, 12)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.targets, b.targets)
    for key in a.extra:
        np.testing.assert_array_equal(a.extra[key], b.extra[key])
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize(
    ("mode", "x_shape", "target_shape"),
    [
        ("next", (12, 5, 2), (12, 5, 2)),
        ("snapshot", (1, 60, 2), (1, 60, 2)),
        ("gap", (12, 5, 3), (12, 5, 2)),
    ],
)
def test_batch_shapes_and_dtypes(mode, x_shape, target_shape):
    task = BallTask(BallConfig(mode=mode))
    batch = task.batch(np.random.default_rng(0), 5, 12)
    assert batch.x.shape == x_shape and batch.x.dtype == np.float32
    assert batch.targets.shape == target_shape and batch.targets.dtype == np.float32
    assert task.input_size == x_shape[2] and task.output_size == 2
    assert batch.extra["positions"].shape == (13, 5, 2)
    assert batch.extra["observed"].shape == (12, 5, 2)
    assert batch.extra["visible"].shape == (12, 5) and batch.extra["visible"].dtype == bool
    if mode == "gap":
        assert batch.mask.shape == (12, 5) and batch.mask.dtype == np.float32
    else:
        assert batch.mask is None


def test_next_targets_are_the_next_positions_and_inputs_the_noisy_current_ones():
    task = BallTask(BallConfig(noise=0.01))
    batch = task.batch(np.random.default_rng(3), 64, 20)
    positions = batch.extra["positions"]  # (21, 64, 2)
    np.testing.assert_array_equal(batch.targets, positions[1:])
    np.testing.assert_array_equal(batch.x, batch.extra["observed"])
    noise = batch.x - positions[:-1]  # (20, 64, 2)
    assert 0.009 < noise.std() < 0.011 and abs(noise.mean()) < 0.001


def test_throws_are_uniform_in_position_and_direction():
    task = BallTask()
    batch = task.batch(np.random.default_rng(4), 4000, 2)
    p0 = batch.extra["positions"][0]  # (4000, 2)
    sectors = direction_sector(batch.extra["positions"][1] - p0)  # (4000,)
    assert np.all(np.abs(p0.mean(axis=0) - 0.5) < 0.02)
    counts = np.bincount(sectors, minlength=8) / 4000  # (8,)
    assert np.all(np.abs(counts - 1 / 8) < 0.025)
    speed = np.linalg.norm(batch.extra["positions"][1] - p0, axis=-1)
    inside = np.all((p0 > 0.05) & (p0 < 0.95), axis=1)  # no bounce in the first frame
    assert speed[inside].min() >= 0.02 - 1e-6 and speed[inside].max() <= 0.04 + 1e-6


def test_compass_throws_move_along_sector_centres():
    task = BallTask(BallConfig(compass=True))
    positions = task.batch(np.random.default_rng(8), 500, 30).extra["positions"].astype(float)
    movement = positions[1:] - positions[:-1]  # (30, 500, 2)
    angle = np.arctan2(movement[..., 1], movement[..., 0]) / (np.pi / 4)  # in sector widths
    on_centre = np.abs(angle - np.rint(angle)) < 1e-3  # (30, 500)
    # everywhere except the frames that cross a wall (folded movements)
    assert 0.9 < on_centre.mean() < 1.0


def test_snapshot_batch_is_the_next_batch_cut_into_single_frames():
    next_task = BallTask(BallConfig(noise=0.01))
    snap_task = BallTask(BallConfig(noise=0.01, mode="snapshot"))
    nxt = next_task.batch(np.random.default_rng(9), 3, 7)
    snap = snap_task.batch(np.random.default_rng(9), 3, 7)
    for b in range(3):
        for t in range(7):
            np.testing.assert_array_equal(snap.x[0, b * 7 + t], nxt.x[t, b])
            np.testing.assert_array_equal(snap.targets[0, b * 7 + t], nxt.targets[t, b])


def test_snapshot_sequences_are_one_step_long_for_a_trainer():
    task = BallTask(BallConfig(mode="snapshot"))
    assert task.sequence_length(20) == 1  # no history, whatever length is asked for
    batch = task.batch(np.random.default_rng(0), 16, task.sequence_length(20))
    assert batch.x.shape == (1, 16, 2) and batch.targets.shape == (1, 16, 2)
    np.testing.assert_array_equal(batch.targets[0], batch.extra["positions"][1])
    assert task.metrics(batch.targets, batch)["direction_accuracy"] == 1.0


def test_sequence_length_makes_room_for_the_gap():
    assert BallTask().sequence_length(20) == 20
    assert BallTask().sequence_length(1) == 2
    assert BallTask(BallConfig(mode="gap", gap=8)).sequence_length(5) == 10
    assert BallTask(BallConfig(mode="gap", gap=8)).sequence_length(30) == 30


@pytest.mark.parametrize(
    ("mode", "x_shape", "frames"),
    [("next", (12, 1, 2), 12), ("gap", (12, 1, 3), 12), ("snapshot", (1, 20, 2), 20)],
)
def test_example_is_one_whole_throw(mode, x_shape, frames):
    task = BallTask(BallConfig(mode=mode))
    example = task.example(np.random.default_rng(0), task.sequence_length(12))
    assert example.x.shape == x_shape
    assert task.predictions(example.targets, example)["true_positions"].shape == (frames, 2)


def test_gap_hides_the_middle_frames_and_only_they_count():
    task = BallTask(BallConfig(mode="gap", gap=4, noise=0.01))
    batch = task.batch(np.random.default_rng(2), 6, 11)
    hidden = np.zeros(11, dtype=bool)
    hidden[3:7] = True  # t₀ = ⌊(11 − 4)/2⌋ = 3
    np.testing.assert_array_equal(batch.extra["visible"], np.tile(~hidden[:, None], (1, 6)))
    np.testing.assert_array_equal(batch.mask, np.tile(hidden[:, None], (1, 6)).astype(np.float32))
    assert np.all(batch.x[hidden] == 0)  # nothing seen, flag 0
    np.testing.assert_array_equal(batch.x[~hidden][..., :2], batch.extra["observed"][~hidden])
    assert np.all(batch.x[~hidden][..., 2] == 1)
    np.testing.assert_array_equal(batch.targets, batch.extra["positions"][:11])
    # the loss gradient is zero on the seen frames, non-zero on the hidden ones
    outputs = batch.targets + 0.1
    _, grad = task.loss(outputs, batch)  # (11, 6, 2)
    assert np.all(grad[~hidden] == 0) and np.all(grad[hidden] != 0)


@pytest.mark.parametrize(
    ("config", "seq_len", "message"),
    [
        (BallConfig(mode="gap", gap=5), 6, "at least 7 for a gap of 5"),
        (BallConfig(), 1, "at least 2"),
    ],
)
def test_too_short_sequences_are_refused(config, seq_len, message):
    with pytest.raises(ValueError, match=message):
        BallTask(config).batch(np.random.default_rng(0), 2, seq_len)


def test_batch_from_positions_refuses_positions_outside_the_box():
    with pytest.raises(ValueError, match="inside the unit box"):
        BallTask().batch_from_positions(np.full((5, 1, 2), 1.2), np.random.default_rng(0))


# --- metrics, baselines, predictions ----------------------------------------------------------


def reversed_outputs(batch) -> np.ndarray:
    """Predict the next move backwards: p_t − (p_{t+1} − p_t), as (T, B, 2)."""
    positions = batch.extra["positions"].astype(np.float64)  # (T+1, B, 2)
    return (2 * positions[:-1] - positions[1:]).astype(np.float32)


@pytest.mark.parametrize("mode", ["next", "snapshot"])
def test_perfect_and_reversed_predictions(mode):
    task = BallTask(BallConfig(mode=mode, noise=0.02))
    batch = task.batch(np.random.default_rng(0), 16, 10)
    perfect = task.metrics(batch.targets, batch)
    assert perfect == {"direction_accuracy": 1.0, "position_error": 0.0}
    backwards = reversed_outputs(batch)  # (T, B, 2)
    if mode == "snapshot":
        backwards = backwards.transpose(1, 0, 2).reshape(1, 160, 2)
    assert task.metrics(backwards, batch)["direction_accuracy"] == 0.0


def test_position_error_is_the_mean_distance():
    task = BallTask()
    batch = task.batch(np.random.default_rng(0), 8, 10)
    outputs = batch.targets + np.array([0.03, 0.04], dtype=np.float32)  # 0.05 away everywhere
    assert task.metrics(outputs, batch)["position_error"] == pytest.approx(0.05, rel=1e-5)


def test_direction_accuracy_skips_the_warmup_frame_only():
    task = BallTask()
    batch = task.batch(np.random.default_rng(0), 8, 10)
    outputs = batch.targets.copy()
    wrong = reversed_outputs(batch)  # (10, 8, 2)
    outputs[:WARMUP_FRAMES] = wrong[:WARMUP_FRAMES]
    assert task.metrics(outputs, batch)["direction_accuracy"] == 1.0
    outputs[WARMUP_FRAMES] = wrong[WARMUP_FRAMES]  # one of the 9 counted frames is now wrong
    assert task.metrics(outputs, batch)["direction_accuracy"] == pytest.approx(8 / 9)


def test_a_snapshot_model_is_judged_on_every_frame():
    task = BallTask(BallConfig(mode="snapshot"))
    batch = task.batch(np.random.default_rng(0), 8, 10)
    outputs = batch.targets.reshape(8, 10, 2).copy()  # (B, T, 2), column b·T + t
    outputs[:, 0] = reversed_outputs(batch).transpose(1, 0, 2)[:, 0]  # frame 0 of every throw
    accuracy = task.metrics(outputs.reshape(1, 80, 2), batch)["direction_accuracy"]
    assert accuracy == pytest.approx(9 / 10)


def test_gap_metrics_look_only_behind_the_occluder():
    task = BallTask(BallConfig(mode="gap", gap=4, noise=0.02))
    batch = task.batch(np.random.default_rng(1), 8, 10)
    hidden = batch.mask.astype(bool)  # (10, 8)
    outputs = batch.targets.copy()
    outputs[~hidden] = 5.0  # nonsense where the ball is seen: not asked, not counted
    perfect = task.metrics(outputs, batch)
    assert perfect == {"direction_accuracy": 1.0, "gap_error": 0.0}  # one distance metric
    outputs[hidden] += np.array([0.03, 0.04], dtype=np.float32)
    assert task.metrics(outputs, batch)["gap_error"] == pytest.approx(0.05, rel=1e-5)


def test_metrics_refuse_outputs_of_the_wrong_shape():
    task = BallTask(BallConfig(mode="snapshot"))
    batch = task.batch(np.random.default_rng(0), 2, 5)
    with pytest.raises(ValueError, match=r"outputs must have shape \(1, 10, 2\)"):
        task.metrics(np.zeros((5, 2, 2), np.float32), batch)


@pytest.mark.parametrize("directions", [4, 8, 12])
def test_chance_is_one_over_the_directions(directions):
    assert BallTask(BallConfig(directions=directions)).baselines() == {"chance": 1 / directions}


def test_gap_baselines_show_what_the_future_is_worth():
    noisy = BallTask(BallConfig(mode="gap", gap=6, noise=0.01))
    baselines = noisy.baselines()
    assert set(baselines) == set(BallTask.baseline_metrics)
    assert baselines == noisy.baselines() == BallTask(noisy.config).baselines()  # deterministic
    # with a noisy camera, flying on from the last two frames is far worse than interpolating
    assert baselines["linear_interpolation"] * 3 < baselines["linear_extrapolation"]
    # with a perfect camera and no gravity the past alone almost fixes the path (bounces apart)
    exact = BallTask(BallConfig(mode="gap", gap=6)).baselines()
    assert exact["linear_extrapolation"] < baselines["linear_extrapolation"] / 10


@pytest.mark.parametrize("mode", list(BallMode))
def test_predictions_for_the_view(mode):
    task = BallTask(BallConfig(mode=mode, noise=0.01, gap=3))
    batch = task.batch(np.random.default_rng(4), 3, 9)
    shown = task.predictions(batch.targets, batch)
    assert set(shown) == {
        "true_positions",
        "target_positions",
        "observed_positions",
        "predicted_positions",
        "visible",
        "predicted_direction",
        "true_direction",
    }
    for key in ("true_positions", "target_positions", "observed_positions", "predicted_positions"):
        assert shown[key].shape == (9, 2), key
    assert shown["visible"].shape == (9,) and shown["visible"].dtype == bool
    for key in ("predicted_direction", "true_direction"):
        assert shown[key].shape == (9,) and shown[key].dtype == np.int64
    positions = batch.extra["positions"][:, 0]  # (10, 2)
    np.testing.assert_allclose(shown["true_positions"], positions[:9])
    assert np.array_equal(shown["true_direction"], direction_sector(positions[1:] - positions[:-1]))
    visible = shown["visible"]
    assert np.all(np.isnan(shown["observed_positions"][~visible]))
    if mode == "gap":
        assert visible.tolist() == [True] * 3 + [False] * 3 + [True] * 3
        assert np.all(np.isnan(shown["predicted_positions"][visible]))
        np.testing.assert_allclose(shown["predicted_positions"][~visible], positions[3:6])
        scored = shown["predicted_direction"] != NO_DIRECTION  # moves into, across, out of it
        assert scored.tolist() == [False, False, True, True, True, True, False, False, False]
    else:
        assert visible.all()
        np.testing.assert_allclose(shown["predicted_positions"], positions[1:])
        scored = np.ones(9, dtype=bool)
    np.testing.assert_array_equal(
        shown["predicted_direction"][scored], shown["true_direction"][scored]
    )


# --- facts and the score of one throw ---------------------------------------------------------


def test_facts_state_what_the_ball_view_needs():
    cfg = BallConfig(
        mode="gap", gap=4, directions=6, speed_min=0.01, speed_max=0.03, gravity=0.002, compass=True
    )
    facts = BallTask(cfg).facts()
    assert isinstance(facts, BallFacts)
    assert (facts.name, facts.mode, facts.directions, facts.gap) == ("ball", "gap", 6, 4)
    assert (facts.speed_min, facts.speed_max, facts.gravity, facts.compass) == (
        0.01,
        0.03,
        0.002,
        True,
    )
    assert facts.box == (0.0, 0.0, 1.0, 1.0) and facts.warmup_frames == WARMUP_FRAMES
    assert {b.name for b in facts.baselines} >= {"chance", "linear_interpolation"}
    # plain values only: the snapshot carries them to the window
    for value in dataclasses.asdict(facts).values():
        assert not isinstance(value, np.ndarray | BallMode)
    json.dumps(dataclasses.asdict(facts))


@pytest.mark.parametrize("mode", ["next", "snapshot", "gap"])
def test_the_score_of_one_throw_counts_what_the_accuracy_counts(mode):
    """The ball view's "17 of 19 directions right" is the direction accuracy of that throw."""
    task = BallTask(BallConfig(mode=mode, gap=4, directions=8))
    rng = np.random.default_rng(3)
    batch = task.example(rng, 12)
    outputs = batch.targets + 0.03 * rng.standard_normal(batch.targets.shape)
    metrics = task.metrics(outputs, batch)
    score = throw_score(task.predictions(outputs, batch), task.mode)
    if mode == "gap":
        assert score == pytest.approx(metrics["gap_error"])
    else:
        right, counted = score
        T = batch.extra["visible"].shape[0]
        assert counted == (T - WARMUP_FRAMES if mode == "next" else T)
        assert right / counted == pytest.approx(metrics["direction_accuracy"])
        assert 0 < right < counted  # the noise gets some wrong: the test could fail
