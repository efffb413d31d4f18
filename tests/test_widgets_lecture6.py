"""The three Lecture 6 widgets build, compute on construction and recompute when a control moves."""

import matplotlib
import pytest

from cs231n_lab.datasets import get_split_data

matplotlib.use("Agg")


def test_activation_widget():
    from cs231n_lab.widgets.activations import make_activation_widget
    box = make_activation_widget("relu")
    assert box.result["name"] == "relu"
    choice, mean, _ = box.children[0].children
    mean.value = -4.0
    assert box.result["dead"] > 0.99
    choice.value = "elu"
    assert box.result["name"] == "elu" and box.result["dead"] == 0.0


def test_init_widget():
    from cs231n_lab.widgets.weight_init import make_init_widget
    box = make_init_widget("tanh", "small", num_examples=50)
    assert box.result["act_std"][-1] < 1e-5
    act, scheme, std = box.children[0].children
    scheme.value = "std slider"
    std.value = 1.0
    assert box.result["init"] == "std 1" and box.result["act_std"][-1] > 0.9


def test_learning_rate_widget():
    from cs231n_lab.widgets.learning_rate import make_learning_rate_widget
    data = get_split_data(num_training=200, num_validation=100, num_test=1)
    box = make_learning_rate_widget(data, learning_rate=1e-1, num_steps=40, num_train=200)
    assert box.result["learning_rate"] == pytest.approx(1e-1)
    lr, _ = box.children[0].children
    lr.value = 100.0
    assert box.result["aborted"] and "too high" in box.children[1].value
