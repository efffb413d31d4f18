"""Initialisation explorer numbers and figure, without a browser."""

import matplotlib
import pytest

from cs231n_lab.viz.weight_init import compute_init_statistics, plot_layer_histograms

matplotlib.use("Agg")


def test_compute_and_plot():
    stats = compute_init_statistics("he", "relu", layers=4, width=50, num_examples=40)
    assert stats["init"] == "he" and stats["act_hist"].shape[0] == 4
    assert compute_init_statistics(0.5, "tanh", layers=2, width=10, num_examples=5)["init"] == "std 0.5"
    for which in ("act", "grad"):
        fig = plot_layer_histograms(stats, which=which)
        assert len(fig.axes) == 2 + 4
    with pytest.raises(ValueError, match="which must be 'act' or 'grad'"):
        plot_layer_histograms(stats, which="weights")
