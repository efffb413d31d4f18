"""Sandwich layers (conv-relu, conv-relu-pool, with and without spatial batch norm): numerical + torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as tF

from cs231n_lab.conv_layers import (conv_bn_relu_backward, conv_bn_relu_forward, conv_bn_relu_pool_backward,
                                    conv_bn_relu_pool_forward, conv_relu_backward, conv_relu_forward,
                                    conv_relu_pool_backward, conv_relu_pool_forward)
from cs231n_lab.gradcheck import eval_numerical_gradient_array

CP = {"stride": 1, "pad": 1}
PP = {"pool_height": 2, "pool_width": 2, "stride": 2}


def _inputs(rng):
    x = rng.standard_normal((2, 3, 6, 6))
    w = rng.standard_normal((4, 3, 3, 3))
    b, gamma, beta = rng.standard_normal(4), rng.standard_normal(4) + 1, rng.standard_normal(4)
    return x, w, b, gamma, beta


def _torch(x, w, b, gamma=None, beta=None, pool=False):
    a = tF.conv2d(x, w, b, stride=1, padding=1)
    if gamma is not None:
        a = tF.batch_norm(a, None, None, gamma, beta, training=True, eps=1e-5)
    a = tF.relu(a)
    return tF.max_pool2d(a, 2, stride=2) if pool else a


# name -> (forward taking the float64 arrays in order, backward, number of inputs, torch options)
LAYERS = {
    "conv_relu": (lambda x, w, b: conv_relu_forward(x, w, b, CP), conv_relu_backward, 3, {}),
    "conv_relu_pool": (lambda x, w, b: conv_relu_pool_forward(x, w, b, CP, PP), conv_relu_pool_backward, 3,
                       {"pool": True}),
    "conv_bn_relu": (lambda x, w, b, g, be: conv_bn_relu_forward(x, w, b, g, be, CP, {"mode": "train"}),
                     conv_bn_relu_backward, 5, {}),
    "conv_bn_relu_pool": (lambda x, w, b, g, be: conv_bn_relu_pool_forward(x, w, b, g, be, CP,
                                                                           {"mode": "train"}, PP),
                          conv_bn_relu_pool_backward, 5, {"pool": True}),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_sandwich_matches_numerical_gradient_and_torch(rng, name):
    fwd, bwd, n_in, opts = LAYERS[name]
    args = list(_inputs(rng)[:n_in])
    out, cache = fwd(*args)
    dout = rng.standard_normal(out.shape)
    grads = bwd(dout, cache)
    assert len(grads) == n_in

    for i, (arg, grad) in enumerate(zip(args, grads)):
        def f(v, i=i):
            return fwd(*[v if j == i else a for j, a in enumerate(args)])[0]
        num = eval_numerical_gradient_array(f, arg, dout)
        # atol: with batch norm after the conv, db is exactly 0 in theory (the mean removes b).
        np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-8, err_msg=f"gradient {i} of {name}")

    targs = [torch.tensor(a, requires_grad=True) for a in args]
    tout = _torch(*targs, **opts)
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-9, atol=1e-10)
    tout.backward(torch.tensor(dout))
    for grad, t in zip(grads, targs):
        np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-7, atol=1e-9)
