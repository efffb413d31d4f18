"""Tier B - activation functions, each with its forward and backward (Lectures 4 and 6).

Every function follows the CS231n layer API: ``*_forward(x) -> (out, cache)`` and
``*_backward(dout, cache) -> dx``.
"""

import numpy as np

__all__ = ["relu_forward", "relu_backward"]


def relu_forward(x):
    """ReLU: out = max(0, x), elementwise. Returns out and cache = x."""
    x = np.asarray(x)
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    """dx = dout where x > 0, else 0 (the gradient at exactly 0 is taken as 0)."""
    x = cache
    dout = np.asarray(dout)
    if dout.shape != x.shape:
        raise ValueError(f"relu_backward: dout has shape {dout.shape}, expected x's shape {x.shape}")
    return dout * (x > 0)
