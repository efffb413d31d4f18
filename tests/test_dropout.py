"""Inverted dropout: keep probability, train/test, seeds, gradients, errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cs231n_lab.dropout import dropout_backward, dropout_forward
from cs231n_lab.gradcheck import eval_numerical_gradient_array, rel_error


@pytest.mark.parametrize("p", [0.25, 0.5, 0.75])
def test_train_keeps_fraction_p_and_preserves_expectation(rng, p):
    x = rng.standard_normal((500, 500)) + 10
    out, _ = dropout_forward(x, {"p": p, "mode": "train", "seed": 0})
    kept = np.mean(out != 0)
    assert abs(kept - p) < 0.01
    assert abs(out.mean() / x.mean() - 1) < 0.02  # inverted dropout: E[out] = x
    test_out, _ = dropout_forward(x, {"p": p, "mode": "test"})
    np.testing.assert_array_equal(test_out, x)


def test_seed_reproduces_cs231n_mask_without_touching_global_state(rng):
    x = rng.standard_normal((4, 6))
    np.random.seed(7)
    expected = x * ((np.random.rand(*x.shape) < 0.6) / 0.6)  # CS231n's reference recipe
    np.random.seed(123)
    before = np.random.rand()
    np.random.seed(123)
    out, _ = dropout_forward(x, {"p": 0.6, "mode": "train", "seed": 7})
    np.testing.assert_allclose(out, expected)
    assert np.random.rand() == before  # the global state was not advanced


def test_without_seed_uses_global_state(rng):
    x = rng.standard_normal((5, 5))
    np.random.seed(3)
    a, _ = dropout_forward(x, {"p": 0.5, "mode": "train"})
    np.random.seed(3)
    b, _ = dropout_forward(x, {"p": 0.5, "mode": "train"})
    c, _ = dropout_forward(x, {"p": 0.5, "mode": "train"})
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


@pytest.mark.parametrize("mode", ["train", "test"])
def test_backward_matches_numerical_gradient(rng, mode):
    x, dout = rng.standard_normal((6, 7)), rng.standard_normal((6, 7))
    param = {"p": 0.4, "mode": mode, "seed": 11}
    _, cache = dropout_forward(x, param)
    dx = dropout_backward(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda v: dropout_forward(v, param)[0], x, dout)
    assert rel_error(dx, dx_num) < 1e-9


def test_matches_torch_dropout_given_the_same_mask(rng):
    """torch's F.dropout(x, p_drop) is the same inverted dropout with p_drop = 1 - p_keep."""
    x, dout = rng.standard_normal((50, 40)), rng.standard_normal((50, 40))
    p_keep = 0.7
    out, cache = dropout_forward(x, {"p": p_keep, "mode": "train", "seed": 5})
    torch.manual_seed(0)
    tx = torch.tensor(x, requires_grad=True)
    tout = F.dropout(tx, p=1 - p_keep, training=True)
    tout.backward(torch.tensor(dout))
    kept_torch = tout.detach().numpy() != 0
    # Both scale the kept units by 1/p_keep; the masks differ only by the random stream.
    np.testing.assert_allclose(tout.detach().numpy()[kept_torch], x[kept_torch] / p_keep)
    np.testing.assert_allclose(tx.grad.numpy(), dout * kept_torch / p_keep)
    kept_ours = cache[1] != 0
    np.testing.assert_allclose(out[kept_ours], x[kept_ours] / p_keep)
    np.testing.assert_allclose(dropout_backward(dout, cache), dout * kept_ours / p_keep)


def test_p_one_keeps_everything_and_dtype_is_kept(rng):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    out, _ = dropout_forward(x, {"p": 1, "mode": "train"})
    np.testing.assert_array_equal(out, x)
    assert out.dtype == np.float32


@pytest.mark.parametrize("param, exc, match", [
    ({"p": 0, "mode": "train"}, ValueError, r"probability of keeping a unit and must be in \(0, 1\], got 0"),
    ({"p": 1.5, "mode": "train"}, ValueError, r"must be in \(0, 1\], got 1.5"),
    ({"p": -0.1, "mode": "test"}, ValueError, r"must be in \(0, 1\]"),
    ({"mode": "train"}, ValueError, "needs the key 'p'"),
    ({"p": 0.5}, ValueError, "needs the key 'mode'"),
    ({"p": 0.5, "mode": "eval"}, ValueError, "mode must be 'train' or 'test', got 'eval'"),
    ({"p": 0.5, "mode": "train", "keep": 1}, ValueError, r"unknown dropout_param key\(s\) \['keep'\]"),
    ({"p": 0.5, "mode": "train", "seed": 1.5}, TypeError, "seed must be an int"),
])
def test_bad_dropout_param_raises(rng, param, exc, match):
    with pytest.raises(exc, match=match):
        dropout_forward(rng.standard_normal((2, 2)), param)
