"""Activations: forward and backward against torch.nn.functional, numerical gradients, claims."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cs231n_lab import activations as act
from cs231n_lab.gradcheck import eval_numerical_gradient_array, rel_error

# name -> (our forward with settings, our backward, the torch function)
CASES = {
    "sigmoid": (act.sigmoid_forward, act.sigmoid_backward, torch.sigmoid),
    "tanh": (act.tanh_forward, act.tanh_backward, torch.tanh),
    "relu": (act.relu_forward, act.relu_backward, F.relu),
    "leaky_relu": (lambda x: act.leaky_relu_forward(x, 0.1), act.leaky_relu_backward,
                   lambda t: F.leaky_relu(t, 0.1)),
    "elu": (lambda x: act.elu_forward(x, 0.7), act.elu_backward, lambda t: F.elu(t, 0.7)),
    "selu": (act.selu_forward, act.selu_backward, F.selu),
    "gelu": (act.gelu_forward, act.gelu_backward, F.gelu),
    "gelu_tanh": (lambda x: act.gelu_forward(x, "tanh"), act.gelu_backward,
                  lambda t: F.gelu(t, approximate="tanh")),
}


def _away_from_kinks(rng, shape):
    """Inputs with |x| >= 0.05, so the centred difference never straddles the kink at 0."""
    x = rng.standard_normal(shape) * 2
    return np.where(np.abs(x) < 0.05, 0.05 + np.abs(x), x)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_forward_and_backward(rng, name):
    forward, backward, torch_fn = CASES[name]
    x, dout = _away_from_kinks(rng, (7, 9)), rng.standard_normal((7, 9))
    out, cache = forward(x)
    dx = backward(dout, cache)
    tx = torch.tensor(x, requires_grad=True)
    tout = torch_fn(tx)
    tout.backward(torch.tensor(dout))
    # atol: torch evaluates GELU as 0.5 x (1 + erf(.)), which cancels for very negative x;
    # we use erfc there, so the two differ by ~1e-16 absolute where the values are tiny.
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
def test_backward_matches_numerical_gradient(rng, name):
    forward, backward, _ = CASES[name]
    x, dout = _away_from_kinks(rng, (5, 6)), rng.standard_normal((5, 6))
    dx = backward(dout, forward(x)[1])
    dx_num = eval_numerical_gradient_array(lambda v: forward(v)[0], x, dout)
    assert rel_error(dx, dx_num) < 1e-7


@pytest.mark.parametrize("alpha_shape", [(1,), (4,)])
def test_prelu_matches_torch_including_dalpha(rng, alpha_shape):
    x, dout = _away_from_kinks(rng, (3, 4, 5, 2)), rng.standard_normal((3, 4, 5, 2))
    alpha = rng.random(alpha_shape)
    out, cache = act.prelu_forward(x, alpha)
    dx, dalpha = act.prelu_backward(dout, cache)
    tx, ta = torch.tensor(x, requires_grad=True), torch.tensor(alpha, requires_grad=True)
    tout = F.prelu(tx, ta)
    tout.backward(torch.tensor(dout))
    assert dalpha.shape == alpha_shape
    assert rel_error(out, tout.detach().numpy()) < 1e-12
    assert rel_error(dx, tx.grad.numpy()) < 1e-12
    assert rel_error(dalpha, ta.grad.numpy()) < 1e-10


def test_prelu_numerical_gradients(rng):
    x, dout = _away_from_kinks(rng, (6, 3)), rng.standard_normal((6, 3))
    alpha = np.array([0.2, 0.3, 0.5])
    dx, dalpha = act.prelu_backward(dout, act.prelu_forward(x, alpha)[1])
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: act.prelu_forward(v, alpha)[0], x, dout)) < 1e-9
    assert rel_error(dalpha, eval_numerical_gradient_array(lambda a: act.prelu_forward(x, a)[0], alpha, dout)) < 1e-9


def test_maxout_matches_torch_and_numerical(rng):
    N, M, k = 4, 5, 3
    x, dout = rng.standard_normal((N, M * k)), rng.standard_normal((N, M))
    out, cache = act.maxout_forward(x, k)
    dx = act.maxout_backward(dout, cache)
    tx = torch.tensor(x, requires_grad=True)
    tout = tx.view(N, M, k).max(dim=2).values
    tout.backward(torch.tensor(dout))
    np.testing.assert_array_equal(out, tout.detach().numpy())
    np.testing.assert_array_equal(dx, tx.grad.numpy())
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: act.maxout_forward(v, k)[0], x, dout)) < 1e-9


def test_maxout_with_a_zero_piece_is_relu(rng):
    z = rng.standard_normal((6, 4))
    pieces = np.stack([z, np.zeros_like(z)], axis=2).reshape(6, 8)
    np.testing.assert_array_equal(act.maxout_forward(pieces, 2)[0], np.maximum(0, z))


def test_sigmoid_claims_saturation_and_max_gradient():
    s, cache = act.sigmoid_forward(np.array([-10.0, 0.0, 10.0]))
    grad = act.sigmoid_backward(np.ones(3), cache)
    assert grad[1] == 0.25
    assert np.all(grad[[0, 2]] < 1e-4)
    assert np.all(s > 0)  # not zero-centred


def test_no_overflow_for_large_inputs():
    x = np.array([-1000.0, 1000.0])
    with np.errstate(over="raise", invalid="raise"):  # underflow to 0 is fine
        np.testing.assert_allclose(act.sigmoid_forward(x)[0], [0.0, 1.0])
        np.testing.assert_allclose(act.elu_forward(x)[0], [-1.0, 1000.0])


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)),
              elements=st.floats(-30, 30, allow_nan=False)))
def test_elementwise_activations_keep_shape_and_match_torch(x):
    for name, (forward, backward) in act.ACTIVATIONS.items():
        out, cache = forward(x)
        assert out.shape == x.shape and backward(np.ones_like(x), cache).shape == x.shape, name
    np.testing.assert_allclose(act.gelu_forward(x)[0], F.gelu(torch.tensor(x)).numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(act.selu_forward(x)[0], F.selu(torch.tensor(x)).numpy(), rtol=1e-12)


def test_float32_stays_float32(rng):
    x = rng.standard_normal((3, 3)).astype(np.float32)
    for name, (forward, _) in act.ACTIVATIONS.items():
        assert forward(x)[0].dtype == np.float32, name


def test_bad_inputs_raise(rng):
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0, got -1"):
        act.leaky_relu_forward(np.ones(3), -1)
    with pytest.raises(ValueError, match=r"alpha must have shape \(1,\) or \(C,\) = \(4,\)"):
        act.prelu_forward(np.ones((2, 4)), np.ones(3))
    with pytest.raises(ValueError, match="k=3 dividing its width"):
        act.maxout_forward(np.ones((2, 4)), 3)
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        act.gelu_forward(np.ones(2), "fast")
    with pytest.raises(ValueError, match=r"dout has shape \(2,\), expected x's shape \(3,\)"):
        act.tanh_backward(np.ones(2), act.tanh_forward(np.ones(3))[1])
