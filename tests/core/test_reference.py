"""The fast cells against the plain per-step reference (rnnviz.core.reference), and the
reference itself against finite differences and PyTorch."""

from pathlib import Path

import numpy as np
import pytest

from rnnviz.core import CELLS, numerical_gradient, reference, relative_error
from rnnviz.core.gru import gru_backward, gru_forward
from rnnviz.core.lstm import lstm_backward, lstm_forward
from rnnviz.core.trace import DirectionTrace
from rnnviz.core.vanilla import rnn_backward, rnn_forward

TORCH_REFERENCE = Path(__file__).resolve().parents[1] / "data" / "torch_reference.npz"

# (T, B, I, H): one step of one sequence, and a few shapes where no two sizes are equal
SHAPES = [(1, 1, 1, 1), (4, 2, 3, 5), (7, 3, 2, 4), (3, 5, 6, 2)]
RTOL, ATOL = 1e-11, 1e-13


def random_case(cell: str, T: int, B: int, I: int, H: int, seed: int = 0) -> dict:
    """Weights, input, initial states and upstream gradients for one direction, float64."""
    rng = np.random.default_rng(seed)
    G = CELLS[cell].gate_count
    bound = 1 / np.sqrt(H)
    return {
        "x": rng.standard_normal((T, B, I)),
        "h0": 0.5 * rng.standard_normal((B, H)),
        "c0": 0.5 * rng.standard_normal((B, H)),
        "W_ih": rng.uniform(-bound, bound, (G * H, I)),
        "W_hh": rng.uniform(-bound, bound, (G * H, H)),
        "b_ih": rng.uniform(-bound, bound, G * H),
        "b_hh": rng.uniform(-bound, bound, G * H),
        "dy": rng.standard_normal((T, B, H)),
        "dh_last": rng.standard_normal((B, H)),
        "dc_last": rng.standard_normal((B, H)),
    }


def run_fast(cell: str, k: dict) -> dict:
    """The fast forward and backward pass, read back batch-major as the views read it."""
    weights = (k["W_ih"], k["W_hh"], k["b_ih"], k["b_hh"])
    spec = CELLS[cell]
    dc0 = None
    if spec.family == "rnn":
        cache = rnn_forward(k["x"], k["h0"], *weights, nonlinearity=spec.nonlinearity)
        dx, dh0, grads, dh = rnn_backward(k["dy"], k["dh_last"], cache)
    elif spec.family == "lstm":
        cache = lstm_forward(k["x"], k["h0"], k["c0"], *weights)
        dx, dh0, dc0, grads, dh, _ = lstm_backward(k["dy"], k["dh_last"], k["dc_last"], cache)
    else:
        cache = gru_forward(k["x"], k["h0"], *weights)
        dx, dh0, grads, dh = gru_backward(k["dy"], k["dh_last"], cache)
    trace = DirectionTrace(spec.family, False, cache, spec.gate_names)
    forward = {"h": trace.h, "h_last": trace.h_last, "c": trace.c, "gates": trace.gates}
    return forward | {"dx": dx, "dh0": dh0, "dc0": dc0, "grads": grads, "dh": dh}


def run_reference(cell: str, k: dict) -> dict:
    """The same through the per-step reference."""
    weights = (k["W_ih"], k["W_hh"], k["b_ih"], k["b_hh"])
    spec = CELLS[cell]
    if spec.family == "rnn":
        run = reference.rnn_forward(k["x"], k["h0"], *weights, spec.nonlinearity)
        back = reference.rnn_backward(
            k["dy"], k["dh_last"], k["x"], k["h0"], *weights[:2], run, spec.nonlinearity
        )
    elif spec.family == "lstm":
        run = reference.lstm_forward(k["x"], k["h0"], k["c0"], *weights)
        back = reference.lstm_backward(
            k["dy"], k["dh_last"], k["dc_last"], k["x"], k["h0"], k["c0"], *weights[:2], run
        )
    else:
        run = reference.gru_forward(k["x"], k["h0"], *weights)
        back = reference.gru_backward(k["dy"], k["dh_last"], k["x"], k["h0"], *weights[:2], run)
    forward = {"h": run.h, "h_last": run.h[-1], "c": run.c, "gates": run.gates}
    return forward | {
        "dx": back.dx,
        "dh0": back.dh0,
        "dc0": back.dc0,
        "grads": back.grads,
        "dh": back.dh,
    }


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}B{}I{}H{}".format(*s))
@pytest.mark.parametrize("cell", list(CELLS))
def test_fast_pass_matches_the_reference(cell, shape):
    k = random_case(cell, *shape, seed=sum(shape))
    fast, ref = run_fast(cell, k), run_reference(cell, k)
    for name in ("h", "h_last", "dx", "dh0", "dh"):
        np.testing.assert_allclose(fast[name], ref[name], RTOL, ATOL, err_msg=name)
    if CELLS[cell].has_cell_state:
        np.testing.assert_allclose(fast["c"], ref["c"], RTOL, ATOL, err_msg="c")
        np.testing.assert_allclose(fast["dc0"], ref["dc0"], RTOL, ATOL, err_msg="dc0")
    else:
        assert fast["c"] is None and fast["dc0"] is None
    assert list(fast["gates"]) == list(CELLS[cell].gate_names)
    for name, a in fast["gates"].items():
        np.testing.assert_allclose(a, ref["gates"][name], RTOL, ATOL, err_msg=f"gate {name}")
    assert set(fast["grads"]) == set(ref["grads"]) == {"W_ih", "W_hh", "b_ih", "b_hh"}
    for name, g in fast["grads"].items():
        assert g.shape == k[name].shape, name
        np.testing.assert_allclose(g, ref["grads"][name], RTOL, ATOL, err_msg=name)


@pytest.mark.parametrize("cell", ["rnn_tanh", "lstm", "gru"])
def test_the_comparison_catches_a_fast_pass_a_little_off(cell, monkeypatch):
    """A cell whose recurrent weight is read 1e-6 too large no longer passes the comparison."""
    k = random_case(cell, 4, 2, 3, 5)
    ref = run_reference(cell, k)
    k["W_hh"] = k["W_hh"] * (1 + 1e-6)
    fast = run_fast(cell, k)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(fast["h"], ref["h"], RTOL, ATOL)


def reference_loss(cell: str, k: dict) -> float:
    """L = Σ dy ⊙ h + Σ dh_last ⊙ h_T (+ Σ dc_last ⊙ c_T), whose gradients ``*_backward`` gives."""
    ref = run_reference(cell, k)
    loss = np.sum(k["dy"] * ref["h"]) + np.sum(k["dh_last"] * ref["h"][-1])
    if ref["c"] is not None:
        loss += np.sum(k["dc_last"] * ref["c"][-1])
    return float(loss)


@pytest.mark.parametrize("cell", list(CELLS))
def test_reference_gradients_match_finite_differences(cell):
    k = random_case(cell, 3, 2, 3, 4, seed=5)
    ref = run_reference(cell, k)
    checks = {name: ref["grads"][name] for name in ("W_ih", "W_hh", "b_ih", "b_hh")}
    checks |= {"x": ref["dx"], "h0": ref["dh0"]}
    if CELLS[cell].has_cell_state:
        checks["c0"] = ref["dc0"]
    for name, analytic in checks.items():
        numeric = numerical_gradient(lambda: reference_loss(cell, k), k[name])
        assert relative_error(analytic, numeric) < 1e-7, name


@pytest.mark.parametrize("case", ["rnn_tanh_1", "lstm_1", "gru_1"])
def test_reference_matches_pytorch(case):
    """The reference reproduces PyTorch's outputs and gradients (tests/data/torch_reference.npz)."""
    with np.load(TORCH_REFERENCE, allow_pickle=False) as data:
        ref = {k[len(case) + 1 :]: data[k] for k in data.files if k.startswith(case + "/")}
    cell = case.rpartition("_")[0]
    k = {"x": ref["x"], "h0": ref["h0"][0], "c0": ref["c0"][0] if "c0" in ref else None}
    for ours, theirs in (("W_ih", "weight_ih"), ("W_hh", "weight_hh"), ("b_ih", "bias_ih")):
        k[ours] = ref[f"param.{theirs}_l0"]
    k["b_hh"] = ref["param.bias_hh_l0"]
    k["dy"], k["dh_last"] = ref["dy"], ref["dh_n"][0]
    k["dc_last"] = ref["dc_n"][0] if "dc_n" in ref else None
    ours = run_reference(cell, k)
    np.testing.assert_allclose(ours["h"], ref["y"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours["dx"], ref["dx"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours["dh0"], ref["dh0"][0], rtol=1e-9, atol=1e-12)
    if "c0" in ref:
        np.testing.assert_allclose(ours["c"][-1], ref["c_n"][0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours["dc0"], ref["dc0"][0], rtol=1e-9, atol=1e-12)
    for name, theirs in (("W_ih", "weight_ih"), ("W_hh", "weight_hh"), ("b_hh", "bias_hh")):
        np.testing.assert_allclose(
            ours["grads"][name], ref[f"grad.{theirs}_l0"], rtol=1e-9, atol=1e-12
        )


@pytest.mark.parametrize("span", [1, 2, 3])
def test_lstm_backward_in_blocks_of_steps_matches_the_reference(span, monkeypatch):
    """Backward runs in blocks of steps that fit the cache (long sequences); any block size
    gives the reference's gradients, and the same numbers as one block."""
    from rnnviz.core import lstm

    k = random_case("lstm", 7, 3, 2, 4, seed=11)
    weights = (k["W_ih"], k["W_hh"], k["b_ih"], k["b_hh"])
    cache = lstm_forward(k["x"], k["h0"], k["c0"], *weights)
    whole = lstm_backward(k["dy"], k["dh_last"], k["dc_last"], cache)
    monkeypatch.setattr(lstm, "_steps_in_cache", lambda H, B, dtype: span)
    blocks = lstm_backward(k["dy"], k["dh_last"], k["dc_last"], cache)
    ref = run_reference("lstm", k)
    for name, a, b in zip(("dx", "dh0", "dc0", "grads", "dh", "dc"), whole, blocks, strict=True):
        for key in a if isinstance(a, dict) else [None]:
            np.testing.assert_array_equal(
                a if key is None else a[key], b if key is None else b[key], err_msg=name
            )
    for name, got in (("dx", blocks[0]), ("dh0", blocks[1]), ("dc0", blocks[2]), ("dh", blocks[4])):
        np.testing.assert_allclose(got, ref[name], RTOL, ATOL, err_msg=name)
    for name, g in blocks[3].items():
        np.testing.assert_allclose(g, ref["grads"][name], RTOL, ATOL, err_msg=name)
