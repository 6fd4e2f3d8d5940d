"""Tests of rnnviz.core.optim: the update rules, all-or-nothing steps, state, clipping, norms."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from rnnviz.core.optim import (
    SGD,
    Adagrad,
    Adam,
    NonFiniteGradientError,
    Optimizer,
    RMSprop,
    clip_grad_norm,
    global_norm,
    param_norms,
)

SHAPES = {"weight_ih_l0": (4, 3), "weight_hh_l0": (4, 4), "bias_ih_l0": (4,)}


def _params(dtype=np.float64, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: rng.normal(size=shape).astype(dtype) for name, shape in SHAPES.items()}


def _grads(step: int, dtype=np.float64) -> list[dict[str, np.ndarray]]:
    """A fixed, reproducible sequence of gradients, one dict per step."""
    rng = np.random.default_rng(100)
    return [
        {name: rng.normal(size=shape).astype(dtype) for name, shape in SHAPES.items()}
        for _ in range(step)
    ]


# (constructor, keyword arguments, a hyper-parameter change applied mid-way)
CONFIGS = {
    "sgd": (SGD, {"lr": 0.1}, {}),
    "sgd-momentum": (SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}, {"momentum": 0.5}),
    "sgd-nesterov": (SGD, {"lr": 0.05, "momentum": 0.8, "nesterov": True}, {"momentum": 0.6}),
    "adam": (Adam, {"lr": 0.01}, {"betas": (0.8, 0.99)}),
    "adam-decay": (Adam, {"lr": 0.02, "weight_decay": 0.1, "eps": 1e-6}, {"eps": 1e-4}),
    "adagrad": (Adagrad, {"lr": 0.1}, {"eps": 1e-6}),
    "adagrad-init": (Adagrad, {"lr": 0.1, "initial_accumulator_value": 0.5}, {}),
    "rmsprop": (RMSprop, {"lr": 0.01}, {"alpha": 0.9}),
    "rmsprop-momentum": (RMSprop, {"lr": 0.01, "momentum": 0.9, "eps": 1e-6}, {"momentum": 0.5}),
}


def _make(config: str, params: dict[str, np.ndarray]) -> Optimizer:
    cls, kwargs, _ = CONFIGS[config]
    return cls(params, **kwargs)


def _run(opt: Optimizer, grads: list[dict[str, np.ndarray]], config: str, start: int = 0) -> None:
    """Steps ``start…`` of the standard schedule: lr and one other hyper-parameter change at 3."""
    _, _, change = CONFIGS[config]
    for k, g in enumerate(grads, start=start):
        if k == 3:
            opt.lr = opt.lr * 0.3
            for key, value in change.items():
                setattr(opt, key, value)
        opt.step(g)


# --- against PyTorch ------------------------------------------------------------------------


def _torch_optimizer(torch, config: str, tensors: list):
    cls, kwargs, _ = CONFIGS[config]
    kwargs = dict(kwargs)
    if cls is SGD:
        return torch.optim.SGD(tensors, **kwargs)
    if cls is Adam:
        return torch.optim.Adam(tensors, **kwargs)
    if cls is Adagrad:
        return torch.optim.Adagrad(tensors, **kwargs)
    return torch.optim.RMSprop(tensors, **kwargs)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("config", list(CONFIGS))
def test_matches_torch_optim(config, dtype):
    torch = pytest.importorskip("torch")
    params = _params(dtype)
    tensors = [torch.tensor(p.copy()) for p in params.values()]
    torch_opt = _torch_optimizer(torch, config, tensors)
    opt = _make(config, params)
    _, _, change = CONFIGS[config]
    for k, grads in enumerate(_grads(6, dtype)):
        if k == 3:
            opt.lr = opt.lr * 0.3
            for group in torch_opt.param_groups:
                group["lr"] = group["lr"] * 0.3
            for key, value in change.items():
                setattr(opt, key, value)
                for group in torch_opt.param_groups:
                    group[key] = value
        for t, g in zip(tensors, grads.values(), strict=True):
            t.grad = torch.tensor(g.copy())
        torch_opt.step()
        opt.step(grads)
    rtol = 1e-12 if dtype == np.float64 else 2e-6
    for t, p in zip(tensors, params.values(), strict=True):
        np.testing.assert_allclose(p, t.numpy(), rtol=rtol, atol=rtol)
    assert opt.step_count == 6


# --- the update rules without PyTorch -------------------------------------------------------


def _one_step(make, dtype=np.float64):
    """(parameters before, gradient, parameters after) one step of the optimiser ``make(params)``
    with the first gradient of ``_grads``."""
    params = _params(dtype)
    p0 = {k: v.copy() for k, v in params.items()}
    (g,) = _grads(1, dtype)
    make(params).step(g)
    return p0, g, params


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_without_momentum_is_exactly_p_minus_lr_g(dtype):
    p0, g, params = _one_step(lambda p: SGD(p, lr=0.3), dtype)
    for name in params:
        np.testing.assert_array_equal(params[name], p0[name] - 0.3 * g[name])
        assert params[name].dtype == dtype


def test_sgd_momentum_starts_with_the_gradient():
    params = _params()
    p0 = {k: v.copy() for k, v in params.items()}
    g1, g2 = _grads(2)
    opt = SGD(params, lr=0.1, momentum=0.9)
    opt.step(g1)
    opt.step(g2)
    for name in params:
        expected = p0[name] - 0.1 * g1[name] - 0.1 * (0.9 * g1[name] + g2[name])
        np.testing.assert_allclose(params[name], expected, rtol=1e-14)


def test_adam_first_step_moves_each_weight_by_lr_along_minus_sign_of_g():
    params = _params()
    p0 = {k: v.copy() for k, v in params.items()}
    (g,) = _grads(1)
    g["bias_ih_l0"][0] = 0.0
    Adam(params, lr=0.01).step(g)
    for name in params:
        # |m̂| / √v̂ = |g| / |g| = 1 at t = 1, whatever the size of g
        np.testing.assert_allclose(p0[name] - params[name], 0.01 * np.sign(g[name]), rtol=1e-6)
    assert params["bias_ih_l0"][0] == p0["bias_ih_l0"][0]


def test_adagrad_first_step():
    p0, g, params = _one_step(lambda p: Adagrad(p, lr=0.1, initial_accumulator_value=0.25))
    for name in params:
        expected = p0[name] - 0.1 * g[name] / (np.sqrt(0.25 + g[name] ** 2) + 1e-10)
        np.testing.assert_allclose(params[name], expected, rtol=1e-14)


def test_rmsprop_first_step():
    p0, g, params = _one_step(lambda p: RMSprop(p, lr=0.01, alpha=0.9))
    for name in params:
        expected = p0[name] - 0.01 * g[name] / (np.sqrt(0.1 * g[name] ** 2) + 1e-8)
        np.testing.assert_allclose(params[name], expected, rtol=1e-12)


@pytest.mark.parametrize("config", list(CONFIGS))
def test_step_leaves_the_gradients_alone_and_keeps_float32(config):
    params = _params(np.float32)
    grads = _grads(3, np.float32)
    copies = [{k: v.copy() for k, v in g.items()} for g in grads]
    opt = _make(config, params)
    _run(opt, grads, config)
    for g, c in zip(grads, copies, strict=True):
        for name in g:
            np.testing.assert_array_equal(g[name], c[name])
    for p in params.values():
        assert p.dtype == np.float32
        assert np.isfinite(p).all()
    for key, value in opt.state_dict().items():
        if "." in key:
            assert value.dtype == np.float32, key


@pytest.mark.parametrize("config", list(CONFIGS))
def test_step_allocates_nothing_of_the_parameters_size(config):
    n = 20_000
    params = {"w": np.ones(n), "b": np.ones(n // 2)}
    grads = {"w": np.full(n, 0.5), "b": np.full(n // 2, -0.5)}
    cls, kwargs, _ = CONFIGS[config]
    opt = cls(params, **{**kwargs, "weight_decay": 0.1} if cls in (SGD, Adam) else kwargs)
    opt.step(grads)  # warm-up
    tracemalloc.start()
    try:
        opt.step(grads)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < n * 8 // 4, f"a step allocated {peak} bytes"


# --- all-or-nothing steps -------------------------------------------------------------------


@pytest.mark.parametrize("config", list(CONFIGS))
def test_non_finite_gradient_changes_nothing(config):
    params = _params()
    opt = _make(config, params)
    grads = _grads(4)
    _run(opt, grads[:2], config)
    params_before = {k: v.copy() for k, v in params.items()}
    state_before = opt.state_dict()

    bad = {k: v.copy() for k, v in grads[2].items()}
    bad["weight_hh_l0"][1, 2] = np.nan
    bad["bias_ih_l0"][0] = -np.inf
    with pytest.raises(NonFiniteGradientError) as info:
        opt.step(bad)
    assert isinstance(info.value, ArithmeticError)
    assert info.value.names == ("weight_hh_l0", "bias_ih_l0")
    for name in params:
        np.testing.assert_array_equal(params[name], params_before[name])
    state_after = opt.state_dict()
    assert state_after.keys() == state_before.keys()
    for key in state_before:
        np.testing.assert_array_equal(state_after[key], state_before[key], err_msg=key)
    assert opt.step_count == 2

    # and training goes on exactly as if the bad step had never been tried
    reference_params = _params()
    reference = _make(config, reference_params)
    _run(reference, grads[:2], config)
    _run(opt, grads[2:], config, start=2)
    _run(reference, grads[2:], config, start=2)
    for name in params:
        np.testing.assert_array_equal(params[name], reference_params[name])


def test_gradients_must_match_the_parameters():
    params = _params()
    opt = SGD(params, lr=0.1)
    (g,) = _grads(1)
    with pytest.raises(ValueError, match=r"missing.*bias_ih_l0"):
        opt.step({k: v for k, v in g.items() if k != "bias_ih_l0"})
    with pytest.raises(ValueError, match=r"unknown.*extra"):
        opt.step({**g, "extra": np.zeros(2)})
    with pytest.raises(ValueError, match=r"weight_ih_l0.*shape"):
        opt.step({**g, "weight_ih_l0": np.zeros((3, 4))})
    with pytest.raises(ValueError, match=r"weight_ih_l0.*dtype"):
        opt.step({**g, "weight_ih_l0": g["weight_ih_l0"].astype(np.float32)})
    assert opt.step_count == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "empty"),
        ({"w": np.zeros(3, dtype=np.int64)}, "floating"),
        ({"w": [0.0, 1.0]}, "NumPy array"),
        ({"w": np.zeros(3), "v": None}, "NumPy array"),
    ],
)
def test_params_are_checked(params, message):
    with pytest.raises(ValueError, match=message):
        SGD(params, lr=0.1)


def test_params_must_be_writeable_and_distinct():
    w = np.zeros(4)
    with pytest.raises(ValueError, match="share memory"):
        SGD({"w": w, "w_view": w[:2]}, lr=0.1)
    w.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        SGD({"w": w}, lr=0.1)


# --- hyper-parameters -----------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.0, -0.1, math.nan, math.inf, "0.1", None, True])
def test_lr_is_validated_on_every_assignment(bad):
    with pytest.raises(ValueError, match="lr"):
        SGD(_params(), lr=bad)
    opt = Adam(_params(), lr=0.01)
    with pytest.raises(ValueError, match="lr"):
        opt.lr = bad
    assert opt.lr == 0.01


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (SGD, {"lr": 0.1, "momentum": 1.0}, "momentum"),
        (SGD, {"lr": 0.1, "momentum": -0.5}, "momentum"),
        (SGD, {"lr": 0.1, "nesterov": True}, "nesterov"),
        (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": 1}, "nesterov"),
        (SGD, {"lr": 0.1, "weight_decay": -1.0}, "weight_decay"),
        (Adam, {"betas": (0.9, 1.0)}, r"betas\[1\]"),
        (Adam, {"betas": (-0.1, 0.9)}, r"betas\[0\]"),
        (Adam, {"betas": 0.9}, "pair"),
        (Adam, {"eps": 0.0}, "eps"),
        (Adam, {"weight_decay": math.nan}, "weight_decay"),
        (Adagrad, {"eps": -1e-10}, "eps"),
        (Adagrad, {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
        (RMSprop, {"alpha": 1.0}, "alpha"),
        (RMSprop, {"momentum": math.inf}, "momentum"),
    ],
)
def test_other_hyperparameters_are_validated(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(_params(), **kwargs)


def test_hyperparameters_can_be_changed_between_steps_and_are_validated():
    opt = SGD(_params(), lr=0.1, momentum=0.9, nesterov=True)
    with pytest.raises(ValueError, match="nesterov"):
        opt.momentum = 0.0
    assert opt.momentum == 0.9
    opt.nesterov = False
    opt.momentum = 0.0
    assert opt.hyperparameters == {
        "lr": 0.1,
        "momentum": 0.0,
        "nesterov": False,
        "weight_decay": 0.0,
    }
    adam = Adam(_params())
    adam.beta2 = 0.9
    assert adam.betas == (0.9, 0.9)
    with pytest.raises(ValueError, match="beta1"):
        adam.beta1 = 1.5
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        adam.betas = (0.5, 2.0)
    assert adam.betas == (0.9, 0.9)


# --- state ----------------------------------------------------------------------------------


@pytest.mark.parametrize("config", list(CONFIGS))
def test_saved_and_restored_optimizer_continues_bit_identically(config):
    grads = _grads(7, np.float32)
    straight_params = _params(np.float32)
    straight = _make(config, straight_params)
    _run(straight, grads, config)

    first_params = _params(np.float32)
    first = _make(config, first_params)
    _run(first, grads[:4], config)  # past the change of hyper-parameters at step 3
    saved_state = first.state_dict()
    saved_params = {k: v.copy() for k, v in first_params.items()}
    del first

    resumed_params = _params(np.float32, seed=99)  # values come from the save
    for name, p in resumed_params.items():
        p[...] = saved_params[name]
    resumed = _make(config, resumed_params)  # hyper-parameters come from the save
    resumed.load_state_dict(saved_state)
    assert resumed.step_count == 4
    assert resumed.lr == straight.lr
    _run(resumed, grads[4:], config, start=4)
    for name in straight_params:
        np.testing.assert_array_equal(resumed_params[name], straight_params[name])


def test_state_dict_is_flat_plain_arrays():
    params = _params(np.float32)
    opt = Adam(params, lr=0.01, weight_decay=0.1)
    opt.step(_grads(1, np.float32)[0])
    state = opt.state_dict()
    expected_keys = {"step", "lr", "beta1", "beta2", "eps", "weight_decay"}
    expected_keys |= {f"{buf}.{name}" for buf in ("m", "v") for name in SHAPES}
    assert set(state) == expected_keys
    assert state["step"].shape == () and state["step"].dtype == np.int64 and state["step"] == 1
    for key in ("lr", "beta1", "beta2", "eps", "weight_decay"):
        assert state[key].shape == () and state[key].dtype == np.float64
    assert state["lr"] == 0.01
    assert state["m.weight_ih_l0"].shape == SHAPES["weight_ih_l0"]
    state["m.weight_ih_l0"][...] = 123.0  # a copy
    assert not (opt.state["m"]["weight_ih_l0"] == 123.0).any()
    assert SGD(_params(), lr=0.1).state_dict()["nesterov"].dtype == np.bool_


def _bad_optimizer_states():
    opt = RMSprop(_params(), lr=0.01, momentum=0.9)
    opt.step(_grads(1)[0])
    good = opt.state_dict()
    shape = SHAPES["weight_hh_l0"]
    return {
        "missing": ({k: v for k, v in good.items() if k != "buf.bias_ih_l0"}, "buf.bias_ih_l0"),
        "extra": ({**good, "m.weight_hh_l0": np.zeros(shape)}, "m.weight_hh_l0"),
        "mis-shaped": ({**good, "square_avg.weight_hh_l0": np.zeros(3)}, "weight_hh_l0"),
        "nan": ({**good, "buf.weight_ih_l0": np.full((4, 3), np.nan)}, "buf.weight_ih_l0"),
        "negative": ({**good, "square_avg.bias_ih_l0": -np.ones(4)}, "square_avg.bias_ih_l0"),
        "step-float": ({**good, "step": np.array(1.0)}, "step"),
        "step-negative": ({**good, "step": np.array(-1)}, "step"),
        "lr-negative": ({**good, "lr": np.array(-0.1)}, "lr"),
        "lr-nan": ({**good, "lr": np.array(np.nan)}, "lr"),
        "alpha-shape": ({**good, "alpha": np.array([0.9])}, "alpha"),
        "momentum-one": ({**good, "momentum": np.array(1.0)}, "momentum"),
    }


@pytest.mark.parametrize("case", list(_bad_optimizer_states()))
def test_load_state_dict_rejects_bad_entries_and_loads_nothing(case):
    state, key = _bad_optimizer_states()[case]
    opt = RMSprop(_params(), lr=0.5, alpha=0.5, momentum=0.1)
    before = opt.state_dict()
    with pytest.raises(ValueError, match=key):
        opt.load_state_dict(state)
    after = opt.state_dict()
    for k in before:
        np.testing.assert_array_equal(after[k], before[k], err_msg=k)
    assert opt.lr == 0.5 and opt.alpha == 0.5 and opt.momentum == 0.1


def test_load_state_dict_checks_combinations_of_hyperparameters():
    opt = SGD(_params(), lr=0.1, momentum=0.9, nesterov=True)
    state = opt.state_dict()
    plain = SGD(_params(), lr=0.1)
    plain.load_state_dict(state)  # momentum is set before nesterov, as in the constructor
    assert plain.nesterov and plain.momentum == 0.9
    opt.load_state_dict(SGD(_params(), lr=0.2).state_dict())
    assert not opt.nesterov and opt.momentum == 0.0 and opt.lr == 0.2
    state["momentum"] = np.array(0.0)
    with pytest.raises(ValueError, match="nesterov"):
        plain.load_state_dict(state)
    assert plain.momentum == 0.9


@pytest.mark.parametrize("config", list(CONFIGS))
def test_zero_state_starts_over(config):
    grads = _grads(2)
    params = _params()
    opt = _make(config, params)
    opt.step(grads[0])
    opt.zero_state()
    assert opt.step_count == 0
    start = {k: v.copy() for k, v in params.items()}
    opt.step(grads[1])

    fresh_params = {k: v.copy() for k, v in start.items()}
    _make(config, fresh_params).step(grads[1])
    for name in params:
        np.testing.assert_array_equal(params[name], fresh_params[name])


# --- norms and clipping ---------------------------------------------------------------------


def test_clip_returns_the_norm_before_clipping_and_scales_to_max_norm():
    (g,) = _grads(1)
    original = {k: v.copy() for k, v in g.items()}
    by_hand = math.sqrt(sum(float(np.sum(v**2)) for v in g.values()))
    norm = clip_grad_norm(g, max_norm=1.0)
    assert norm == pytest.approx(by_hand, rel=1e-12)
    assert norm > 1.0
    assert global_norm(g) == pytest.approx(1.0, rel=1e-5)
    factor = 1.0 / (by_hand + 1e-6)
    for name in g:
        np.testing.assert_allclose(g[name], original[name] * factor, rtol=1e-14)


@pytest.mark.parametrize("max_norm", [None, 1e3])
def test_clip_leaves_small_gradients_alone(max_norm):
    (g,) = _grads(1)
    original = {k: v.copy() for k, v in g.items()}
    assert clip_grad_norm(g, max_norm) == pytest.approx(global_norm(original), rel=1e-15)
    for name in g:
        np.testing.assert_array_equal(g[name], original[name])


@pytest.mark.parametrize(("bad", "check"), [(np.inf, math.isinf), (np.nan, math.isnan)])
def test_clip_leaves_non_finite_gradients_untouched(bad, check):
    (g,) = _grads(1)
    g["weight_hh_l0"][0, 0] = bad
    original = {k: v.copy() for k, v in g.items()}
    assert check(clip_grad_norm(g, max_norm=0.5))
    for name in g:
        np.testing.assert_array_equal(g[name], original[name])


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, "1"])
def test_clip_max_norm_must_be_positive_or_none(bad):
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm(_grads(1)[0], bad)


def test_clip_keeps_float32():
    g = {"w": np.full(10, 3.0, dtype=np.float32)}
    clip_grad_norm(g, 1.0)
    assert g["w"].dtype == np.float32
    assert global_norm(g) == pytest.approx(1.0, rel=1e-5)


def test_norms_of_huge_float32_gradients_do_not_overflow():
    g = {"a": np.full(100, 1e30, dtype=np.float32), "b": np.full(4, -1e30, dtype=np.float32)}
    # float32 squares overflow at 1e19; the norms must still be right
    assert param_norms(g)["a"] == pytest.approx(1e31, rel=1e-6)
    assert global_norm(g) == pytest.approx(1e30 * math.sqrt(104), rel=1e-6)
    assert clip_grad_norm(g, 1.0) == pytest.approx(1e30 * math.sqrt(104), rel=1e-6)
    assert global_norm(g) == pytest.approx(1.0, rel=1e-5)


def test_param_norms_and_global_norm():
    arrays = {"w": np.array([[3.0, 0.0], [0.0, 4.0]]), "b": np.array([12.0])}
    assert param_norms(arrays) == {"w": 5.0, "b": 12.0}
    assert global_norm(arrays) == 13.0
    assert global_norm({}) == 0.0
    with pytest.raises(ValueError, match="floating"):
        global_norm({"w": np.array([1, 2])})
