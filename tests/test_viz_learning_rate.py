"""Learning-rate widget numbers and figures, without a browser (bundled data, small runs)."""

import matplotlib
import numpy as np
import pytest

from cs231n_lab.datasets import get_split_data
from cs231n_lab.viz.learning_rate import compute_learning_curves, plot_learning_curves, plot_runs

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data():
    return get_split_data(num_training=300, num_validation=200, num_test=1)


def test_too_low_good_too_high(data):
    low = compute_learning_curves(data, 1e-5, num_steps=60, num_train=300)
    good = compute_learning_curves(data, 1e-1, num_steps=60, num_train=300)
    high = compute_learning_curves(data, 1e2, num_steps=60, num_train=300)
    assert low["diagnosis"]["learning_rate"] == "too low"
    assert good["diagnosis"]["learning_rate"] == "good" and good["val_acc"][-1] > 0.5
    assert high["aborted"] and high["diagnosis"]["learning_rate"] == "too high"
    assert len(good["loss"]) == 60 and good["train_acc"].shape == good["val_acc"].shape
    fig = plot_runs([low, good, high], ["low", "good", "high"])
    assert len(fig.axes) == 2
    fig = plot_learning_curves(high)
    assert "aborted" in fig._suptitle.get_text()


def test_regularisation_raises_the_initial_loss(data):
    plain = compute_learning_curves(data, 1e-2, reg=0.0, num_steps=20, num_train=200, weight_scale=0.1)
    strong = compute_learning_curves(data, 1e-2, reg=1.0, num_steps=20, num_train=200, weight_scale=0.1)
    assert strong["loss"][0] > plain["loss"][0] + 1.0


def test_bad_learning_rate(data):
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        compute_learning_curves(data, 0.0)
