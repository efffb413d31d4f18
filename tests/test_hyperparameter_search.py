"""Hyperparameter search: log-uniform sampling, grid and random search, coarse->fine, the illustration."""

import numpy as np
import pytest

from cs231n_lab.hyperparameter_search import (grid_search, grid_vs_random, random_search, refine_space,
                                              results_table, sample_space, train_trial)

SPACE = {"learning_rate": (1e-6, 1e-1, "log"), "reg": (0.0, 1.0, "linear")}


def test_log_uniform_sampling_covers_decades_evenly():
    points = sample_space(SPACE, 5000, rng=0)
    lrs = np.log10([p["learning_rate"] for p in points])
    assert lrs.min() >= -6 and lrs.max() <= -1
    counts = np.histogram(lrs, bins=5, range=(-6, -1))[0]
    assert counts.min() > 0.8 * 1000  # each decade gets about a fifth
    regs = [p["reg"] for p in points]
    assert 0 <= min(regs) and max(regs) <= 1
    assert sample_space(SPACE, 3, rng=1) == sample_space(SPACE, 3, rng=1)


def _objective(learning_rate, reg):
    """A stand-in trial: best at lr = 1e-3, reg barely matters."""
    return {"val_acc": float(np.exp(-(np.log10(learning_rate) + 3) ** 2) - 0.01 * reg)}


def test_random_and_grid_search_and_refine():
    results = random_search(_objective, SPACE, 30, rng=0)
    assert len(results) == 30 and {"learning_rate", "reg", "val_acc"} <= set(results[0])
    fine = refine_space(results, SPACE, top_k=3)
    lo, hi, scale = fine["learning_rate"]
    assert scale == "log" and lo < 1e-3 < hi and hi / lo < 1e3  # narrowed around the optimum
    grid = grid_search(_objective, {"learning_rate": [1e-4, 1e-3, 1e-2], "reg": [0.0, 0.5]})
    assert len(grid) == 6
    assert max(grid, key=lambda r: r["val_acc"])["learning_rate"] == 1e-3
    table = results_table(grid, columns=["learning_rate", "reg", "val_acc"])
    assert table.splitlines()[1].split()[0] == "0.001"  # best first


def test_grid_vs_random_illustration():
    out = grid_vs_random(9, rng=0)
    assert out["grid_distinct_x"] == 3 and out["random_distinct_x"] == 9
    assert out["grid"].shape == (9, 2) and out["random"].shape == (9, 2)
    assert out["random_best"] > out["grid_best"]
    with pytest.raises(ValueError, match="perfect square"):
        grid_vs_random(8)


def test_train_trial_learns_and_aborts(rng):
    X = rng.standard_normal((200, 5))
    y = (X[:, 0] > 0).astype(np.int64)
    data = {"X_train": X[:150], "y_train": y[:150], "X_val": X[150:], "y_val": y[150:]}
    good = train_trial(data, learning_rate=0.5, reg=0.0, hidden_dims=(20,), num_epochs=5, batch_size=50,
                       weight_scale=0.1)
    assert good["val_acc"] > 0.85 and not good["aborted"]
    bad = train_trial(data, learning_rate=1e5, reg=0.0, hidden_dims=(20,), num_epochs=5, batch_size=50,
                      weight_scale=0.1)
    assert bad["aborted"] and bad["val_acc"] == 0.0


def test_bad_space_raises():
    with pytest.raises(ValueError, match="low > 0 for 'log'"):
        sample_space({"lr": (0.0, 1.0, "log")}, 3)
    with pytest.raises(ValueError, match="must be \\(low, high, 'log' or 'linear'\\)"):
        sample_space({"lr": (1e-3, 1.0)}, 3)
    with pytest.raises(TypeError, match="train_fn must return a dict"):
        random_search(lambda **p: 0.5, SPACE, 2)
