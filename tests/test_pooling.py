"""Max pooling: naive == fast, numerical gradients, torch max_pool2d autograd, bad pool_param."""

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lab.gradcheck import eval_numerical_gradient_array, rel_error
from cs231n_lab.pooling import (max_pool_backward_fast, max_pool_backward_naive, max_pool_forward_fast,
                                max_pool_forward_naive)

IMPLS = [(max_pool_forward_naive, max_pool_backward_naive), (max_pool_forward_fast, max_pool_backward_fast)]
IDS = ["naive", "fast"]
CASES = [((2, 3, 4, 4), 2, 2, 2), ((2, 2, 7, 5), 3, 3, 2), ((1, 2, 5, 6), 2, 3, 1), ((1, 1, 6, 6), 3, 3, 3)]


def _pp(HP, WP, S):
    return {"pool_height": HP, "pool_width": WP, "stride": S}


@pytest.mark.parametrize("xs, HP, WP, S", CASES)
@pytest.mark.parametrize("fwd, bwd", IMPLS, ids=IDS)
def test_forward_and_backward_match_torch_max_pool2d(rng, xs, HP, WP, S, fwd, bwd):
    x = rng.standard_normal(xs)
    out, cache = fwd(x, _pp(HP, WP, S))
    tx = torch.tensor(x, requires_grad=True)
    tout = tF.max_pool2d(tx, (HP, WP), stride=S)
    np.testing.assert_array_equal(out, tout.detach().numpy())
    dout = rng.standard_normal(out.shape)
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(bwd(dout, cache), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("xs, HP, WP, S", CASES)
@pytest.mark.parametrize("fwd, bwd", IMPLS, ids=IDS)
def test_backward_matches_numerical_gradient(rng, xs, HP, WP, S, fwd, bwd):
    # Distinct values spaced well apart so that h=1e-5 never changes which entry is the max.
    x = rng.permutation(np.prod(xs)).reshape(xs) * 0.1
    out, cache = fwd(x, _pp(HP, WP, S))
    dout = rng.standard_normal(out.shape)
    num = eval_numerical_gradient_array(lambda v: fwd(v, _pp(HP, WP, S))[0], x, dout)
    assert rel_error(bwd(dout, cache), num) < 1e-9


def test_ties_route_the_gradient_to_the_first_maximum_like_torch():
    x = np.zeros((1, 1, 4, 4))  # every window is all ties
    tx = torch.tensor(x, requires_grad=True)
    tF.max_pool2d(tx, 2, stride=1).backward(torch.ones(1, 1, 3, 3, dtype=torch.float64))
    for fwd, bwd in IMPLS:
        out, cache = fwd(x, _pp(2, 2, 1))
        np.testing.assert_array_equal(bwd(np.ones_like(out), cache), tx.grad.numpy())


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 4), st.integers(1, 4), st.integers(0, 2 ** 32 - 1))
def test_fast_equals_naive(N, C, HP, WP, S, Ho, Wo, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, (Ho - 1) * S + HP, (Wo - 1) * S + WP))
    pp = _pp(HP, WP, S)
    out_n, cache_n = max_pool_forward_naive(x, pp)
    out_f, cache_f = max_pool_forward_fast(x, pp)
    assert out_f.shape == out_n.shape == (N, C, Ho, Wo)
    np.testing.assert_array_equal(out_f, out_n)
    dout = rng.standard_normal(out_n.shape)
    # Overlapping windows add several gradients into one pixel, in a different order: allclose.
    np.testing.assert_allclose(max_pool_backward_fast(dout, cache_f), max_pool_backward_naive(dout, cache_n),
                               rtol=1e-12, atol=1e-14)


BAD = [
    ((1, 1, 5, 5), _pp(2, 2, 2), ValueError, ["stride", "does not fit", "along H"]),
    ((1, 1, 4, 4), _pp(5, 2, 1), ValueError, ["larger than the padded input", "along H"]),
    ((1, 1, 4, 4), _pp(2, 2, 0), ValueError, ["stride", ">= 1", "0"]),
    ((1, 1, 4, 4), _pp(0, 2, 1), ValueError, ["pool_height", ">= 1"]),
    ((1, 1, 4, 4), {"pool_height": 2, "stride": 2}, ValueError, ["missing", "pool_width"]),
    ((1, 1, 4, 4), dict(_pp(2, 2, 2), pad=1), ValueError, ["unknown", "pad"]),
    ((1, 1, 4, 4), _pp(2, 2.0, 2), TypeError, ["pool_width", "integer"]),
    ((4, 4), _pp(2, 2, 2), ValueError, ["x must be 4-D"]),
]


@pytest.mark.parametrize("xs, pp, exc, words", BAD)
@pytest.mark.parametrize("fwd", [max_pool_forward_naive, max_pool_forward_fast], ids=IDS)
def test_bad_pool_param_raises_a_clear_error(xs, pp, exc, words, fwd):
    with pytest.raises(exc) as info:
        fwd(np.zeros(xs), pp)
    msg = str(info.value)
    assert fwd.__name__ in msg
    for word in words:
        assert word in msg, f"{word!r} not in {msg!r}"


@pytest.mark.parametrize("fwd, bwd", IMPLS, ids=IDS)
def test_backward_rejects_dout_of_the_wrong_shape(rng, fwd, bwd):
    out, cache = fwd(rng.standard_normal((1, 2, 4, 4)), _pp(2, 2, 2))
    with pytest.raises(ValueError, match=r"dout has shape \(1, 2, 3, 2\), expected"):
        bwd(np.zeros((1, 2, 3, 2)), cache)
