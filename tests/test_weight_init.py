"""Weight initialisation schemes and the 10-layer activation statistics (the lecture's claims)."""

import numpy as np
import pytest
import torch

from cs231n_lab.weight_init import INITS, activation_statistics, init_std, init_weights


@pytest.mark.parametrize("init, expected", [("zeros", 0.0), ("small", 0.01), ("big", 1.0),
                                            ("xavier", 1 / np.sqrt(400)), ("he", np.sqrt(2 / 400)), (0.3, 0.3)])
def test_init_std_and_drawn_weights(init, expected):
    assert init_std(init, 400) == pytest.approx(expected)
    W = init_weights(init, 400, 300, rng=0)
    assert W.shape == (400, 300)
    assert W.std() == pytest.approx(expected, rel=0.02, abs=1e-12)


def test_he_and_xavier_match_torch_init_std():
    """torch's kaiming_normal_ (fan_in, relu) is He; xavier_normal_ uses 2/(fan_in+fan_out),
    which equals our 1/fan_in only when fan_in == fan_out."""
    torch.manual_seed(0)
    w = torch.empty(300, 500)  # torch weights are (fan_out, fan_in)
    torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")
    assert float(w.std()) == pytest.approx(init_std("he", 500), rel=0.02)
    w = torch.empty(500, 500)
    torch.nn.init.xavier_normal_(w)
    assert float(w.std()) == pytest.approx(init_std("xavier", 500), rel=0.02)


def test_rng_reproducible():
    np.testing.assert_array_equal(init_weights("he", 5, 4, rng=1), init_weights("he", 5, 4, rng=1))


def test_tanh_claims():
    """10 x 500 tanh: std 0.01 collapses, std 1 saturates, Xavier keeps a spread."""
    small = activation_statistics("small", "tanh", num_examples=300)
    assert small["act_std"][-1] < 1e-6 and np.all(np.diff(small["act_std"]) < 0)
    big = activation_statistics("big", "tanh", num_examples=300)
    assert np.all(big["act_std"] > 0.95)  # almost every unit at -1 or +1
    saturated = big["act_hist"][:, [0, -1]].sum(axis=1) / big["act_hist"].sum(axis=1)
    assert np.all(saturated > 0.5)
    xavier = activation_statistics("xavier", "tanh", num_examples=300)
    assert np.all(xavier["act_std"] > 0.1) and np.all(xavier["act_std"] < 0.8)


def test_relu_claims():
    """With ReLU, Xavier halves the variance every layer; He keeps it."""
    xavier = activation_statistics("xavier", "relu", num_examples=300)
    he = activation_statistics("he", "relu", num_examples=300)
    assert xavier["act_std"][-1] < 0.1 * xavier["act_std"][0]
    assert 0.5 < he["act_std"][-1] / he["act_std"][0] < 2.0


def test_zeros_gives_identical_units_and_no_weight_gradient():
    stats = activation_statistics("zeros", "tanh", num_examples=50, width=20)
    assert np.all(stats["act_std"] == 0) and np.all(stats["weight_grad_std"][1:] == 0)


def test_output_shapes_and_histogram_counts():
    stats = activation_statistics(0.05, "relu", layers=4, width=30, num_examples=20, bins=7)
    assert stats["act_hist"].shape == (4, 7) and stats["act_edges"].shape == (8,)
    assert np.all(stats["act_hist"].sum(axis=1) == 20 * 30)
    assert stats["grad_hist"].shape == (4, 7) and stats["weight_grad_std"].shape == (4,)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"init must be one of .* got 'glorot'"):
        init_std("glorot", 10)
    with pytest.raises(ValueError, match="std and must be >= 0"):
        init_std(-1.0, 10)
    with pytest.raises(ValueError, match="activation must be one of"):
        activation_statistics("he", "swish")
    with pytest.raises(ValueError, match="layers must be a positive integer, got 0"):
        activation_statistics("he", "relu", layers=0)
    assert set(INITS) == {"zeros", "small", "big", "xavier", "he"}
