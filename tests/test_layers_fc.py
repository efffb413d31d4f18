"""Affine and ReLU layers, softmax and SVM losses: numerical checks and torch agreement."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lab.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from cs231n_lab.layers import (affine_backward, affine_forward, affine_relu_backward, affine_relu_forward,
                               relu_backward, relu_forward, softmax_loss, svm_loss)

shapes = st.tuples(st.integers(1, 4), st.lists(st.integers(1, 4), min_size=1, max_size=3), st.integers(1, 5))


@settings(max_examples=25, deadline=None)
@given(shapes, st.integers(0, 2 ** 31 - 1))
def test_affine_matches_torch_and_numeric(shape, seed):
    N, trailing, M = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, *trailing))
    D = int(np.prod(trailing))
    w, b = rng.standard_normal((D, M)), rng.standard_normal(M)
    dout = rng.standard_normal((N, M))
    out, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape

    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    outt = xt.reshape(N, -1) @ wt + bt
    outt.backward(torch.tensor(dout))
    assert rel_error(out, outt.detach().numpy()) < 1e-12
    for ours, theirs in ((dx, xt), (dw, wt), (db, bt)):
        assert rel_error(ours, theirs.grad.numpy()) < 1e-10

    # The layer is linear, so the centred difference is exact up to rounding: about 1e-11 absolute.
    # A gradient entry near zero (one of 1e-4 turned up) has a large *relative* error from that
    # alone, hence the absolute floor atol.
    for ours, numeric in ((dx, eval_numerical_gradient_array(lambda v: affine_forward(v, w, b)[0], x, dout)),
                          (dw, eval_numerical_gradient_array(lambda v: affine_forward(x, v, b)[0], w, dout)),
                          (db, eval_numerical_gradient_array(lambda v: affine_forward(x, w, v)[0], b, dout))):
        np.testing.assert_allclose(ours, numeric, rtol=1e-7, atol=1e-9)


def test_relu_matches_torch_and_numeric(rng):
    x = rng.standard_normal((5, 6))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink for the numerical check
    dout = rng.standard_normal(x.shape)
    out, cache = relu_forward(x)
    dx = relu_backward(dout, cache)
    xt = torch.tensor(x, requires_grad=True)
    torch.relu(xt).backward(torch.tensor(dout))
    assert np.array_equal(out, np.maximum(x, 0))
    assert rel_error(dx, xt.grad.numpy()) < 1e-12
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: relu_forward(v)[0], x, dout)) < 1e-8


def test_affine_relu_sandwich(rng):
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((12, 10)), rng.standard_normal(10)
    dout = rng.standard_normal((2, 10))
    out, cache = affine_relu_forward(x, w, b)
    dx, dw, db = affine_relu_backward(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: affine_relu_forward(v, w, b)[0], x, dout)) < 1e-7
    assert rel_error(dw, eval_numerical_gradient_array(lambda v: affine_relu_forward(x, v, b)[0], w, dout)) < 1e-7
    assert rel_error(db, eval_numerical_gradient_array(lambda v: affine_relu_forward(x, w, v)[0], b, dout)) < 1e-7


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
def test_softmax_loss_matches_torch_cross_entropy(rng, smoothing):
    x = rng.standard_normal((8, 5))
    y = rng.integers(0, 5, size=8)
    loss, dx = softmax_loss(x, y, label_smoothing=smoothing)
    xt = torch.tensor(x, requires_grad=True)
    lt = torch.nn.functional.cross_entropy(xt, torch.tensor(y), label_smoothing=smoothing)
    lt.backward()
    assert loss == pytest.approx(lt.item(), rel=1e-12)
    assert rel_error(dx, xt.grad.numpy()) < 1e-10
    assert rel_error(dx, eval_numerical_gradient(lambda v: softmax_loss(v, y, smoothing)[0], x, verbose=False)) < 1e-6


def test_softmax_loss_initial_value_is_log_c(rng):
    x = 1e-4 * rng.standard_normal((500, 10))
    loss, _ = softmax_loss(x, rng.integers(0, 10, size=500))
    assert loss == pytest.approx(np.log(10), rel=1e-3)


def test_softmax_loss_is_stable_for_huge_scores():
    loss, dx = softmax_loss(np.array([[1000.0, 0.0, -1000.0]]), np.array([0]))
    assert np.isfinite(loss) and np.all(np.isfinite(dx))


def test_svm_loss_matches_torch_multi_margin(rng):
    x = rng.standard_normal((7, 4))
    y = rng.integers(0, 4, size=7)
    loss, dx = svm_loss(x, y)
    xt = torch.tensor(x, requires_grad=True)
    # torch's multi_margin_loss divides by C as well as N: CS231n's loss is C times it.
    lt = torch.nn.functional.multi_margin_loss(xt, torch.tensor(y), margin=1.0) * x.shape[1]
    lt.backward()
    assert loss == pytest.approx(lt.item(), rel=1e-12)
    assert rel_error(dx, xt.grad.numpy()) < 1e-10
    assert rel_error(dx, eval_numerical_gradient(lambda v: svm_loss(v, y)[0], x, verbose=False)) < 1e-7


def test_affine_forward_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"x of shape \(2, 3, 4\) flattens to D=12.*w has shape \(10, 5\)"):
        affine_forward(np.zeros((2, 3, 4)), np.zeros((10, 5)), np.zeros(5))
    with pytest.raises(ValueError, match=r"b must have shape \(5,\)"):
        affine_forward(np.zeros((2, 10)), np.zeros((10, 5)), np.zeros(4))
    with pytest.raises(ValueError, match="w must be 2-D"):
        affine_forward(np.zeros((2, 10)), np.zeros(10), np.zeros(1))


@pytest.mark.parametrize("loss_fn", [softmax_loss, svm_loss])
def test_losses_reject_bad_labels(loss_fn):
    x = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"labels y must lie in \[0, 3\] for C=4.*e.g. 4"):
        loss_fn(x, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="e.g. -1"):
        loss_fn(x, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match=r"shape \(N,\) = \(3,\)"):
        loss_fn(x, np.array([0, 1]))
    with pytest.raises(ValueError, match="must be integers"):
        loss_fn(x, np.array([0.0, 1.0, 2.0]))
