"""Tier B - fast convolution with im2col and one matrix product (Lecture 5), NumPy only.

The naive loops in ``conv`` take one dot product per (image, filter, position). All of
them at once are a single matrix product once every receptive-field window is laid out
as a row ("im2col"):

    cols: (N*H'*W', C*HH*WW)   row (n, i, j) = xpad[n, :, i*S:i*S+HH, j*S:j*S+WW].ravel()
    w_row: (F, C*HH*WW)        filter f flattened
    out = cols @ w_row.T + b   -> (N*H'*W', F) -> (N, F, H', W')

The windows come from ``np.lib.stride_tricks.sliding_window_view``, a view that copies
nothing; the reshape to ``cols`` is the one copy. Backward is the same product turned round:

    dw = dout_rows.T @ cols          (F, C*HH*WW)
    dcols = dout_rows @ w_row        (N*H'*W', C*HH*WW)
    dx  = "col2im"(dcols)            every window adds its gradient back where it came from

col2im loops over the HH*WW kernel offsets (k, l) only: for a fixed offset, the windows
of all output positions touch the distinct pixels xpad[:, :, k + S*i, l + S*j], so one
strided slice per offset receives its gradients with a plain ``+=`` (no ``np.add.at``).
Same signatures, shapes and results as ``conv_forward_naive`` / ``conv_backward_naive``.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cs231n_lab.conv import check_conv_inputs

__all__ = ["conv_forward_fast", "conv_backward_fast", "im2col", "col2im"]


def im2col(x, HH, WW, stride, pad):
    """Lay out every HH x WW window of zero-padded x as a row.

    x: (N, C, H, W). Returns cols (N, H', W', C, HH, WW) - reshape to (N*H'*W', C*HH*WW)
    for the matrix product. The caller checks that the stride fits.
    """
    xpad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant") if pad else x
    windows = sliding_window_view(xpad, (HH, WW), axis=(2, 3))  # (N, C, Hp-HH+1, Wp-WW+1, HH, WW), a view
    windows = windows[:, :, ::stride, ::stride]                  # keep every S-th window
    return np.ascontiguousarray(windows.transpose(0, 2, 3, 1, 4, 5))  # the one copy


def col2im(dcols, x_shape, stride, pad):
    """Sum window gradients back into the input: the adjoint of ``im2col``.

    dcols: (N, H', W', C, HH, WW). x_shape: (N, C, H, W). Returns dx (N, C, H, W).
    """
    N, H_out, W_out, C, HH, WW = dcols.shape
    H, W = x_shape[2], x_shape[3]
    dxpad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=dcols.dtype)
    dcols = dcols.transpose(0, 3, 1, 2, 4, 5)  # (N, C, H', W', HH, WW), a view
    for k in range(HH):
        for l in range(WW):
            # Offset (k, l) of the window at (i, j) is pixel (k + S*i, l + S*j): distinct for all i, j.
            dxpad[:, :, k:k + stride * H_out:stride, l:l + stride * W_out:stride] += dcols[..., k, l]
    return dxpad[:, :, pad:pad + H, pad:pad + W]


def conv_forward_fast(x, w, b, conv_param):
    """Fast forward pass of a conv layer: im2col + one matrix product.

    x: (N, C, H, W), w: (F, C, HH, WW), b: (F,), conv_param: {'stride': S, 'pad': P}.
    Returns out (N, F, H', W') and a cache for conv_backward_fast.
    """
    x, w, b, S, P, H_out, W_out = check_conv_inputs(x, w, b, conv_param, "conv_forward_fast")
    N, F = x.shape[0], w.shape[0]
    cols = im2col(x, w.shape[2], w.shape[3], S, P)         # (N, H', W', C, HH, WW)
    rows = cols.reshape(N * H_out * W_out, -1)              # (N*H'*W', C*HH*WW)
    out = rows @ w.reshape(F, -1).T + b                     # (N*H'*W', F)
    out = np.ascontiguousarray(out.reshape(N, H_out, W_out, F).transpose(0, 3, 1, 2))
    return out, (x.shape, w, b, conv_param, cols)


def conv_backward_fast(dout, cache):
    """Fast backward pass of a conv layer.

    dout: (N, F, H', W'); cache from conv_forward_fast.
    Returns dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    """
    x_shape, w, b, conv_param, cols = cache
    N, H_out, W_out = cols.shape[:3]
    F = w.shape[0]
    dout = np.asarray(dout)
    if dout.shape != (N, F, H_out, W_out):
        raise ValueError(f"conv_backward_fast: dout has shape {dout.shape}, expected "
                         f"(N, F, H', W') = {(N, F, H_out, W_out)}")
    dout_rows = dout.transpose(0, 2, 3, 1).reshape(-1, F)   # (N*H'*W', F)
    rows = cols.reshape(dout_rows.shape[0], -1)             # (N*H'*W', C*HH*WW)
    db = dout.sum(axis=(0, 2, 3))
    dw = (dout_rows.T @ rows).reshape(w.shape)
    dcols = (dout_rows @ w.reshape(F, -1)).reshape(cols.shape)
    dx = col2im(dcols, x_shape, conv_param["stride"], conv_param["pad"])
    return dx, dw, db
