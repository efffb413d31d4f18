"""Lecture 7's claims about (inverted) dropout, checked on cs231n_lab.dropout."""

import numpy as np
import pytest
import torch

from cs231n_lab.dropout import dropout_backward, dropout_forward
from cs231n_lab.gradcheck import eval_numerical_gradient_array, rel_error


@pytest.mark.parametrize("p", [0.25, 0.5, 0.8])
def test_train_mode_preserves_the_mean(p, rng):
    x = rng.random((500, 500)) + 10
    out, _ = dropout_forward(x, {"p": p, "mode": "train", "seed": 1})
    assert abs(out.mean() / x.mean() - 1) < 0.01                # inverted: E[out] = x
    assert abs((out == 0).mean() - (1 - p)) < 0.01               # a fraction 1 - p is dropped
    np.testing.assert_allclose(out[out != 0], x[out != 0] / p)   # the kept units are scaled by 1/p


def test_test_mode_is_identity(rng):
    x = rng.normal(size=(20, 30))
    out, cache = dropout_forward(x, {"p": 0.3, "mode": "test"})
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(dropout_backward(np.ones_like(x), cache), np.ones_like(x))


def test_backward_uses_the_forward_mask(rng):
    x = rng.normal(size=(6, 7))
    dout = rng.normal(size=(6, 7))
    out, cache = dropout_forward(x, {"p": 0.6, "mode": "train", "seed": 4})
    dx = dropout_backward(dout, cache)
    np.testing.assert_array_equal(dx == 0, out == 0)             # zeros in the same places
    np.testing.assert_allclose(dx, dout * (out / np.where(x == 0, 1, x)))
    num = eval_numerical_gradient_array(lambda v: dropout_forward(v, {"p": 0.6, "mode": "train", "seed": 4})[0],
                                        x.copy(), dout)
    assert rel_error(dx, num) < 1e-9
    xt = torch.tensor(x, requires_grad=True)
    (xt * torch.tensor(cache[1])).mul(torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(dx, xt.grad.numpy())


def test_keep_probability_one_is_identity(rng):
    x = rng.normal(size=(10, 10))
    out, cache = dropout_forward(x, {"p": 1.0, "mode": "train", "seed": 0})
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(dropout_backward(x, cache), x)


@pytest.mark.parametrize("p", [0.0, -0.5, 1.01, 2])
def test_bad_keep_probability_raises(p, rng):
    with pytest.raises(ValueError, match=r"p is the probability of keeping a unit and must be in \(0, 1\]"):
        dropout_forward(rng.normal(size=(3, 3)), {"p": p, "mode": "train"})


def test_averaging_masks_gives_the_test_time_output(rng):
    # The "ensemble of masks" view: the mean over many masks of a linear readout equals the
    # test-time (no dropout) readout - exact for a linear layer, which is why scaling works.
    x = rng.normal(size=(4, 50))
    w = rng.normal(size=(50, 3))
    outs = [dropout_forward(x, {"p": 0.5, "mode": "train", "seed": s})[0] @ w for s in range(3000)]
    test = dropout_forward(x, {"p": 0.5, "mode": "test"})[0] @ w
    assert np.abs(np.mean(outs, axis=0) - test).max() < 0.1 * np.abs(test).max() + 0.2
