"""Output size, receptive field and parameter counts, checked against real layers and torch."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lab.conv_arithmetic import (conv_num_params, conv_output_size, receptive_field,
                                        receptive_field_span)
from cs231n_lab.conv_fast import conv_forward_fast


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 40), st.integers(1, 9), st.integers(1, 4), st.integers(0, 4))
def test_output_size_agrees_with_torch_when_the_stride_fits(N, F, S, P):
    span = N + 2 * P - F
    if span < 0 or span % S:
        with pytest.raises(ValueError):
            conv_output_size(N, F, S, P)
        return
    conv = torch.nn.Conv2d(1, 1, F, stride=S, padding=P, bias=False)
    with torch.no_grad():
        expected = conv(torch.zeros(1, 1, N, N)).shape[-1]
    assert conv_output_size(N, F, S, P) == expected


def test_lecture_quiz_32x32x3_ten_5x5_filters_stride_1_pad_2(rng):
    # The output size and parameter count computed by the formulas ...
    assert conv_output_size(32, 5, 1, 2) == 32
    assert conv_num_params(10, 3, 5) == 10 * (5 * 5 * 3 + 1)
    # ... agree with an actual layer and with torch's parameter count.
    out, _ = conv_forward_fast(rng.standard_normal((1, 3, 32, 32)), rng.standard_normal((10, 3, 5, 5)),
                               np.zeros(10), {"stride": 1, "pad": 2})
    assert out.shape == (1, 10, 32, 32)
    assert sum(p.numel() for p in torch.nn.Conv2d(3, 10, 5).parameters()) == conv_num_params(10, 3, 5)


@pytest.mark.parametrize("F", [1, 3, 5, 7, 9])
def test_stride_1_pad_half_filter_keeps_the_size(F):
    assert conv_output_size(32, F, 1, (F - 1) // 2) == 32


def test_stride_that_does_not_fit_is_an_error():
    # (7 - 3 + 0) / 3 is not an integer - the lecture's "doesn't fit" example.
    with pytest.raises(ValueError, match=r"stride S=3 does not fit.*\(7 - 3 \+ 2\*0\) / 3"):
        conv_output_size(7, 3, 3, 0)
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv_output_size(3, 7, 1, 1)
    with pytest.raises(ValueError, match=r"P \(padding\) must be >= 0, got -1"):
        conv_output_size(7, 3, 1, -1)
    with pytest.raises(TypeError, match=r"S \(stride\) must be an integer, got 1.5"):
        conv_output_size(7, 3, 1.5, 0)


@pytest.mark.parametrize("L", [1, 2, 3, 5])
@pytest.mark.parametrize("K", [2, 3, 5])
def test_receptive_field_of_stacked_stride_1_convs_is_1_plus_L_times_K_minus_1(L, K):
    assert receptive_field([(K, 1)] * L) == 1 + L * (K - 1)


def _measured_receptive_field(layers, size=64):
    """Backprop a gradient from the centre output unit of a torch stack and count the input pixels it reaches."""
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    h = x
    for k, s in layers:
        h = torch.nn.functional.conv2d(h, torch.ones(1, 1, k, k, dtype=h.dtype), stride=s)
    c = h.shape[-1] // 2
    h[0, 0, c, c].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1))
    return int(rows.max() - rows.min() + 1), (int(rows.min()), int(rows.max())), c


@pytest.mark.parametrize("layers", [[(3, 1)] * 3, [(3, 2), (3, 2)], [(5, 1), (2, 2), (3, 1)], [(7, 2), (3, 2), (3, 1)]])
def test_receptive_field_and_span_agree_with_backprop_through_torch(layers):
    size, (first, last), centre = _measured_receptive_field(layers)
    assert receptive_field(layers) == size
    assert receptive_field_span([(k, s, 0) for k, s in layers], centre) == (first, last)


def test_receptive_field_rejects_bad_layers():
    with pytest.raises(ValueError, match=r"layers\[1\] must be a \(kernel, stride\) pair"):
        receptive_field([(3, 1), 3])
    with pytest.raises(ValueError, match=r"layers\[0\] stride must be >= 1, got 0"):
        receptive_field([(3, 0)])
    assert receptive_field([]) == 1
