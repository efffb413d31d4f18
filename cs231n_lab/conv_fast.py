"""Tier B - fast convolution with im2col and matrix products (Lecture 5), NumPy only.

The naive loops in ``conv`` take one dot product per (image, filter, position). For one
image n they are all a single matrix product once every receptive-field window is laid
out as a column ("im2col"):

    cols[n]: (C*HH*WW, H'*W')   column (i, j) = xpad[n, :, i*S:i*S+HH, j*S:j*S+WW].ravel()
    w_row:   (F, C*HH*WW)       filter f flattened
    out[n] = w_row @ cols[n] + b   -> (F, H'*W') = (F, H', W'), already in NCHW order

``np.matmul`` does this for all N images in one call (a stacked product). Backward is the
same product turned round:

    dw = sum_n dout[n] @ cols[n].T     (F, C*HH*WW)      dout[n]: (F, H'*W')
    dcols[n] = w_row.T @ dout[n]       (C*HH*WW, H'*W')
    dx = "col2im"(dcols)               every window adds its gradient back where it came from

Both im2col and col2im loop over the HH*WW kernel offsets (k, l) only. For a fixed offset,
the window at output (i, j) reads input pixel (k + S*i - P, l + S*j - P): one strided
slice of x per offset, so im2col is HH*WW slice copies and col2im is HH*WW slice ``+=``
(the pixels of one offset are distinct, so no ``np.add.at`` is needed). Window positions
that fall in the zero padding are simply skipped (``_inside``), so no padded copy of x or
dx is ever made. col2im is the adjoint of im2col: the same slices with the copy reversed.

Why it is shaped this way (measured with ``python -m cs231n_lab.bench conv``):

* N first, window positions last: the product lands directly in the (N, F, H', W') order
  the layer returns and dout arrives in, so no large transposed copy is needed.
* Every large temporary array is fresh memory, and touching fresh memory costs a page
  fault per 4 KiB: on the CS231n benchmark shape that cost more than the arithmetic. So
  there is no padded copy of x or dx, and the backward pass works through the batch in
  blocks of images (about ``BLOCK_BYTES`` of columns each) so that its temporary dcols
  stays small and is reused.

Same signatures, shapes and results as ``conv_forward_naive`` / ``conv_backward_naive``.
"""

import numpy as np

from cs231n_lab.conv import check_conv_inputs

__all__ = ["conv_forward_fast", "conv_backward_fast", "im2col", "col2im"]

BLOCK_BYTES = 1 << 20  # backward: images per block chosen so a block of columns is ~1 MiB


def _inside(k, size, pad, stride, n_out):
    """Which outputs of kernel offset k read a real (not padding) input pixel, along one axis.

    Output i reads input index k + stride*i - pad. Returns (out_slice, in_slice) covering
    every i with 0 <= k + stride*i - pad < size, or None when all of them fall in the padding.
    """
    first = max(0, -((k - pad) // stride))              # smallest i with k + stride*i - pad >= 0
    stop = min(n_out, (size - 1 + pad - k) // stride + 1)  # one past the largest i with index < size
    if stop <= first:
        return None
    start = k + stride * first - pad
    return slice(first, stop), slice(start, start + stride * (stop - first - 1) + 1, stride)


def _offsets(HH, WW, H, W, stride, pad, H_out, W_out):
    """Yield (k, l, out_rows, out_cols, in_rows, in_cols) for every kernel offset that sees input."""
    for k in range(HH):
        rows = _inside(k, H, pad, stride, H_out)
        for l in range(WW):
            cols = _inside(l, W, pad, stride, W_out)
            if rows is not None and cols is not None:
                yield k, l, rows[0], cols[0], rows[1], cols[1]


def im2col(x, HH, WW, stride, pad):
    """Lay out every HH x WW window of zero-padded x as a column, image by image.

    x: (N, C, H, W). Returns cols (N, C, HH, WW, H', W') - reshape to (N, C*HH*WW, H'*W')
    for the matrix product. The caller checks that the stride fits.
    """
    N, C, H, W = x.shape
    H_out, W_out = (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1
    cols = np.zeros((N, C, HH, WW, H_out, W_out), dtype=x.dtype)  # zeros = the padding
    for k, l, oi, oj, xi, xj in _offsets(HH, WW, H, W, stride, pad, H_out, W_out):
        cols[:, :, k, l, oi, oj] = x[:, :, xi, xj]
    return cols


def _col2im_add(dx, dcols, stride, pad):
    """dx += col2im(dcols), in place. dx: (N, C, H, W), dcols: (N, C, HH, WW, H', W')."""
    HH, WW, H_out, W_out = dcols.shape[2:]
    for k, l, oi, oj, xi, xj in _offsets(HH, WW, dx.shape[2], dx.shape[3], stride, pad, H_out, W_out):
        dx[:, :, xi, xj] += dcols[:, :, k, l, oi, oj]


def col2im(dcols, x_shape, stride, pad):
    """Sum window gradients back into the input: the adjoint of ``im2col``.

    dcols: (N, C, HH, WW, H', W'). x_shape: (N, C, H, W). Returns dx (N, C, H, W).
    """
    dx = np.zeros(x_shape, dtype=dcols.dtype)
    _col2im_add(dx, dcols, stride, pad)
    return dx


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
    w_row = w.astype(dtype, copy=False).reshape(F, -1)                  # (F, C*HH*WW)
    db = d.sum(axis=(0, 2))
    dw = np.zeros(w_row.shape, dtype=dtype)
    dx = np.zeros(x_shape, dtype=dtype)
    block = max(1, BLOCK_BYTES // c[0].nbytes)                          # images per block
    for n0 in range(0, N, block):
        imgs = slice(n0, n0 + block)
        dw += np.matmul(d[imgs], c[imgs].transpose(0, 2, 1)).sum(axis=0)  # sum_n dout[n] @ cols[n].T
        dcols = np.matmul(w_row.T, d[imgs])                                # (block, C*HH*WW, H'*W')
        _col2im_add(dx[imgs], dcols.reshape((-1,) + cols.shape[1:]), conv_param["stride"], conv_param["pad"])
    return dx, dw.reshape(w.shape), db
