"""Tier B - fast convolution with im2col and matrix products (Lecture 5), NumPy only.

The naive loops in ``conv`` take one dot product per (image, filter, position). For one
image n they are all a single matrix product once every receptive-field window is laid
out as a column ("im2col"):

    cols[n]: (C*HH*WW, H'*W')   column (i, j) = xpad[n, :, i*S:i*S+HH, j*S:j*S+WW].ravel()
    w_row:   (F, C*HH*WW)       filter f flattened
    out[n] = w_row @ cols[n] + b   -> (F, H'*W') = (F, H', W'), already in NCHW order

``np.matmul`` does this for all N images in one call (a stacked product). The windows come
from ``np.lib.stride_tricks.sliding_window_view``, a view that copies nothing; making
``cols`` contiguous is the one copy. Backward is the same product turned round:

    dw = sum_n dout[n] @ cols[n].T     (F, C*HH*WW)      dout[n]: (F, H'*W')
    dcols[n] = w_row.T @ dout[n]       (C*HH*WW, H'*W')
    dx = "col2im"(dcols)               every window adds its gradient back where it came from

col2im loops over the HH*WW kernel offsets (k, l) only: for a fixed offset, the windows
of all output positions touch the distinct pixels xpad[:, :, k + S*i, l + S*j], so one
strided slice per offset receives its gradients with a plain ``+=`` (no ``np.add.at``).

Why this layout (N first, window positions last): the product lands directly in the
(N, F, H', W') order the layer returns and dout arrives in, so neither pass needs a
transposed copy of a large array. Those copies, not the arithmetic, were most of the
time: measured with ``python -m cs231n_lab.bench conv``, about 2x faster fwd+bwd than a
single (C*HH*WW, N*H'*W') product with its transposes. Same signatures, shapes and
results as ``conv_forward_naive`` / ``conv_backward_naive``.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cs231n_lab.conv import check_conv_inputs

__all__ = ["conv_forward_fast", "conv_backward_fast", "im2col", "col2im"]


def im2col(x, HH, WW, stride, pad):
    """Lay out every HH x WW window of zero-padded x as a column, image by image.

    x: (N, C, H, W). Returns cols (N, C, HH, WW, H', W') - reshape to (N, C*HH*WW, H'*W')
    for the matrix product. The caller checks that the stride fits.
    """
    N, C, H, W = x.shape
    xpad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=x.dtype)  # zero border
    xpad[:, :, pad:pad + H, pad:pad + W] = x
    windows = sliding_window_view(xpad, (HH, WW), axis=(2, 3))  # (N, C, Hp-HH+1, Wp-WW+1, HH, WW), a view
    windows = windows[:, :, ::stride, ::stride]                  # keep every S-th window
    return np.ascontiguousarray(windows.transpose(0, 1, 4, 5, 2, 3))  # the one copy


def col2im(dcols, x_shape, stride, pad):
    """Sum window gradients back into the input: the adjoint of ``im2col``.

    dcols: (N, C, HH, WW, H', W'). x_shape: (N, C, H, W). Returns dx (N, C, H, W).
    """
    N, C, HH, WW, H_out, W_out = dcols.shape
    H, W = x_shape[2], x_shape[3]
    dxpad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=dcols.dtype)
    for k in range(HH):
        for l in range(WW):
            # Offset (k, l) of the window at (i, j) is pixel (k + S*i, l + S*j): distinct for all i, j.
            dxpad[:, :, k:k + stride * H_out:stride, l:l + stride * W_out:stride] += dcols[:, :, k, l]
    return np.ascontiguousarray(dxpad[:, :, pad:pad + H, pad:pad + W])


def conv_forward_fast(x, w, b, conv_param):
    """Fast forward pass of a conv layer: im2col + one stacked matrix product.

    x: (N, C, H, W), w: (F, C, HH, WW), b: (F,), conv_param: {'stride': S, 'pad': P}.
    Returns out (N, F, H', W') and a cache for conv_backward_fast.
    """
    x, w, b, S, P, H_out, W_out = check_conv_inputs(x, w, b, conv_param, "conv_forward_fast")
    N, F = x.shape[0], w.shape[0]
    # One dtype for both factors: a float32 @ float64 product skips BLAS and is ~100x slower.
    dtype = np.result_type(x, w, b)
    cols = im2col(x.astype(dtype, copy=False), w.shape[2], w.shape[3], S, P)  # (N, C, HH, WW, H', W')
    w_row = w.astype(dtype, copy=False).reshape(F, -1)                         # (F, C*HH*WW)
    out = np.matmul(w_row, cols.reshape(N, w_row.shape[1], H_out * W_out))     # (N, F, H'*W')
    out += b.astype(dtype, copy=False)[:, None]
    return out.reshape(N, F, H_out, W_out), (x.shape, w, b, conv_param, cols)


def conv_backward_fast(dout, cache):
    """Fast backward pass of a conv layer.

    dout: (N, F, H', W'); cache from conv_forward_fast.
    Returns dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    """
    x_shape, w, b, conv_param, cols = cache
    N, H_out, W_out = cols.shape[0], cols.shape[4], cols.shape[5]
    F = w.shape[0]
    dout = np.asarray(dout)
    if dout.shape != (N, F, H_out, W_out):
        raise ValueError(f"conv_backward_fast: dout has shape {dout.shape}, expected "
                         f"(N, F, H', W') = {(N, F, H_out, W_out)}")
    dtype = np.result_type(dout, cols)                                  # one dtype: keeps BLAS in use
    d = dout.astype(dtype, copy=False).reshape(N, F, H_out * W_out)     # (N, F, H'*W')
    c = cols.astype(dtype, copy=False).reshape(N, -1, H_out * W_out)    # (N, C*HH*WW, H'*W')
    db = dout.sum(axis=(0, 2, 3))
    dw = np.matmul(d, c.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)  # sum_n dout[n] @ cols[n].T
    dcols = np.matmul(w.astype(dtype, copy=False).reshape(F, -1).T, d)    # (N, C*HH*WW, H'*W')
    dx = col2im(dcols.reshape(cols.shape), x_shape, conv_param["stride"], conv_param["pad"])
    return dx, dw, db
