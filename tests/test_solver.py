"""Solver: overfitting a small set, update rules by name or callable, schedules, decay,
early stopping, abort rule, checkpoints, and argument errors."""

import os

import numpy as np
import pytest
import torch

from cs231n_lab import optim
from cs231n_lab.datasets import get_split_data
from cs231n_lab.models import FullyConnectedNet
from cs231n_lab.solver import Solver, load_checkpoint


@pytest.fixture(scope="module")
def small_data():
    return get_split_data(num_training=50, num_validation=50, num_test=1)


def _net(hidden, weight_scale=1e-2, rng=0):
    """A two-layer net (affine - ReLU - affine) in float64 on 6 inputs and 3 classes."""
    return FullyConnectedNet([hidden], input_dim=6, num_classes=3, weight_scale=weight_scale,
                             dtype=np.float64, rng=rng)


def _toy(rng, n=40, d=6, c=3):
    X = rng.standard_normal((n, d))
    y = rng.integers(c, size=n)
    return {"X_train": X, "y_train": y, "X_val": X[:10], "y_val": y[:10]}


@pytest.mark.parametrize("normalization, weight_scale, lr", [(None, 1e-1, 0.3), ("batchnorm", 5e-2, 0.1)])
def test_overfits_50_examples_to_100_percent(small_data, normalization, weight_scale, lr):
    """Babysitting step one: a 3-layer net must drive 50 training examples to 100% accuracy."""
    np.random.seed(0)
    model = FullyConnectedNet([100, 100], input_dim=28 * 28, num_classes=10, weight_scale=weight_scale,
                              normalization=normalization)
    solver = Solver(model, small_data, update_rule="sgd", optim_config={"learning_rate": lr},
                    batch_size=25, num_epochs=20, verbose=False, rng=0)
    solver.train()
    assert solver.train_acc_history[-1] == 1.0  # measured on all 50 training examples
    assert solver.loss_history[-1] < 0.1 * solver.loss_history[0]


def test_histories_and_best_params(small_data):
    model = FullyConnectedNet([20], input_dim=28 * 28, num_classes=10, rng=0)
    solver = Solver(model, small_data, optim_config={"learning_rate": 1e-2}, batch_size=10,
                    num_epochs=3, verbose=False, rng=1)
    solver.train()
    assert len(solver.loss_history) == 3 * 5 and solver.t == 15
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 1 + 3  # first iteration + epochs
    assert solver.best_val_acc == max(solver.val_acc_history)
    assert model.params is solver.best_params
    # The kept parameters really score the best validation accuracy.
    assert solver.check_accuracy(small_data["X_val"], small_data["y_val"]) == solver.best_val_acc


def test_callable_update_rule_gets_one_config_per_parameter(rng):
    data = _toy(rng)
    model = _net(8, weight_scale=0.1, rng=2)
    seen = []

    def recording_sgd(w, dw, config=None):
        seen.append((w.copy(), dw.copy(), config))
        return optim.sgd(w, dw, config)

    solver = Solver(model, data, update_rule=recording_sgd, optim_config={"learning_rate": 0.5},
                    batch_size=8, num_epochs=1, verbose=False, rng=0)
    solver._step()
    assert len(seen) == len(model.params)
    for (w, dw, config), name in zip(seen, model.params):
        np.testing.assert_allclose(model.params[name], w - 0.5 * dw)
        assert config is solver.optim_configs[name]
    assert solver.optim_configs["W1"] is not solver.optim_configs["W2"]  # state is per parameter


def test_update_rule_by_name(rng):
    model = _net(8, rng=2)
    solver = Solver(model, _toy(rng), update_rule="adam", verbose=False)
    assert solver.update_rule is optim.adam
    solver._step()
    assert solver.optim_configs["W1"]["t"] == 1  # adam's state lives in the per-parameter config


def test_trajectory_matches_torch_sgd_momentum(rng):
    """Full-batch SGD+momentum through the Solver equals torch.optim.SGD on the same model."""
    data = _toy(rng, n=20)
    model = _net(8, weight_scale=0.3, rng=4)
    t_params = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    solver = Solver(model, data, update_rule="sgd_momentum", optim_config={"learning_rate": 0.1, "momentum": 0.9},
                    batch_size=20, num_epochs=1, verbose=False, rng=0)
    solver._rng = _AllRows()
    opt = torch.optim.SGD(t_params.values(), lr=0.1, momentum=0.9)
    X, y = torch.tensor(data["X_train"]), torch.tensor(data["y_train"])
    for _ in range(6):
        solver._step()
        opt.zero_grad()
        h = torch.relu(X @ t_params["W1"] + t_params["b1"])
        torch.nn.functional.cross_entropy(h @ t_params["W2"] + t_params["b2"], y).backward()
        opt.step()
    for k in model.params:
        np.testing.assert_allclose(model.params[k], t_params[k].detach().numpy(), rtol=1e-10, atol=1e-12)


class _AllRows:
    """A stand-in sampler that returns every row in order (full-batch training)."""

    def choice(self, n, size):
        return np.arange(n)[:size]


def test_lr_schedule_called_once_per_step_from_zero(rng):
    data = _toy(rng)
    calls = []

    def schedule(step):
        calls.append(step)
        return 0.1 / (1 + step)

    model = _net(4, rng=0)
    solver = Solver(model, data, lr_schedule=schedule, batch_size=10, num_epochs=2, verbose=False, rng=0)
    solver.train()
    assert calls == list(range(8))
    np.testing.assert_allclose(solver.lr_history, [0.1 / (1 + s) for s in range(8)])


def test_lr_decay_per_epoch(rng):
    data = _toy(rng)
    model = _net(4, rng=0)
    solver = Solver(model, data, optim_config={"learning_rate": 1.0}, lr_decay=0.5, batch_size=20,
                    num_epochs=3, verbose=False, rng=0)
    solver.train()
    np.testing.assert_allclose(solver.lr_history, [1, 1, 0.5, 0.5, 0.25, 0.25])
    assert solver.optim_configs["W1"]["learning_rate"] == 0.125


def test_early_stopping_keeps_best_params(rng):
    data = _toy(rng)
    data["y_val"] = (data["y_val"] + 1) % 3  # validation labels the net cannot learn
    model = _net(16, weight_scale=0.1, rng=0)
    solver = Solver(model, data, optim_config={"learning_rate": 0.5}, batch_size=10, num_epochs=50,
                    patience=3, verbose=False, rng=0)
    solver.train()
    assert solver.stopped_early and solver.epoch < 50
    best_epoch_index = int(np.argmax(solver.val_acc_history))
    assert len(solver.val_acc_history) - 1 - best_epoch_index == 3  # stopped 3 epochs after the best
    assert solver.check_accuracy(data["X_val"], data["y_val"]) == solver.best_val_acc


def test_abort_factor_stops_a_diverging_run(rng):
    data = _toy(rng)
    model = _net(16, weight_scale=1.0, rng=0)
    solver = Solver(model, data, optim_config={"learning_rate": 1e4}, batch_size=10, num_epochs=20,
                    abort_factor=3, verbose=False, rng=0)
    solver.train()  # no FloatingPointError: the run is aborted before the loss turns into NaN
    assert solver.aborted
    assert solver.loss_history[-1] > 3 * solver.loss_history[0] or not np.isfinite(solver.loss_history[-1])
    assert all(loss <= 3 * solver.loss_history[0] for loss in solver.loss_history[:-1])


def test_checkpoints_are_written_atomically_and_load(rng, tmp_path):
    data = _toy(rng)
    model = _net(4, rng=0)
    name = str(tmp_path / "run")
    solver = Solver(model, data, batch_size=20, num_epochs=2, checkpoint_name=name, verbose=False, rng=0)
    solver.train()
    files = sorted(os.listdir(tmp_path))
    assert files == ["run_epoch_0.pkl", "run_epoch_1.pkl", "run_epoch_2.pkl"]  # no temp files left
    ckpt = load_checkpoint(tmp_path / "run_epoch_2.pkl")
    assert ckpt["epoch"] == 2 and ckpt["update_rule"] == "sgd"
    assert ckpt["loss_history"] == solver.loss_history
    np.testing.assert_array_equal(ckpt["best_params"]["W1"], solver.best_params["W1"])


def test_verbose_prints_progress(rng, capsys):
    data = _toy(rng)
    model = _net(4, rng=0)
    Solver(model, data, batch_size=20, num_epochs=1, print_every=1, rng=0).train()
    out = capsys.readouterr()
    assert "(Iteration 1 / 2) loss:" in out.out and "(Epoch 1 / 1) train acc:" in out.out


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"learning_rate": 1e-3}, ValueError, r"unknown keyword argument\(s\) \['learning_rate'\]"),
    ({"update_rule": "adamw_typo"}, ValueError, "update_rule must be a callable or one of"),
    ({"batch_size": 0}, ValueError, "batch_size must be a positive integer, got 0"),
    ({"num_epochs": 2.5}, ValueError, "num_epochs must be a positive integer"),
    ({"patience": -1}, ValueError, "patience must be a positive integer or None"),
    ({"lr_decay": 0}, ValueError, "lr_decay must be a positive number"),
    ({"lr_schedule": 0.1}, TypeError, "lr_schedule must be a callable"),
    ({"lr_schedule": lambda s: 0.1, "lr_decay": 0.9}, ValueError, "either lr_schedule or lr_decay"),
    ({"abort_factor": 1}, ValueError, "abort_factor must be > 1"),
])
def test_bad_arguments_raise(rng, kwargs, exc, match):
    model = _net(4, rng=0)
    with pytest.raises(exc, match=match):
        Solver(model, _toy(rng), **kwargs)


def test_bad_data_raises(rng):
    model = _net(4, rng=0)
    data = _toy(rng)
    with pytest.raises(ValueError, match=r"data is missing \['X_val', 'y_val'\]"):
        Solver(model, {"X_train": data["X_train"], "y_train": data["y_train"]})
    data["y_val"] = data["y_val"][:3]
    with pytest.raises(ValueError, match="X_val has"):
        Solver(model, data)
    with pytest.raises(TypeError, match="model must have a params dict"):
        Solver(object(), _toy(rng))


def test_takes_a_schedule_from_cs231n_lab_schedules(rng):
    from cs231n_lab.schedules import cosine, warmup
    schedule = warmup(cosine(0.1, 6), 2)
    model = _net(4, rng=0)
    solver = Solver(model, _toy(rng), lr_schedule=schedule, batch_size=10, num_epochs=2, verbose=False, rng=0)
    solver.train()
    np.testing.assert_allclose(solver.lr_history, [schedule(t) for t in range(8)])
