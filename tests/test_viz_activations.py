"""Activation explorer numbers and figure, without a browser."""

import matplotlib
import numpy as np
import pytest

from cs231n_lab.viz.activations import compute_activation_curve, compute_weight_gradient_signs, plot_activation

matplotlib.use("Agg")


def test_sigmoid_curve_and_saturation_grow_with_input_spread():
    narrow = compute_activation_curve("sigmoid", input_std=0.5)
    wide = compute_activation_curve("sigmoid", input_std=10)
    i0 = np.argmin(np.abs(narrow["x"]))
    assert narrow["df"][i0] == pytest.approx(0.25) and narrow["df"][0] < 1e-4
    assert narrow["saturated"] < 0.01 < 0.5 < wide["saturated"]
    assert narrow["mean_output"] == pytest.approx(0.5, abs=0.01)


def test_relu_dead_fraction_follows_input_mean():
    assert compute_activation_curve("relu", input_mean=0.0)["dead"] == pytest.approx(0.5, abs=0.02)
    assert compute_activation_curve("relu", input_mean=-3.0)["dead"] > 0.99
    assert compute_activation_curve("leaky_relu", input_mean=-3.0)["dead"] == 0.0


def test_non_zero_centred_outputs_give_one_signed_weight_gradients():
    assert compute_weight_gradient_signs("sigmoid") == 1.0
    assert compute_weight_gradient_signs("tanh") < 0.05


def test_plot_and_errors():
    fig = plot_activation(compute_activation_curve("tanh"))
    assert len(fig.axes) == 2 and "saturated" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="activation must be one of"):
        compute_activation_curve("swish")
    with pytest.raises(ValueError, match="input_std must be > 0"):
        compute_activation_curve("relu", input_std=0)
