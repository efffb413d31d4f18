"""Layer norm and group norm: numerical gradients, torch autograd agreement, errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cs231n_lab.gradcheck import eval_numerical_gradient_array, rel_error
from cs231n_lab.layernorm import (layernorm_backward, layernorm_forward, spatial_groupnorm_backward,
                                  spatial_groupnorm_forward)


def test_layernorm_normalises_each_example(rng):
    x = rng.standard_normal((5, 40)) * np.arange(1, 6)[:, None] + 3
    out, _ = layernorm_forward(x, np.ones(40), np.zeros(40), {})
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=1), 1, rtol=1e-4)


def test_layernorm_numerical_gradient(rng):
    N, D = 4, 6
    x, dout = 2 * rng.standard_normal((N, D)), rng.standard_normal((N, D))
    gamma, beta = rng.standard_normal(D) + 1, rng.standard_normal(D)

    def fwd(x_, g_, b_):
        return layernorm_forward(x_, g_, b_, {"mode": "train"})[0]

    _, cache = layernorm_forward(x, gamma, beta, {})
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: fwd(v, gamma, beta), x, dout)) < 1e-7
    assert rel_error(dgamma, eval_numerical_gradient_array(lambda v: fwd(x, v, beta), gamma, dout)) < 1e-7
    assert rel_error(dbeta, eval_numerical_gradient_array(lambda v: fwd(x, gamma, v), beta, dout)) < 1e-7


def test_layernorm_matches_torch(rng):
    N, D = 8, 10
    x, dout = rng.standard_normal((N, D)), rng.standard_normal((N, D))
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    out, cache = layernorm_forward(x, gamma, beta, {"eps": 1e-5})
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    tx, tg, tb = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    tout = F.layer_norm(tx, (D,), tg, tb, eps=1e-5)
    tout.backward(torch.tensor(dout))
    assert rel_error(out, tout.detach().numpy()) < 1e-9
    assert rel_error(dx, tx.grad.numpy()) < 1e-8
    assert rel_error(dgamma, tg.grad.numpy()) < 1e-9
    assert rel_error(dbeta, tb.grad.numpy()) < 1e-9


@pytest.mark.parametrize("G, param_shape", [(1, (6,)), (2, (1, 6, 1, 1)), (3, (6,)), (6, (6,))])
def test_groupnorm_matches_torch(rng, G, param_shape):
    N, C, H, W = 2, 6, 4, 5
    x, dout = 3 * rng.standard_normal((N, C, H, W)) + 1, rng.standard_normal((N, C, H, W))
    gamma, beta = rng.standard_normal(param_shape), rng.standard_normal(param_shape)
    out, cache = spatial_groupnorm_forward(x, gamma, beta, G, {})
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
    assert dgamma.shape == param_shape and dbeta.shape == param_shape
    tx = torch.tensor(x, requires_grad=True)
    tg, tb = (torch.tensor(a.reshape(C), requires_grad=True) for a in (gamma, beta))
    tout = F.group_norm(tx, G, tg, tb, eps=1e-5)
    tout.backward(torch.tensor(dout))
    assert rel_error(out, tout.detach().numpy()) < 1e-9
    assert rel_error(dx, tx.grad.numpy()) < 1e-8
    assert rel_error(dgamma.reshape(C), tg.grad.numpy()) < 1e-9
    assert rel_error(dbeta.reshape(C), tb.grad.numpy()) < 1e-9


def test_groupnorm_numerical_gradient(rng):
    N, C, H, W, G = 2, 4, 3, 3, 2
    x, dout = rng.standard_normal((N, C, H, W)), rng.standard_normal((N, C, H, W))
    gamma, beta = rng.standard_normal(C) + 1, rng.standard_normal(C)

    def fwd(x_, g_, b_):
        return spatial_groupnorm_forward(x_, g_, b_, G, {})[0]

    _, cache = spatial_groupnorm_forward(x, gamma, beta, G, {})
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: fwd(v, gamma, beta), x, dout)) < 1e-7
    assert rel_error(dgamma, eval_numerical_gradient_array(lambda v: fwd(x, v, beta), gamma, dout)) < 1e-7
    assert rel_error(dbeta, eval_numerical_gradient_array(lambda v: fwd(x, gamma, v), beta, dout)) < 1e-7


def test_bad_inputs_raise(rng):
    x = rng.standard_normal((3, 4))
    with pytest.raises(ValueError, match=r"gamma must have shape \(4,\)"):
        layernorm_forward(x, np.ones(3), np.zeros(4), {})
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['momentum'\]"):
        layernorm_forward(x, np.ones(4), np.zeros(4), {"momentum": 0.9})
    with pytest.raises(TypeError, match="must be a dict"):
        layernorm_forward(x, np.ones(4), np.zeros(4), None)
    x4 = rng.standard_normal((2, 6, 2, 2))
    with pytest.raises(ValueError, match="G must be a positive integer dividing C=6, got 4"):
        spatial_groupnorm_forward(x4, np.ones(6), np.zeros(6), 4, {})
    with pytest.raises(ValueError, match=r"gamma and beta must both have shape \(6,\) or \(1, 6, 1, 1\)"):
        spatial_groupnorm_forward(x4, np.ones(3), np.zeros(3), 3, {})
