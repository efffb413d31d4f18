"""Tier B - the fully connected (affine) layer and its backward (Lecture 4).

    out = x.reshape(N, D) @ w + b          x: (N, d_1, ..., d_k), w: (D, M), b: (M,)

Vectorised backprop never builds the Jacobian (it would be (N*M) x (N*D) and almost
all zeros). For out = X W + b with upstream gradient dout (N, M):

    dX = dout @ W.T    (N, D)   -> reshaped back to x's shape
    dW = X.T @ dout    (D, M)
    db = sum_n dout    (M,)

Each gradient has the shape of the variable it belongs to - the quickest sanity check.
"""

import numpy as np

from cs231n_lab.activations import relu_backward, relu_forward

__all__ = ["affine_forward", "affine_backward", "affine_relu_forward", "affine_relu_backward"]


def affine_forward(x, w, b):
    """Forward pass of an affine layer.

    x: (N, d_1, ..., d_k) - each example is flattened to D = d_1 * ... * d_k.
    w: (D, M) weights.  b: (M,) biases.
    Returns out (N, M) and cache (x, w, b).
    """
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    if x.ndim < 1:
        raise ValueError(f"affine_forward: x must have a leading batch axis N, got a scalar")
    if w.ndim != 2:
        raise ValueError(f"affine_forward: w must be 2-D (D, M), got shape {w.shape}")
    D = int(np.prod(x.shape[1:], dtype=np.int64))
    if D != w.shape[0]:
        raise ValueError(f"affine_forward: x of shape {x.shape} flattens to D={D} per example, "
                         f"but w has shape {w.shape}, expected ({D}, M)")
    if b.shape != (w.shape[1],):
        raise ValueError(f"affine_forward: b must have shape ({w.shape[1]},) to match w {w.shape}, "
                         f"got {b.shape}")
    out = x.reshape(x.shape[0], D) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    """Backward pass of an affine layer.

    dout: (N, M) upstream gradient.  cache: from affine_forward.
    Returns dx (shape of x), dw (D, M), db (M,).
    """
    x, w, b = cache
    dout = np.asarray(dout)
    if dout.shape != (x.shape[0], w.shape[1]):
        raise ValueError(f"affine_backward: dout has shape {dout.shape}, expected (N, M) = "
                         f"{(x.shape[0], w.shape[1])}")
    x2d = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x2d.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def affine_relu_forward(x, w, b):
    """affine followed by ReLU; returns out and a cache for affine_relu_backward."""
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """Backward of affine_relu_forward: returns dx, dw, db."""
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return affine_backward(da, fc_cache)
