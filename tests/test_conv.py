"""Naive convolution: definition, numerical gradients, torch autograd, bad inputs (naive and fast)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as tF

from cs231n_lab.conv import conv_backward_naive, conv_forward_naive
from cs231n_lab.conv_fast import conv_backward_fast, conv_forward_fast
from cs231n_lab.gradcheck import eval_numerical_gradient_array, rel_error

CASES = [  # x shape, w shape, stride, pad
    ((2, 3, 5, 5), (3, 3, 3, 3), 1, 1),
    ((2, 2, 7, 9), (4, 2, 3, 3), 2, 1),   # stride 2, odd, non-square
    ((1, 3, 6, 5), (2, 3, 2, 3), 1, 0),   # pad 0, even filter, rectangular filter
    ((2, 1, 5, 5), (2, 1, 1, 1), 1, 0),   # 1x1 convolution
]


def _data(rng, xs, ws):
    return rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])


def test_forward_matches_the_definition_on_one_position(rng):
    # out[n, f, i, j] = sum over the window under the filter + bias, written out by hand.
    x, w, b = _data(rng, (1, 2, 4, 4), (1, 2, 3, 3))
    out, _ = conv_forward_naive(x, w, b, {"stride": 1, "pad": 1})
    xpad = np.zeros((1, 2, 6, 6))
    xpad[:, :, 1:5, 1:5] = x
    expected = sum(xpad[0, c, 2 + k, 1 + l] * w[0, c, k, l] for c in range(2) for k in range(3) for l in range(3))
    assert out.shape == (1, 1, 4, 4)
    np.testing.assert_allclose(out[0, 0, 2, 1], expected + b[0], rtol=1e-12)


@pytest.mark.parametrize("xs, ws, stride, pad", CASES)
def test_naive_forward_matches_torch(rng, xs, ws, stride, pad):
    x, w, b = _data(rng, xs, ws)
    out, _ = conv_forward_naive(x, w, b, {"stride": stride, "pad": pad})
    ref = tF.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=stride, padding=pad).numpy()
    assert out.shape == ref.shape
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("xs, ws, stride, pad", CASES)
@pytest.mark.parametrize("fwd, bwd", [(conv_forward_naive, conv_backward_naive),
                                      (conv_forward_fast, conv_backward_fast)], ids=["naive", "fast"])
def test_backward_matches_numerical_gradient(rng, xs, ws, stride, pad, fwd, bwd):
    x, w, b = _data(rng, xs, ws)
    cp = {"stride": stride, "pad": pad}
    out, cache = fwd(x, w, b, cp)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = bwd(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: fwd(v, w, b, cp)[0], x, dout)) < 1e-8
    assert rel_error(dw, eval_numerical_gradient_array(lambda v: fwd(x, v, b, cp)[0], w, dout)) < 1e-8
    assert rel_error(db, eval_numerical_gradient_array(lambda v: fwd(x, w, v, cp)[0], b, dout)) < 1e-8


@pytest.mark.parametrize("xs, ws, stride, pad", CASES)
@pytest.mark.parametrize("fwd, bwd", [(conv_forward_naive, conv_backward_naive),
                                      (conv_forward_fast, conv_backward_fast)], ids=["naive", "fast"])
def test_backward_matches_torch_autograd(rng, xs, ws, stride, pad, fwd, bwd):
    x, w, b = _data(rng, xs, ws)
    out, cache = fwd(x, w, b, {"stride": stride, "pad": pad})
    dout = rng.standard_normal(out.shape)
    dx, dw, db = bwd(dout, cache)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tF.conv2d(tx, tw, tb, stride=stride, padding=pad).backward(torch.tensor(dout))
    for ours, theirs in ((dx, tx), (dw, tw), (db, tb)):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-9, atol=1e-11)


def test_float32_in_float32_out(rng):
    x, w, b = (a.astype(np.float32) for a in _data(rng, (2, 3, 6, 6), (4, 3, 3, 3)))
    for fwd, bwd in ((conv_forward_naive, conv_backward_naive), (conv_forward_fast, conv_backward_fast)):
        out, cache = fwd(x, w, b, {"stride": 1, "pad": 1})
        assert out.dtype == np.float32
        assert all(g.dtype == np.float32 for g in bwd(np.ones_like(out), cache))


BAD = [  # x shape, w shape, b len, conv_param, exception, words the message must contain
    ((1, 3, 6, 6), (2, 3, 3, 3), 2, {"stride": 2, "pad": 0}, ValueError, ["stride", "does not fit", "along H"]),
    ((1, 3, 7, 6), (2, 3, 3, 3), 2, {"stride": 2, "pad": 0}, ValueError, ["stride", "does not fit", "along W"]),
    ((1, 3, 5, 5), (2, 3, 3, 3), 2, {"stride": 1, "pad": -1}, ValueError, ["pad", ">= 0", "-1"]),
    ((1, 3, 4, 4), (2, 3, 7, 7), 2, {"stride": 1, "pad": 1}, ValueError, ["larger than the padded input", "F=7"]),
    ((1, 3, 5, 5), (2, 4, 3, 3), 2, {"stride": 1, "pad": 1}, ValueError, ["channel mismatch", "C=3", "4"]),
    ((1, 3, 5, 5), (2, 3, 3, 3), 3, {"stride": 1, "pad": 1}, ValueError, ["b must have shape", "(2,)"]),
    ((3, 5, 5), (2, 3, 3, 3), 2, {"stride": 1, "pad": 1}, ValueError, ["x must be 4-D"]),
    ((1, 3, 5, 5), (3, 3, 3), 2, {"stride": 1, "pad": 1}, ValueError, ["w must be 4-D"]),
    ((1, 3, 5, 5), (2, 3, 3, 3), 2, {"stride": 0, "pad": 1}, ValueError, ["stride", ">= 1", "0"]),
    ((1, 3, 5, 5), (2, 3, 3, 3), 2, {"stride": 1.5, "pad": 1}, TypeError, ["stride", "integer", "1.5"]),
    ((1, 3, 5, 5), (2, 3, 3, 3), 2, {"stride": 1}, ValueError, ["missing", "pad"]),
    ((1, 3, 5, 5), (2, 3, 3, 3), 2, {"stride": 1, "pad": 1, "padding": 1}, ValueError, ["unknown", "padding"]),
    ((1, 3, 5, 5), (2, 3, 3, 3), 2, [1, 1], TypeError, ["conv_param", "dict", "list"]),
]


@pytest.mark.parametrize("xs, ws, nb, cp, exc, words", BAD)
@pytest.mark.parametrize("fwd", [conv_forward_naive, conv_forward_fast], ids=["naive", "fast"])
def test_bad_input_raises_a_clear_error(xs, ws, nb, cp, exc, words, fwd):
    with pytest.raises(exc) as info:
        fwd(np.zeros(xs), np.zeros(ws), np.zeros(nb), cp)
    msg = str(info.value)
    assert fwd.__name__ in msg
    for word in words:
        assert word in msg, f"{word!r} not in {msg!r}"


@pytest.mark.parametrize("fwd, bwd", [(conv_forward_naive, conv_backward_naive),
                                      (conv_forward_fast, conv_backward_fast)], ids=["naive", "fast"])
def test_backward_rejects_dout_of_the_wrong_shape(rng, fwd, bwd):
    x, w, b = _data(rng, (1, 2, 5, 5), (3, 2, 3, 3))
    out, cache = fwd(x, w, b, {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match=r"dout has shape \(1, 3, 4, 5\), expected"):
        bwd(np.zeros((1, 3, 4, 5)), cache)
