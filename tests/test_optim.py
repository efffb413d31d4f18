"""Update rules (cs231n_lab.optim) against torch.optim, trajectory by trajectory, in float64."""

import numpy as np
import pytest

from cs231n_lab import optim

torch = pytest.importorskip("torch")

STEPS = 100


def _grad_fn(seed, shape=(4, 5)):
    """A fixed sequence of random 'minibatch' gradients that also depend on w (quadratic + noise)."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((STEPS,) + shape)
    scale = rng.uniform(0.5, 3.0, size=shape)
    return lambda w, t: scale * w + noise[t]


def _run_ours(rule, config, w0, grad, lrs=None):
    w = w0.copy()
    traj = []
    for t in range(STEPS):
        if lrs is not None:
            config["learning_rate"] = lrs[t]
        w, config = rule(w, grad(w, t), config)
        traj.append(w.copy())
    return np.array(traj)


def _run_torch(make_opt, w0, grad, lrs=None):
    p = torch.tensor(w0.copy(), dtype=torch.float64, requires_grad=True)
    opt = make_opt([p])
    traj = []
    for t in range(STEPS):
        if lrs is not None:
            for group in opt.param_groups:
                group["lr"] = lrs[t]
        p.grad = torch.from_numpy(grad(p.detach().numpy().copy(), t))
        opt.step()
        traj.append(p.detach().numpy().copy())
    return np.array(traj)


CASES = {
    "sgd": (optim.sgd, {"learning_rate": 0.05}, lambda ps: torch.optim.SGD(ps, lr=0.05)),
    "sgd_momentum": (optim.sgd_momentum, {"learning_rate": 0.03, "momentum": 0.9},
                     lambda ps: torch.optim.SGD(ps, lr=0.03, momentum=0.9)),
    "nesterov_momentum": (optim.nesterov_momentum, {"learning_rate": 0.03, "momentum": 0.8},
                          lambda ps: torch.optim.SGD(ps, lr=0.03, momentum=0.8, nesterov=True)),
    "adagrad": (optim.adagrad, {"learning_rate": 0.1, "epsilon": 1e-8},
                lambda ps: torch.optim.Adagrad(ps, lr=0.1, eps=1e-8)),
    "rmsprop": (optim.rmsprop, {"learning_rate": 0.01, "decay_rate": 0.95, "epsilon": 1e-8},
                lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.95, eps=1e-8)),
    "adam": (optim.adam, {"learning_rate": 0.02, "beta1": 0.85, "beta2": 0.995, "epsilon": 1e-8},
             lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.85, 0.995), eps=1e-8)),
    "adadelta": (optim.adadelta, {"learning_rate": 0.7, "decay_rate": 0.9, "epsilon": 1e-6},
                 lambda ps: torch.optim.Adadelta(ps, lr=0.7, rho=0.9, eps=1e-6)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_torch_over_100_steps(name, seed):
    rule, config, make_opt = CASES[name]
    grad = _grad_fn(seed)
    w0 = np.random.default_rng(100 + seed).standard_normal((4, 5))
    ours = _run_ours(rule, dict(config), w0, grad)
    theirs = _run_torch(make_opt, w0, grad)
    assert np.abs(ours - w0).max() > 1e-2, "the trajectory must actually move"
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


def test_default_hyperparameters_are_cs231n():
    w, dw = np.ones(3), np.ones(3)
    expected = {
        optim.sgd: {"learning_rate": 1e-2},
        optim.sgd_momentum: {"learning_rate": 1e-2, "momentum": 0.9},
        optim.nesterov_momentum: {"learning_rate": 1e-2, "momentum": 0.9},
        optim.rmsprop: {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
        optim.adam: {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "t": 1},
    }
    for rule, keys in expected.items():
        _, config = rule(w, dw)
        for key, value in keys.items():
            assert config[key] == value, (rule.__name__, key)


@pytest.mark.parametrize("rule", [optim.sgd_momentum, optim.nesterov_momentum])
def test_momentum_differs_from_torch_when_lr_changes(rule):
    """Documented difference: CS231n's velocity carries the learning rate, torch's buffer does not.

    With a changing learning rate, ours equals torch's recurrence with the buffer rescaled:
    our v_t = -sum_k rho^(t-k) lr_k g_k, torch's -lr_t * b_t = -lr_t * sum_k rho^(t-k) g_k.
    """
    nesterov = rule is optim.nesterov_momentum
    grad = _grad_fn(3)
    w0 = np.random.default_rng(7).standard_normal((4, 5))
    lrs = 0.05 * 0.97 ** np.arange(STEPS)
    ours = _run_ours(rule, {"momentum": 0.9}, w0, grad, lrs=lrs)
    theirs = _run_torch(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=nesterov),
                        w0, grad, lrs=lrs)
    assert np.abs(ours - theirs).max() > 1e-3
    # ... and ours follows the velocity formula written in the docstring exactly.
    w, v = w0.copy(), np.zeros_like(w0)
    for t in range(STEPS):
        v_prev = v
        v = 0.9 * v - lrs[t] * grad(w, t)
        w = w - 0.9 * v_prev + 1.9 * v if nesterov else w + v
    np.testing.assert_allclose(ours[-1], w, rtol=0, atol=1e-12)


def test_adam_without_bias_correction_first_step_is_3_2x_larger():
    dw = np.array([0.5, -2.0, 0.05])
    w_on, _ = optim.adam(np.zeros(3), dw, {"learning_rate": 0.1})
    w_off, _ = optim.adam(np.zeros(3), dw, {"learning_rate": 0.1, "bias_correction": False})
    ratio = (1 - 0.9) / np.sqrt(1 - 0.999)
    np.testing.assert_allclose(w_on, -0.1 * np.sign(dw), rtol=1e-4)
    np.testing.assert_allclose(w_off / w_on, ratio, rtol=1e-4)


def test_adam_without_bias_correction_is_the_uncorrected_formula():
    grad = _grad_fn(5)
    w0 = np.zeros((4, 5))
    ours = _run_ours(optim.adam, {"learning_rate": 0.01, "bias_correction": False}, w0, grad)
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for t in range(STEPS):
        g = grad(w, t)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w = w - 0.01 * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(ours[-1], w, rtol=0, atol=1e-12)


def test_adadelta_epsilon_inside_the_root():
    """Documented difference from RMSProp/Adam: the first step is ~sqrt(eps/(1-rho)) whatever dw's scale."""
    for scale in (1e-3, 1.0, 1e3):
        dw = scale * np.array([1.0, -1.0])
        w, _ = optim.adadelta(np.zeros(2), dw, {"epsilon": 1e-6, "decay_rate": 0.9})
        expected = -np.sqrt(1e-6) / np.sqrt(0.1 * dw ** 2 + 1e-6) * dw
        np.testing.assert_allclose(w, expected, rtol=1e-12)
    # for a gradient much larger than sqrt(eps) it approaches sqrt(eps / (1 - rho))
    np.testing.assert_allclose(np.abs(w), np.sqrt(1e-6 / 0.1), rtol=1e-6)


def test_adagrad_effective_step_shrinks_monotonically():
    config = {"learning_rate": 0.1}
    w = np.array([1.0, 1.0])
    effective = []
    rng = np.random.default_rng(0)
    for _ in range(50):
        w, config = optim.adagrad(w, rng.standard_normal(2), config)
        effective.append(config["learning_rate"] / (np.sqrt(config["cache"]) + config["epsilon"]))
    effective = np.array(effective)
    assert np.all(np.diff(effective, axis=0) < 0)


def test_state_is_kept_in_config_and_not_shared():
    w, dw = np.ones(3), np.full(3, 2.0)
    _, c1 = optim.sgd_momentum(w, dw)
    _, c2 = optim.sgd_momentum(w, dw)
    assert c1["velocity"] is not c2["velocity"]
    np.testing.assert_allclose(c1["velocity"], -0.02)


@pytest.mark.parametrize("rule,key,value", [
    (optim.sgd, "learning_rate", -1e-3),
    (optim.sgd_momentum, "learning_rate", float("nan")),
    (optim.sgd_momentum, "momentum", 1.0),
    (optim.nesterov_momentum, "momentum", -0.1),
    (optim.rmsprop, "decay_rate", 1.5),
    (optim.adam, "beta1", 1.0),
    (optim.adam, "beta2", -0.5),
    (optim.adam, "epsilon", -1e-8),
    (optim.adagrad, "learning_rate", "0.1"),
])
def test_bad_config_raises_naming_the_key(rule, key, value):
    with pytest.raises(ValueError, match=key):
        rule(np.ones(2), np.ones(2), {key: value})


@pytest.mark.parametrize("rule", [optim.sgd, optim.sgd_momentum, optim.nesterov_momentum, optim.adagrad,
                                  optim.rmsprop, optim.adam, optim.adadelta])
def test_unknown_key_and_nan_gradient_are_reported(rule):
    with pytest.raises(ValueError, match="lerning_rate"):
        rule(np.ones(2), np.ones(2), {"lerning_rate": 0.1})
    with pytest.raises(FloatingPointError, match="NaN"):
        rule(np.ones(2), np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="shape"):
        rule(np.ones(2), np.ones(3))
    with pytest.raises(TypeError, match="config"):
        rule(np.ones(2), np.ones(2), [("learning_rate", 0.1)])


def test_state_of_the_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match="velocity"):
        optim.sgd_momentum(np.ones(3), np.ones(3), {"velocity": np.zeros(2)})
    with pytest.raises(ValueError, match="t must be"):
        optim.adam(np.ones(3), np.ones(3), {"t": -1})
    with pytest.raises(ValueError, match="bias_correction"):
        optim.adam(np.ones(3), np.ones(3), {"bias_correction": "no"})


@pytest.mark.parametrize("rule", [optim.sgd, optim.sgd_momentum, optim.nesterov_momentum, optim.adagrad,
                                  optim.rmsprop, optim.adam, optim.adadelta])
def test_float32_weights_stay_float32(rule):
    w = np.ones((2, 3), dtype=np.float32)
    config = None
    for _ in range(3):
        w, config = rule(w, np.full((2, 3), 0.5, dtype=np.float32), config)
    assert w.dtype == np.float32


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       lr=st.floats(1e-4, 1.0), beta1=st.floats(0.0, 0.99), beta2=st.floats(0.5, 0.9999),
       momentum=st.floats(0.0, 0.99), seed=st.integers(0, 2 ** 16))
def test_adam_and_nesterov_match_torch_for_any_shape_and_hyperparameters(shape, lr, beta1, beta2, momentum, seed):
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal(shape)
    grads = rng.standard_normal((10,) + tuple(shape))
    for rule, config, make in (
            (optim.adam, {"learning_rate": lr, "beta1": beta1, "beta2": beta2},
             lambda ps: torch.optim.Adam(ps, lr=lr, betas=(beta1, beta2), eps=1e-8)),
            (optim.nesterov_momentum, {"learning_rate": lr, "momentum": momentum},
             lambda ps: torch.optim.SGD(ps, lr=lr, momentum=momentum, nesterov=momentum > 0))):
        w, p = w0.copy(), torch.tensor(w0.copy(), requires_grad=True)
        opt = make([p])
        for g in grads:
            w, config = rule(w, g, config)
            p.grad = torch.from_numpy(g.copy())
            opt.step()
        np.testing.assert_allclose(w, p.detach().numpy(), rtol=1e-9, atol=1e-10)
