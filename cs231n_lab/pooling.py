"""Tier B - max pooling, naive and fast (Lecture 5).

Pooling makes the representation smaller and more manageable; it acts on every activation
map (channel) independently and has *no parameters*. Max pooling keeps the largest value
of each pool_height x pool_width window, stepping by ``stride``:

    out[n, c, i, j] = max_{k < HP, l < WP} x[n, c, i*S + k, j*S + l]
    H' = (H - HP) / S + 1,   W' = (W - WP) / S + 1     (the windows must fit exactly)

x: (N, C, H, W); pool_param: {'pool_height': HP, 'pool_width': WP, 'stride': S}.

Backward: max routes the gradient. Each window passes dout[n, c, i, j] to the one input
that was its maximum and zero to the others. On ties the *first* maximum (row-major
order inside the window) gets it, as in ``torch.nn.functional.max_pool2d``.
"""

import numpy as np

from cs231n_lab.conv import check_int_params, output_size_along

__all__ = ["max_pool_forward_naive", "max_pool_backward_naive",
           "max_pool_forward_fast", "max_pool_backward_fast"]

_POOL_KEYS = {"pool_height": 1, "pool_width": 1, "stride": 1}


def _check_pool(x, pool_param, where):
    """Validate inputs; return x, HP, WP, S, H', W'."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{where}: x must be 4-D (N, C, H, W), got shape {x.shape}")
    p = check_int_params(where + " pool_param", pool_param, _POOL_KEYS)
    HP, WP, S = p["pool_height"], p["pool_width"], p["stride"]
    H_out = output_size_along(where, "H", x.shape[2], HP, S, 0)
    W_out = output_size_along(where, "W", x.shape[3], WP, S, 0)
    return x, HP, WP, S, H_out, W_out


def _check_dout(dout, expected, where):
    dout = np.asarray(dout)
    if dout.shape != expected:
        raise ValueError(f"{where}: dout has shape {dout.shape}, expected (N, C, H', W') = {expected}")
    return dout


def max_pool_forward_naive(x, pool_param):
    """Naive max pooling. Returns out (N, C, H', W') and cache (x, pool_param)."""
    x, HP, WP, S, H_out, W_out = _check_pool(x, pool_param, "max_pool_forward_naive")
    N, C = x.shape[:2]
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    out[n, c, i, j] = np.max(x[n, c, i * S:i * S + HP, j * S:j * S + WP])
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    """Naive max-pool backward: dout (N, C, H', W') -> dx (N, C, H, W)."""
    x, pool_param = cache
    x, HP, WP, S, H_out, W_out = _check_pool(x, pool_param, "max_pool_backward_naive")
    N, C = x.shape[:2]
    dout = _check_dout(dout, (N, C, H_out, W_out), "max_pool_backward_naive")
    dx = np.zeros_like(x, dtype=np.result_type(x, dout))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * S:i * S + HP, j * S:j * S + WP]
                    k, l = np.unravel_index(np.argmax(window), window.shape)  # first maximum
                    dx[n, c, i * S + k, j * S + l] += dout[n, c, i, j]
    return dx


def max_pool_forward_fast(x, pool_param):
    """Fast max pooling: loop over the HP*WP offsets inside a window, not over windows.

    For a fixed offset (k, l), the entries x[:, :, k + S*i, l + S*j] of all windows form
    one strided slice; the running elementwise maximum over the HP*WP slices is the
    output, and the offset where each window's maximum was first seen is kept for the
    backward pass. Returns out (N, C, H', W') and a cache for max_pool_backward_fast.
    """
    x, HP, WP, S, H_out, W_out = _check_pool(x, pool_param, "max_pool_forward_fast")
    out = x[:, :, 0:S * H_out:S, 0:S * W_out:S].copy()         # offset (0, 0) of every window
    argmax = np.zeros(out.shape, dtype=np.intp)                # offset k*WP + l of each window's max
    for k in range(HP):
        for l in range(WP):
            candidate = x[:, :, k:k + S * H_out:S, l:l + S * W_out:S]
            larger = candidate > out                           # strict: ties keep the first maximum
            np.maximum(out, candidate, out=out)
            np.copyto(argmax, k * WP + l, where=larger)
    return out, (x.shape, x.dtype, pool_param, argmax)


def max_pool_backward_fast(dout, cache):
    """Fast max-pool backward: dout (N, C, H', W') -> dx (N, C, H, W).

    Loops over the HP*WP offsets (k, l) inside a window: for a fixed offset the windows
    touch distinct pixels x[:, :, k + S*i, l + S*j], so each strided slice of dx gets
    the gradients of the windows whose maximum sat at that offset with a plain ``+=``.
    """
    x_shape, x_dtype, pool_param, argmax = cache
    HP, WP, S = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H_out, W_out = argmax.shape
    dout = _check_dout(dout, (N, C, H_out, W_out), "max_pool_backward_fast")
    dx = np.zeros(x_shape, dtype=np.result_type(x_dtype, dout))
    for k in range(HP):
        for l in range(WP):
            routed = np.where(argmax == k * WP + l, dout, 0)
            dx[:, :, k:k + S * H_out:S, l:l + S * W_out:S] += routed
    return dx
