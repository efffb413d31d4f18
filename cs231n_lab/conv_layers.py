"""Tier B - "sandwich" layers built from conv, ReLU and max pooling (Lecture 5).

The building blocks of a ConvNet, as in CS231n's ``layer_utils``: each forward returns
(out, cache) and each backward takes (dout, cache) and returns the gradients of the
forward's inputs in order. They use the fast conv and pool (same numbers as the naive
ones, see tests/test_conv_fast.py).

    conv_relu:       x -> conv -> ReLU
    conv_relu_pool:  x -> conv -> ReLU -> max pool
    conv_bn_relu:    x -> conv -> spatial batch norm -> ReLU            (Lecture 6)
    conv_bn_relu_pool: x -> conv -> spatial batch norm -> ReLU -> max pool
"""

from cs231n_lab.activations import relu_backward, relu_forward
from cs231n_lab.batchnorm import spatial_batchnorm_backward, spatial_batchnorm_forward
from cs231n_lab.conv_fast import conv_backward_fast, conv_forward_fast
from cs231n_lab.pooling import max_pool_backward_fast, max_pool_forward_fast

__all__ = ["conv_relu_forward", "conv_relu_backward", "conv_relu_pool_forward", "conv_relu_pool_backward",
           "conv_bn_relu_forward", "conv_bn_relu_backward",
           "conv_bn_relu_pool_forward", "conv_bn_relu_pool_backward"]


def conv_relu_forward(x, w, b, conv_param):
    """conv then ReLU. x: (N, C, H, W), w: (F, C, HH, WW), b: (F,). Returns out (N, F, H', W'), cache."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    out, relu_cache = relu_forward(a)
    return out, (conv_cache, relu_cache)


def conv_relu_backward(dout, cache):
    """Backward of conv_relu_forward: returns dx, dw, db."""
    conv_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return conv_backward_fast(da, conv_cache)


def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
    """conv, ReLU, then max pool. Returns out (N, F, H'', W'') and cache."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    s, relu_cache = relu_forward(a)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, (conv_cache, relu_cache, pool_cache)


def conv_relu_pool_backward(dout, cache):
    """Backward of conv_relu_pool_forward: returns dx, dw, db."""
    conv_cache, relu_cache, pool_cache = cache
    ds = max_pool_backward_fast(dout, pool_cache)
    da = relu_backward(ds, relu_cache)
    return conv_backward_fast(da, conv_cache)


def conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param):
    """conv, spatial batch norm (gamma, beta: (F,)), ReLU. Returns out (N, F, H', W') and cache."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    an, bn_cache = spatial_batchnorm_forward(a, gamma, beta, bn_param)
    out, relu_cache = relu_forward(an)
    return out, (conv_cache, bn_cache, relu_cache)


def conv_bn_relu_backward(dout, cache):
    """Backward of conv_bn_relu_forward: returns dx, dw, db, dgamma, dbeta."""
    conv_cache, bn_cache, relu_cache = cache
    dan = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = spatial_batchnorm_backward(dan, bn_cache)
    dx, dw, db = conv_backward_fast(da, conv_cache)
    return dx, dw, db, dgamma, dbeta


def conv_bn_relu_pool_forward(x, w, b, gamma, beta, conv_param, bn_param, pool_param):
    """conv, spatial batch norm, ReLU, max pool. Returns out (N, F, H'', W'') and cache."""
    s, cache = conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, (cache, pool_cache)


def conv_bn_relu_pool_backward(dout, cache):
    """Backward of conv_bn_relu_pool_forward: returns dx, dw, db, dgamma, dbeta."""
    cache, pool_cache = cache
    ds = max_pool_backward_fast(dout, pool_cache)
    return conv_bn_relu_backward(ds, cache)
