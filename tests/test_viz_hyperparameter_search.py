"""Hyperparameter-search figures, without a browser."""

import matplotlib

from cs231n_lab.hyperparameter_search import grid_vs_random, random_search
from cs231n_lab.viz.hyperparameter_search import plot_grid_vs_random, plot_search_scatter

matplotlib.use("Agg")


def test_plots():
    results = random_search(lambda learning_rate, reg: {"val_acc": -abs(learning_rate - 1e-3)},
                            {"learning_rate": (1e-5, 1e-1, "log"), "reg": (1e-4, 1.0, "log")}, 12, rng=0)
    fig = plot_search_scatter(results)
    assert "best val_acc" in fig.axes[0].get_title()
    fig = plot_grid_vs_random(grid_vs_random())
    assert "3 distinct values" in fig.axes[0].get_title() and "9 distinct values" in fig.axes[1].get_title()
