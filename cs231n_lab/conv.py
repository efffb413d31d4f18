"""Tier B - the convolution layer, written with explicit loops (Lecture 5).

Input x: (N, C, H, W) - N images of C channels. Filters w: (F, C, HH, WW) - each of the F
filters spans the *full depth* C of the input. Biases b: (F,) - one per filter.
conv_param: {'stride': S, 'pad': P}; the input is zero-padded by P on each side of H and W.

Each filter slides over the padded input; at output position (i, j) it takes a dot
product with the C x HH x WW window under it and adds its bias:

    out[n, f, i, j] = sum_{c, k, l} xpad[n, c, i*S + k, j*S + l] * w[f, c, k, l] + b[f]

which gives one activation map per filter, out: (N, F, H', W') with

    H' = (H - HH + 2P) / S + 1,   W' = (W - WW + 2P) / S + 1.

Backward: every window that produced out[n, f, i, j] receives dout[n, f, i, j] * w[f]
(dx), every filter receives dout[n, f, i, j] * window (dw), every bias the sum of its
map's gradient (db). These loops are the definition; ``conv_fast`` computes the same
numbers with matrix products.
"""

import numbers

import numpy as np

from cs231n_lab.conv_arithmetic import conv_output_size

__all__ = ["conv_forward_naive", "conv_backward_naive", "check_conv_inputs", "check_int_params",
           "output_size_along"]


def check_int_params(where, param, keys):
    """Check a settings dict such as conv_param: a dict with exactly ``keys``, integer values.

    keys: {name: minimum}. Unknown or missing keys raise ValueError naming them; a value that
    is not an integer raises TypeError, one below its minimum ValueError. Returns a new dict.
    """
    if not isinstance(param, dict):
        raise TypeError(f"{where}: the param dict must be a dict with keys {sorted(keys)}, "
                        f"got {type(param).__name__}")
    unknown = sorted(set(param) - set(keys))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {unknown}; expected {sorted(keys)}")
    missing = sorted(set(keys) - set(param))
    if missing:
        raise ValueError(f"{where}: missing key(s) {missing}; expected {sorted(keys)}")
    out = {}
    for key, minimum in keys.items():
        v = param[key]
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{where}: {key} must be an integer, got {v!r} of type {type(v).__name__}")
        if v < minimum:
            raise ValueError(f"{where}: {key} must be >= {minimum}, got {v}")
        out[key] = int(v)
    return out


def output_size_along(where, axis, size, k, stride, pad):
    """``conv_output_size(size, k, stride, pad)`` whose error message names the layer and the axis."""
    try:
        return conv_output_size(size, k, stride, pad)
    except ValueError as e:
        raise ValueError(f"{where}: along {axis}: " + str(e).split(": ", 1)[1]) from None


def check_conv_inputs(x, w, b, conv_param, where):
    """Validate conv inputs; return (x, w, b, stride, pad, H_out, W_out) as arrays and ints.

    Raises ValueError naming the argument for: x or w not 4-D, channel mismatch between x
    and w, b not (F,), unknown/missing/negative conv_param entries, a filter larger than
    the padded input, a stride that does not fit.
    """
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    if x.ndim != 4:
        raise ValueError(f"{where}: x must be 4-D (N, C, H, W), got shape {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"{where}: w must be 4-D (F, C, HH, WW), got shape {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"{where}: channel mismatch: x has C={x.shape[1]} channels (shape {x.shape}) "
                         f"but w has {w.shape[1]} (shape {w.shape}); filters must span the full input depth")
    if b.shape != (w.shape[0],):
        raise ValueError(f"{where}: b must have shape (F,) = ({w.shape[0]},), got {b.shape}")
    p = check_int_params(where + " conv_param", conv_param, {"stride": 1, "pad": 0})
    S, P = p["stride"], p["pad"]
    H_out = output_size_along(where, "H", x.shape[2], w.shape[2], S, P)
    W_out = output_size_along(where, "W", x.shape[3], w.shape[3], S, P)
    return x, w, b, S, P, H_out, W_out


def _pad(x, P):
    """Zero-pad the two spatial axes of (N, C, H, W) by P on each side."""
    return np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)), mode="constant")


def conv_forward_naive(x, w, b, conv_param):
    """Naive forward pass of a conv layer (loops over images, filters and output positions).

    x: (N, C, H, W), w: (F, C, HH, WW), b: (F,), conv_param: {'stride': S, 'pad': P}.
    Returns out (N, F, H', W') and cache (x, w, b, conv_param).
    """
    x, w, b, S, P, H_out, W_out = check_conv_inputs(x, w, b, conv_param, "conv_forward_naive")
    N, F = x.shape[0], w.shape[0]
    HH, WW = w.shape[2], w.shape[3]
    xpad = _pad(x, P)
    out = np.zeros((N, F, H_out, W_out), dtype=np.result_type(x, w, b))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    window = xpad[n, :, i * S:i * S + HH, j * S:j * S + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    """Naive backward pass of a conv layer.

    dout: (N, F, H', W') upstream gradient; cache from conv_forward_naive.
    Returns dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    """
    x, w, b, conv_param = cache
    S, P = conv_param["stride"], conv_param["pad"]
    N, F = x.shape[0], w.shape[0]
    HH, WW = w.shape[2], w.shape[3]
    H_out = (x.shape[2] + 2 * P - HH) // S + 1
    W_out = (x.shape[3] + 2 * P - WW) // S + 1
    dout = np.asarray(dout)
    if dout.shape != (N, F, H_out, W_out):
        raise ValueError(f"conv_backward_naive: dout has shape {dout.shape}, expected "
                         f"(N, F, H', W') = {(N, F, H_out, W_out)}")
    xpad = _pad(x, P)
    dxpad = np.zeros_like(xpad, dtype=np.result_type(xpad, dout))
    dw = np.zeros_like(w, dtype=np.result_type(w, dout))
    db = np.zeros_like(b, dtype=np.result_type(b, dout))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    g = dout[n, f, i, j]
                    window = (slice(None), slice(i * S, i * S + HH), slice(j * S, j * S + WW))
                    dxpad[n][window] += g * w[f]      # d out / d window = w[f]
                    dw[f] += g * xpad[n][window]      # d out / d w[f]   = window
                    db[f] += g                        # d out / d b[f]   = 1
    dx = dxpad[:, :, P:P + x.shape[2], P:P + x.shape[3]]
    return dx, dw, db
