"""Tier B - fast convolution with im2col and one matrix product (Lecture 5), NumPy only.

The naive loops in ``conv`` take one dot product per (image, filter, position). All of
them at once are a single matrix product once every receptive-field window is laid out
as a column ("im2col"):

    cols: (C*HH*WW, N*H'*W')   column (n, i, j) = xpad[n, :, i*S:i*S+HH, j*S:j*S+WW].ravel()
    w_row: (F, C*HH*WW)        filter f flattened
    out = w_row @ cols + b     -> (F, N*H'*W') -> (N, F, H', W')

The windows come from ``np.lib.stride_tricks.sliding_window_view``, a view that copies
nothing; making ``cols`` contiguous is the one copy. Backward is the same product turned round:

    dw = dout_row @ cols.T           (F, C*HH*WW)        dout_row: (F, N*H'*W')
    dcols = w_row.T @ dout_row       (C*HH*WW, N*H'*W')
    dx  = "col2im"(dcols)            every window adds its gradient back where it came from

col2im loops over the HH*WW kernel offsets (k, l) only: for a fixed offset, the windows
of all output positions touch the distinct pixels xpad[:, :, k + S*i, l + S*j], so one
strided slice per offset receives its gradients with a plain ``+=`` (no ``np.add.at``).

Memory layout: the channel axis is moved first, (C, N, H, W), so that the rows of
``cols`` and the slices col2im adds are contiguous blocks - about 1.5x faster than
keeping N first. Same signatures, shapes and results as ``conv_forward_naive`` /
``conv_backward_naive``.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cs231n_lab.conv import check_conv_inputs

__all__ = ["conv_forward_fast", "conv_backward_fast", "im2col", "col2im"]


def im2col(x, HH, WW, stride, pad):
    """Lay out every HH x WW window of zero-padded x as a column.

    x: (N, C, H, W). Returns cols (C, HH, WW, N, H', W') - reshape to (C*HH*WW, N*H'*W')
    for the matrix product. The caller checks that the stride fits.
    """
    N, C, H, W = x.shape
    xpad = np.zeros((C, N, H + 2 * pad, W + 2 * pad), dtype=x.dtype)  # channels first, zero border
    xpad[:, :, pad:pad + H, pad:pad + W] = x.transpose(1, 0, 2, 3)
    windows = sliding_window_view(xpad, (HH, WW), axis=(2, 3))  # (C, N, Hp-HH+1, Wp-WW+1, HH, WW), a view
    windows = windows[:, :, ::stride, ::stride]                  # keep every S-th window
    return np.ascontiguousarray(windows.transpose(0, 4, 5, 1, 2, 3))  # the one copy


def col2im(dcols, x_shape, stride, pad):
    """Sum window gradients back into the input: the adjoint of ``im2col``.

    dcols: (C, HH, WW, N, H', W'). x_shape: (N, C, H, W). Returns dx (N, C, H, W).
    """
    C, HH, WW, N, H_out, W_out = dcols.shape
    H, W = x_shape[2], x_shape[3]
    dxpad = np.zeros((C, N, H + 2 * pad, W + 2 * pad), dtype=dcols.dtype)
    for k in range(HH):
        for l in range(WW):
            # Offset (k, l) of the window at (i, j) is pixel (k + S*i, l + S*j): distinct for all i, j.
            dxpad[:, :, k:k + stride * H_out:stride, l:l + stride * W_out:stride] += dcols[:, k, l]
    return np.ascontiguousarray(dxpad[:, :, pad:pad + H, pad:pad + W].transpose(1, 0, 2, 3))


def conv_forward_fast(x, w, b, conv_param):
    """Fast forward pass of a conv layer: im2col + one matrix product.

    x: (N, C, H, W), w: (F, C, HH, WW), b: (F,), conv_param: {'stride': S, 'pad': P}.
    Returns out (N, F, H', W') and a cache for conv_backward_fast.
    """
    x, w, b, S, P, H_out, W_out = check_conv_inputs(x, w, b, conv_param, "conv_forward_fast")
    N, F = x.shape[0], w.shape[0]
    # One dtype for both factors: a float32 @ float64 product skips BLAS and is ~100x slower.
    dtype = np.result_type(x, w, b)
    cols = im2col(x.astype(dtype, copy=False), w.shape[2], w.shape[3], S, P)  # (C, HH, WW, N, H', W')
    out = w.astype(dtype, copy=False).reshape(F, -1) @ cols.reshape(-1, N * H_out * W_out)  # (F, N*H'*W')
    out = out.reshape(F, N, H_out, W_out) + b.reshape(F, 1, 1, 1)
    out = np.ascontiguousarray(out.transpose(1, 0, 2, 3))               # (N, F, H', W')
    return out, (x.shape, w, b, conv_param, cols)


def conv_backward_fast(dout, cache):
    """Fast backward pass of a conv layer.

    dout: (N, F, H', W'); cache from conv_forward_fast.
    Returns dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    """
    x_shape, w, b, conv_param, cols = cache
    N, H_out, W_out = cols.shape[3:]
    F = w.shape[0]
    dout = np.asarray(dout)
    if dout.shape != (N, F, H_out, W_out):
        raise ValueError(f"conv_backward_fast: dout has shape {dout.shape}, expected "
                         f"(N, F, H', W') = {(N, F, H_out, W_out)}")
    dtype = np.result_type(dout, cols)                                 # one dtype: keeps BLAS in use
    dout_row = dout.transpose(1, 0, 2, 3).reshape(F, -1).astype(dtype, copy=False)  # (F, N*H'*W')
    db = dout.sum(axis=(0, 2, 3))
    dw = (dout_row @ cols.reshape(-1, dout_row.shape[1]).astype(dtype, copy=False).T).reshape(w.shape)
    dcols = (w.reshape(F, -1).astype(dtype, copy=False).T @ dout_row).reshape(cols.shape)  # (C, HH, WW, N, H', W')
    dx = col2im(dcols, x_shape, conv_param["stride"], conv_param["pad"])
    return dx, dw, db
