"""The Lecture 7 regularisation figures and widgets, tested without a browser."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from cs231n_lab.viz.regularization import (AUGMENTATIONS, compute_augmentation_grid,  # noqa: E402
                                           compute_dropout_view, compute_results_table, load_sample_image,
                                           plot_augmentation_grid, plot_dropout_view,
                                           plot_regularization_results)


@pytest.fixture(scope="module")
def image():
    return load_sample_image(size=32)


def test_sample_image_is_a_real_colour_image(image):
    assert image.shape == (1, 3, 32, 32) and 0 <= image.min() and image.max() <= 1
    assert image.std() > 0.1                                         # not blank
    assert np.abs(image[0, 0] - image[0, 2]).mean() > 0.02           # channels differ: colour
    with pytest.raises(ValueError, match="name"):
        load_sample_image("lena.png")


@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_each_operation_changes_the_copies_but_not_the_original(name, image):
    two = np.concatenate([image, image[:, :, ::-1]])                 # mixup needs a partner
    grid = compute_augmentation_grid(two, {name: 0.6}, num_samples=5, seed=1)
    assert grid.shape == (2, 5, 3, 32, 32)
    np.testing.assert_array_equal(grid[:, 0], two)
    assert any(not np.allclose(grid[0, j], two[0]) for j in range(1, 5))
    np.testing.assert_array_equal(grid, compute_augmentation_grid(two, {name: 0.6}, num_samples=5, seed=1))


def test_grid_errors_and_plot(image):
    with pytest.raises(ValueError, match="unknown operation"):
        compute_augmentation_grid(image, {"rotate": 1.0})
    fig = plot_augmentation_grid(compute_augmentation_grid(image, {"flip": 1.0}, num_samples=3), title="t")
    assert len(fig.axes) == 3


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_view_numbers(p):
    v = compute_dropout_view(p, num_units=100, num_masks=3000, seed=2)
    assert abs(v["dropped_fraction"] - (1 - p)) < 0.02
    np.testing.assert_array_equal(v["test"], v["h"])
    assert np.abs(v["expected"] - v["h"]).max() < 0.25 * v["h"].max()    # mean over masks -> h
    assert abs(v["running"][-1] - v["test_readout"]) < 0.1 * abs(v["test_readout"]) + 0.05
    kept = v["masked"] > 0
    np.testing.assert_allclose(v["masked"][kept], v["h"][kept] / p)
    assert len(plot_dropout_view(v).axes) == 4
    with pytest.raises(ValueError, match="keep_prob"):
        compute_dropout_view(0.0)


def test_results_table_and_bars():
    rows = compute_results_table({"baseline": {"train_acc": 0.99, "val_acc": 0.8},
                                  "L2": {"train_acc": 0.9, "val_acc": 0.85}})
    assert [r["name"] for r in rows] == ["baseline", "L2"]
    assert rows[0]["gap"] == pytest.approx(0.19) and rows[1]["gap"] == pytest.approx(0.05)
    fig = plot_regularization_results(rows)
    assert len(fig.axes[0].patches) == 4 and len(fig.axes[1].patches) == 2


def test_widgets_recompute_on_change(image):
    from cs231n_lab.widgets.regularization import make_augmentation_widget, make_dropout_widget
    w = make_dropout_widget(keep_prob=0.5, num_masks=50)
    slider = w.children[0].children[0]
    slider.value = 0.8
    assert w.result["keep_prob"] == 0.8
    a = make_augmentation_widget(image, num_samples=3, selected=())
    np.testing.assert_array_equal(a.result[0, 1], image[0])            # nothing selected: copies unchanged
    a.children[0].children[0].value = True                              # tick "flip" ...
    a.children[0].children[1].value = 1.0                               # ... with probability 1
    np.testing.assert_array_equal(a.result[0, 1], image[0][..., ::-1])


def _tiny_data(seed=0):
    r = np.random.default_rng(seed)
    y = r.integers(0, 3, 150)
    X = (r.normal(size=(150, 1, 6, 6)) + y[:, None, None, None]).astype(np.float32)  # learnable
    return {"X_train": X[:100], "y_train": y[:100], "X_val": X[100:], "y_val": y[100:]}


def test_regularization_run_is_seeded_and_ensemble_is_consistent():
    from cs231n_lab.augmentation import make_augment
    from cs231n_lab.viz.regularization import accuracy, compute_ensemble, compute_regularization_run
    data = _tiny_data()
    kw = dict(hidden_dims=(16,), num_epochs=30, learning_rate=1e-2, dropout_keep_ratio=0.7, augment=make_augment(flip=0.5),
              label_smoothing=0.1)
    a, b = compute_regularization_run(data, seed=3, **kw), compute_regularization_run(data, seed=3, **kw)
    for k in a["model"].params:
        np.testing.assert_array_equal(a["model"].params[k], b["model"].params[k])
    assert a["test_acc"] is None and 0 <= a["val_acc"] <= 1 and len(a["val_acc_history"]) == 30
    assert a["train_acc"] == accuracy(a["model"], data["X_train"], data["y_train"])
    assert a["val_acc"] > 0.5                                                # it learned something
    ens = compute_ensemble([a["model"], b["model"]], data["X_val"], data["y_val"])
    assert ens["ensemble"] == ens["single"][0] and ens["gain_over_mean"] == 0.0   # identical members
