"""Fast (im2col) convolution equals the naive loops on random shapes; im2col/col2im are adjoint."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lab import conv_fast
from cs231n_lab.conv import conv_backward_naive, conv_forward_naive
from cs231n_lab.conv_fast import col2im, conv_backward_fast, conv_forward_fast, im2col


@st.composite
def conv_problems(draw):
    """Random conv shapes that fit: stride 1-3, pad 0-2, odd and even sizes, rectangular filters."""
    N, C, F = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    HH, WW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    S, P = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    # Choose the output size and derive an input size for which the stride fits.
    Ho, Wo = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    H, W = (Ho - 1) * S + HH - 2 * P, (Wo - 1) * S + WW - 2 * P
    extra = (1 - min(H, W) + S - 1) // S if min(H, W) < 1 else 0  # grow until the input is non-empty
    H, W = H + extra * S, W + extra * S
    seed = draw(st.integers(0, 2 ** 32 - 1))
    return (N, C, H, W), (F, C, HH, WW), S, P, seed


@settings(max_examples=60, deadline=None)
@given(conv_problems())
def test_fast_equals_naive_forward_and_all_gradients(problem):
    xs, ws, S, P, seed = problem
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    cp = {"stride": S, "pad": P}
    out_n, cache_n = conv_forward_naive(x, w, b, cp)
    out_f, cache_f = conv_forward_fast(x, w, b, cp)
    assert out_f.shape == out_n.shape == (xs[0], ws[0], (xs[2] + 2 * P - ws[2]) // S + 1,
                                          (xs[3] + 2 * P - ws[3]) // S + 1)
    np.testing.assert_allclose(out_f, out_n, rtol=1e-10, atol=1e-12)
    dout = rng.standard_normal(out_n.shape)
    for g_fast, g_naive in zip(conv_backward_fast(dout, cache_f), conv_backward_naive(dout, cache_n)):
        assert g_fast.shape == g_naive.shape
        np.testing.assert_allclose(g_fast, g_naive, rtol=1e-10, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(conv_problems())
def test_col2im_is_the_adjoint_of_im2col(problem):
    # <im2col(x), c> == <x, col2im(c)> for all x, c: the defining property of the backward.
    xs, ws, S, P, seed = problem
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xs)
    cols = im2col(x, ws[2], ws[3], S, P)
    c = rng.standard_normal(cols.shape)
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * col2im(c, xs, S, P)), rtol=1e-10, atol=1e-10)


def test_fast_conv_does_not_modify_its_inputs(rng):
    x, w, b = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    copies = [a.copy() for a in (x, w, b)]
    out, cache = conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
    dout = rng.standard_normal(out.shape)
    dout_copy = dout.copy()
    conv_backward_fast(dout, cache)
    for a, c in zip((x, w, b, dout), copies + [dout_copy]):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("block_bytes", [1, 3000, 1 << 30])  # one image per block, a few, all at once
def test_backward_in_blocks_of_images_equals_naive(rng, monkeypatch, block_bytes):
    # The backward pass walks the batch in blocks of images; a block size that does not
    # divide N (7 images, blocks of 1, 2 and 7) must give the naive gradients exactly.
    monkeypatch.setattr(conv_fast, "BLOCK_BYTES", block_bytes)
    x, w, b = rng.standard_normal((7, 2, 7, 6)), rng.standard_normal((3, 2, 3, 2)), rng.standard_normal(3)
    cp = {"stride": 2, "pad": 1}
    out, cache_f = conv_forward_fast(x, w, b, cp)
    _, cache_n = conv_forward_naive(x, w, b, cp)
    n_per_block = max(1, block_bytes // (cache_f[-1][0].nbytes))
    assert n_per_block in (1, 2, 7) or n_per_block > 7
    dout = rng.standard_normal(out.shape)
    for g_fast, g_naive in zip(conv_backward_fast(dout, cache_f), conv_backward_naive(dout, cache_n)):
        np.testing.assert_allclose(g_fast, g_naive, rtol=1e-10, atol=1e-12)


def test_padding_wider_than_the_kernel_reach(rng):
    # pad 3 with a 2x2 kernel and stride 3: some kernel offsets see only padding for whole
    # rows of outputs, and some outputs see only padding (their value is the bias).
    x, w, b = rng.standard_normal((2, 1, 5, 5)), rng.standard_normal((2, 1, 2, 2)), rng.standard_normal(2)
    cp = {"stride": 3, "pad": 3}
    out_f, cache_f = conv_forward_fast(x, w, b, cp)
    out_n, cache_n = conv_forward_naive(x, w, b, cp)
    np.testing.assert_allclose(out_f, out_n, rtol=1e-12)
    np.testing.assert_allclose(out_f[:, :, 0, 0], np.broadcast_to(b, (2, 2)))  # a window of padding only
    dout = rng.standard_normal(out_f.shape)
    for g_fast, g_naive in zip(conv_backward_fast(dout, cache_f), conv_backward_naive(dout, cache_n)):
        np.testing.assert_allclose(g_fast, g_naive, rtol=1e-10, atol=1e-12)
