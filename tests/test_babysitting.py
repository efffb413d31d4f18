"""Babysitting checks: initial loss, overfitting a subset, update/weight ratios, dead ReLUs, curve diagnosis."""

import numpy as np
import pytest

from cs231n_lab.babysitting import (dead_relu_fraction, diagnose_loss_curve, initial_loss_check, loss_exploded,
                                    overfit_small_subset, update_weight_ratios)
from cs231n_lab.models import FullyConnectedNet
from cs231n_lab.solver import Solver


def _data(rng, n=60, d=10, c=4):
    X = rng.standard_normal((n, d))
    y = rng.integers(c, size=n)
    return {"X_train": X, "y_train": y, "X_val": X[:20], "y_val": y[:20]}


def test_initial_loss_is_log_C_and_reg_raises_it(rng):
    data = _data(rng)
    model = FullyConnectedNet([20], input_dim=10, num_classes=4, weight_scale=1e-3, dtype=np.float64, rng=0)
    check = initial_loss_check(model, data["X_train"], data["y_train"])
    assert check["expected"] == pytest.approx(np.log(4))
    assert check["ratio"] == pytest.approx(1.0, abs=1e-3)
    model.reg = 1e3
    model.params["W1"] = model.params["W1"] * 100
    assert initial_loss_check(model, data["X_train"], data["y_train"])["loss"] > check["loss"]


def test_overfit_small_subset_reaches_100_percent(rng):
    data = _data(rng)
    model = FullyConnectedNet([50], input_dim=10, num_classes=4, weight_scale=0.1, dtype=np.float64, rng=0)
    solver = overfit_small_subset(model, data, num_examples=20, optim_config={"learning_rate": 0.5},
                                  batch_size=20, num_epochs=100, rng=0)
    assert solver.train_acc_history[-1] == 1.0


def test_update_weight_ratio_is_lr_times_grad_over_weight(rng):
    data = _data(rng)
    model = FullyConnectedNet([20], input_dim=10, num_classes=4, weight_scale=0.1, dtype=np.float64, rng=0)
    solver = Solver(model, data, optim_config={"learning_rate": 1e-2}, batch_size=60, verbose=False, rng=0)
    W_before = model.params["W1"].copy()
    batch = np.random.default_rng(0).choice(60, 60)
    _, grads = model.loss(data["X_train"][batch], data["y_train"][batch])
    ratios = update_weight_ratios(solver, 3)
    assert set(ratios) == {"W1", "W2"} and ratios["W1"].shape == (3,)
    expected = np.linalg.norm(1e-2 * grads["W1"]) / np.linalg.norm(W_before)
    assert ratios["W1"][0] == pytest.approx(expected, rel=1e-10)
    # Ten times the learning rate gives (at the first step) ten times the ratio.
    model2 = FullyConnectedNet([20], input_dim=10, num_classes=4, weight_scale=0.1, dtype=np.float64, rng=0)
    solver2 = Solver(model2, data, optim_config={"learning_rate": 1e-1}, batch_size=60, verbose=False, rng=0)
    assert update_weight_ratios(solver2, 1)["W1"][0] == pytest.approx(10 * expected, rel=1e-10)


def test_loss_exploded():
    assert loss_exploded(np.nan, 2.3) and loss_exploded(7.0, 2.3) and not loss_exploded(6.0, 2.3)
    assert loss_exploded(5.0, 2.3, factor=2)


def test_too_high_learning_rate_kills_relus(rng):
    """The lecture's claim: after a too-high learning rate many ReLUs are dead and stay dead."""
    data = _data(rng, n=200)

    def dead_after(lr, steps):
        model = FullyConnectedNet([50, 50], input_dim=10, num_classes=4, weight_scale=0.3, dtype=np.float64, rng=0)
        solver = Solver(model, data, optim_config={"learning_rate": lr}, batch_size=50, verbose=False, rng=0)
        assert max(dead_relu_fraction(model, data["X_train"])) < 0.05
        for _ in range(steps):
            solver._step()
        return dead_relu_fraction(model, data["X_train"]), solver

    assert max(dead_after(0.1, 40)[0]) < 0.05
    dead, solver = dead_after(10.0, 40)
    assert dead[1] > 0.5
    # A dead unit gets exactly zero gradient, so more training (even at a sane rate) cannot revive it.
    dead_units = np.all(solver.model.hidden_activations(data["X_train"])[1] <= 0, axis=0)
    _, grads = solver.model.loss(data["X_train"], data["y_train"])
    assert np.all(grads["W2"][:, dead_units] == 0) and np.all(grads["b2"][dead_units] == 0)


def test_diagnose_loss_curve_names_the_patterns():
    t = np.arange(200)
    good = 2.3 * np.exp(-t / 60) + 0.2
    assert diagnose_loss_curve(good)["learning_rate"] == "good"
    assert diagnose_loss_curve(2.3 - 1e-4 * t)["learning_rate"] == "too low"
    assert diagnose_loss_curve(2.3 * np.exp(t / 40))["learning_rate"] == "too high"
    assert diagnose_loss_curve(np.r_[2.3, 2.4, np.nan, np.ones(10)])["learning_rate"] == "too high"
    plateau = np.where(t < 80, 2.3, 2.3 * np.exp(-(t - 80) / 20) + 0.1)
    d = diagnose_loss_curve(plateau)
    assert d["bad_init_plateau"] and not diagnose_loss_curve(good)["bad_init_plateau"]
    assert diagnose_loss_curve(good, [0.5, 0.99], [0.4, 0.6])["gap"] == "overfitting"
    assert diagnose_loss_curve(good, [0.3, 0.5], [0.3, 0.5])["gap"] == "no gap: increase capacity"
    assert diagnose_loss_curve(good, [0.3, 0.7], [0.3, 0.62])["gap"] == "ok"
    with pytest.raises(ValueError, match="at least 5 values"):
        diagnose_loss_curve([1.0, 2.0])
