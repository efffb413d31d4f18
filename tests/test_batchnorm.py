"""Batch normalisation: numerical gradients, torch autograd, running statistics vs torch, errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cs231n_lab.batchnorm import (batchnorm_backward, batchnorm_backward_alt, batchnorm_forward,
                                  spatial_batchnorm_backward, spatial_batchnorm_forward)
from cs231n_lab.gradcheck import eval_numerical_gradient_array, rel_error


def _params(rng, D):
    return rng.standard_normal(D) + 1.0, rng.standard_normal(D)


def test_train_forward_normalises_each_feature(rng):
    x = 5 + 3 * rng.standard_normal((200, 4))
    gamma, beta = np.array([1.0, 2.0, 3.0, 0.5]), np.array([0.0, -1.0, 4.0, 2.0])
    out, _ = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=0), gamma, rtol=1e-4)


@pytest.mark.parametrize("backward", [batchnorm_backward, batchnorm_backward_alt])
@pytest.mark.parametrize("mode", ["train", "test"])
def test_backward_matches_numerical_gradient(rng, backward, mode):
    N, D = 6, 5
    x = 2 * rng.standard_normal((N, D)) + 1
    gamma, beta = _params(rng, D)
    dout = rng.standard_normal((N, D))
    running = {"running_mean": rng.standard_normal(D), "running_var": rng.random(D) + 0.5}

    def fwd(x_, g_, b_):
        return batchnorm_forward(x_, g_, b_, {"mode": mode, **running})[0]

    _, cache = batchnorm_forward(x, gamma, beta, {"mode": mode, **running})
    dx, dgamma, dbeta = backward(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: fwd(v, gamma, beta), x, dout)) < 1e-7
    assert rel_error(dgamma, eval_numerical_gradient_array(lambda v: fwd(x, v, beta), gamma, dout)) < 1e-7
    assert rel_error(dbeta, eval_numerical_gradient_array(lambda v: fwd(x, gamma, v), beta, dout)) < 1e-7


def test_both_backwards_agree_with_torch_autograd(rng):
    N, D = 16, 7
    x, dout = rng.standard_normal((N, D)), rng.standard_normal((N, D))
    gamma, beta = _params(rng, D)
    out, cache = batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": 1e-5})
    tx, tg, tb = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    tout = F.batch_norm(tx, None, None, tg, tb, training=True, eps=1e-5)
    tout.backward(torch.tensor(dout))
    assert rel_error(out, tout.detach().numpy()) < 1e-9
    for backward in (batchnorm_backward, batchnorm_backward_alt):
        dx, dgamma, dbeta = backward(dout, cache)
        assert rel_error(dx, tx.grad.numpy()) < 1e-8
        assert rel_error(dgamma, tg.grad.numpy()) < 1e-9
        assert rel_error(dbeta, tb.grad.numpy()) < 1e-9


def test_running_stats_cs231n_convention_and_conversion_to_torch(rng):
    """CS231n: rm <- m*rm + (1-m)*mu, rv <- m*rv + (1-m)*var_biased, both from zero.
    torch:   rm <- (1-m')*rm + m'*mu, rv <- (1-m')*rv + m'*var_unbiased, rv from one.
    With m' = 1 - m the means agree; the variances agree after zeroing torch's initial
    running_var and scaling ours by N/(N-1)."""
    N, D, momentum = 8, 3, 0.9
    bn_param = {"mode": "train", "momentum": momentum}
    torch_bn = torch.nn.BatchNorm1d(D, momentum=1 - momentum, dtype=torch.float64)
    torch_zeroed = torch.nn.BatchNorm1d(D, momentum=1 - momentum, dtype=torch.float64)
    torch_zeroed.running_var.zero_()
    gamma, beta = np.ones(D), np.zeros(D)
    for step in range(5):
        x = 3 + 2 * rng.standard_normal((N, D))
        batchnorm_forward(x, gamma, beta, bn_param)
        torch_bn(torch.tensor(x))
        torch_zeroed(torch.tensor(x))
    np.testing.assert_allclose(bn_param["running_mean"], torch_bn.running_mean.numpy(), rtol=1e-12)
    # The pinned difference: with torch's defaults the running variances disagree ...
    assert not np.allclose(bn_param["running_var"], torch_bn.running_var.numpy(), rtol=1e-3)
    # ... and agree once torch starts from zero and the biased/unbiased factor is applied.
    np.testing.assert_allclose(bn_param["running_var"] * N / (N - 1), torch_zeroed.running_var.numpy(),
                               rtol=1e-12)


def test_running_stats_start_at_zero_and_are_written_back(rng):
    x = rng.standard_normal((10, 3)) + 4
    bn_param = {"mode": "train"}
    batchnorm_forward(x, np.ones(3), np.zeros(3), bn_param)
    np.testing.assert_allclose(bn_param["running_mean"], 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(bn_param["running_var"], 0.1 * x.var(axis=0))


def test_test_mode_uses_running_stats_and_converges_to_population(rng):
    D = 3
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, -1.0])
    bn_param = {"mode": "train"}
    for _ in range(200):
        batchnorm_forward(rng.normal(2.0, 3.0, size=(100, D)), gamma, beta, bn_param)
    bn_param["mode"] = "test"
    x_test = rng.normal(2.0, 3.0, size=(2000, D))
    out, _ = batchnorm_forward(x_test, gamma, beta, bn_param)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=0.15)
    np.testing.assert_allclose(out.std(axis=0), gamma, rtol=0.1)
    # One example's test output does not depend on the rest of its batch.
    single, _ = batchnorm_forward(x_test[:1], gamma, beta, bn_param)
    np.testing.assert_allclose(single, out[:1])
    # Test mode agrees with torch's eval-mode batch norm given the same statistics.
    tout = F.batch_norm(torch.tensor(x_test), torch.tensor(bn_param["running_mean"]),
                        torch.tensor(bn_param["running_var"]), torch.tensor(gamma), torch.tensor(beta),
                        training=False, eps=1e-5)
    assert rel_error(out, tout.numpy()) < 1e-10


def test_spatial_batchnorm_matches_torch_forward_backward_and_running_stats(rng):
    N, C, H, W, momentum = 3, 4, 5, 6, 0.9
    x, dout = 2 + 3 * rng.standard_normal((N, C, H, W)), rng.standard_normal((N, C, H, W))
    gamma, beta = _params(rng, C)
    bn_param = {"mode": "train", "momentum": momentum}
    torch_bn = torch.nn.BatchNorm2d(C, momentum=1 - momentum, dtype=torch.float64)
    torch_bn.running_var.zero_()
    with torch.no_grad():
        torch_bn.weight.copy_(torch.tensor(gamma))
        torch_bn.bias.copy_(torch.tensor(beta))
    out, cache = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    tx = torch.tensor(x, requires_grad=True)
    tout = torch_bn(tx)
    tout.backward(torch.tensor(dout))
    dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
    assert rel_error(out, tout.detach().numpy()) < 1e-9
    assert rel_error(dx, tx.grad.numpy()) < 1e-8
    assert rel_error(dgamma, torch_bn.weight.grad.numpy()) < 1e-9
    assert rel_error(dbeta, torch_bn.bias.grad.numpy()) < 1e-9
    M = N * H * W
    np.testing.assert_allclose(bn_param["running_mean"], torch_bn.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(bn_param["running_var"] * M / (M - 1), torch_bn.running_var.numpy(), rtol=1e-12)


def test_spatial_batchnorm_numerical_gradient(rng):
    N, C, H, W = 2, 3, 4, 3
    x, dout = rng.standard_normal((N, C, H, W)), rng.standard_normal((N, C, H, W))
    gamma, beta = _params(rng, C)

    def fwd(x_, g_, b_):
        return spatial_batchnorm_forward(x_, g_, b_, {"mode": "train"})[0]

    _, cache = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: fwd(v, gamma, beta), x, dout)) < 1e-7
    assert rel_error(dgamma, eval_numerical_gradient_array(lambda v: fwd(x, v, beta), gamma, dout)) < 1e-7
    assert rel_error(dbeta, eval_numerical_gradient_array(lambda v: fwd(x, gamma, v), beta, dout)) < 1e-7


def test_float32_stays_float32(rng):
    x = rng.standard_normal((8, 3)).astype(np.float32)
    bn_param = {"mode": "train"}
    out, _ = batchnorm_forward(x, np.ones(3, np.float32), np.zeros(3, np.float32), bn_param)
    assert out.dtype == np.float32 and bn_param["running_mean"].dtype == np.float32


@pytest.mark.parametrize("bn_param, match", [
    ({}, "needs a 'mode' key"),
    ({"mode": "eval"}, "mode must be 'train' or 'test', got 'eval'"),
    ({"mode": "train", "momentun": 0.9}, r"unknown key\(s\) \['momentun'\]"),
    ({"mode": "train", "eps": 0}, "eps must be a positive number"),
    ({"mode": "train", "momentum": 1.5}, "momentum must be in"),
    ({"mode": "train", "running_mean": np.zeros(5)}, r"running_mean'\] must have shape \(3,\)"),
])
def test_bad_bn_param_raises_clear_error(rng, bn_param, match):
    with pytest.raises(ValueError, match=match):
        batchnorm_forward(rng.standard_normal((4, 3)), np.ones(3), np.zeros(3), bn_param)


def test_bn_param_must_be_a_dict(rng):
    with pytest.raises(TypeError, match="must be a dict, got str"):
        batchnorm_forward(rng.standard_normal((4, 3)), np.ones(3), np.zeros(3), "train")


def test_wrong_gamma_and_x_shapes_raise(rng):
    x = rng.standard_normal((4, 3))
    with pytest.raises(ValueError, match=r"gamma must have shape \(3,\).*got \(4,\)"):
        batchnorm_forward(x, np.ones(4), np.zeros(3), {"mode": "train"})
    with pytest.raises(ValueError, match=r"beta must have shape \(3,\)"):
        batchnorm_forward(x, np.ones(3), np.zeros((1, 3)), {"mode": "train"})
    with pytest.raises(ValueError, match="x must be 2-D"):
        batchnorm_forward(x[None], np.ones(3), np.zeros(3), {"mode": "train"})
    with pytest.raises(ValueError, match="at least 2 examples"):
        batchnorm_forward(x[:1], np.ones(3), np.zeros(3), {"mode": "train"})
    with pytest.raises(ValueError, match=r"gamma must have shape \(2,\), one entry per channel"):
        spatial_batchnorm_forward(rng.standard_normal((2, 2, 3, 3)), np.ones(3), np.zeros(2), {"mode": "train"})
    with pytest.raises(ValueError, match="must be 4-D"):
        spatial_batchnorm_forward(x, np.ones(3), np.zeros(3), {"mode": "train"})
