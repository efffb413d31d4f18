"""ThreeLayerConvNet: shapes, init contract, numerical gradients, torch agreement, batch norm, overfitting."""

import numpy as np
import pytest
import torch
import torch.nn.functional as tF

from cs231n_lab.gradcheck import eval_numerical_gradient, rel_error
from cs231n_lab.models import ThreeLayerConvNet
from cs231n_lab.optim import adam

SMALL = dict(input_dim=(2, 6, 6), num_filters=3, filter_size=3, hidden_dim=7, num_classes=4,
             weight_scale=1e-1, dtype=np.float64)


def _batch(rng, n=5, shape=(2, 6, 6), classes=4):
    return rng.standard_normal((n, *shape)), rng.integers(classes, size=n)


def test_parameter_shapes_dtypes_and_cs231n_init_order():
    np.random.seed(231)
    model = ThreeLayerConvNet(input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                              num_classes=10, weight_scale=1e-3)
    np.random.seed(231)  # weights are weight_scale * randn drawn in the order W1, W2, W3
    W1, W2, W3 = 1e-3 * np.random.randn(32, 3, 7, 7), 1e-3 * np.random.randn(32 * 16 * 16, 100), \
        1e-3 * np.random.randn(100, 10)
    expected = {"W1": W1, "b1": np.zeros(32), "W2": W2, "b2": np.zeros(100), "W3": W3, "b3": np.zeros(10)}
    assert sorted(model.params) == sorted(expected)
    for k, v in expected.items():
        assert model.params[k].dtype == np.float32
        np.testing.assert_allclose(model.params[k], v.astype(np.float32))


def test_rng_argument_leaves_the_global_state_alone():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    a = ThreeLayerConvNet(**SMALL, rng=5)
    b = ThreeLayerConvNet(**SMALL, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])


def test_scores_shape_and_initial_loss_is_log_C(rng):
    model = ThreeLayerConvNet(input_dim=(1, 8, 8), num_filters=4, filter_size=3, hidden_dim=10,
                              num_classes=10, weight_scale=1e-4, rng=0)
    X, y = _batch(rng, n=20, shape=(1, 8, 8), classes=10)
    scores = model.loss(X)
    assert scores.shape == (20, 10) and scores.dtype == np.float32
    loss, grads = model.loss(X, y)
    assert abs(loss - np.log(10)) < 1e-3  # tiny weights -> uniform scores -> loss = log(C)
    assert all(grads[k].shape == model.params[k].shape for k in model.params)


@pytest.mark.parametrize("normalization", [None, "batchnorm"])
@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_gradients_match_numerical(rng, normalization, reg):
    model = ThreeLayerConvNet(**SMALL, reg=reg, normalization=normalization, rng=1)
    X, y = _batch(rng)
    loss, grads = model.loss(X, y)
    assert np.isfinite(loss)
    for name in sorted(model.params):
        num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-6)
        if name == "b1" and normalization == "batchnorm":  # batch norm removes the conv bias: db1 = 0
            np.testing.assert_allclose(grads[name], num, atol=1e-8)
        else:
            assert rel_error(grads[name], num) < 1e-5, name


def _torch_loss(p, X, y, reg, bn):
    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    a = tF.conv2d(torch.tensor(X), t["W1"], t["b1"], padding=1)
    if bn:
        a = tF.batch_norm(a, None, None, t["gamma1"], t["beta1"], training=True, eps=1e-5)
    h = tF.max_pool2d(tF.relu(a), 2, stride=2).reshape(len(X), -1)
    a = h @ t["W2"] + t["b2"]
    if bn:
        a = tF.batch_norm(a, None, None, t["gamma2"], t["beta2"], training=True, eps=1e-5)
    scores = tF.relu(a) @ t["W3"] + t["b3"]
    loss = tF.cross_entropy(scores, torch.tensor(y)) + 0.5 * reg * sum((t[k] ** 2).sum() for k in ("W1", "W2", "W3"))
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in t.items()}


@pytest.mark.parametrize("normalization", [None, "batchnorm"])
def test_loss_and_gradients_match_torch_autograd(rng, normalization):
    model = ThreeLayerConvNet(**SMALL, reg=0.3, normalization=normalization, rng=2)
    X, y = _batch(rng, n=8)
    loss, grads = model.loss(X, y)
    t_loss, t_grads = _torch_loss(model.params, X, y, 0.3, normalization == "batchnorm")
    assert abs(loss - t_loss) < 1e-10
    assert sorted(grads) == sorted(t_grads)
    for k in grads:
        np.testing.assert_allclose(grads[k], t_grads[k], rtol=1e-7, atol=1e-10, err_msg=k)


def test_batchnorm_params_and_test_mode_uses_running_averages(rng):
    model = ThreeLayerConvNet(**SMALL, normalization="batchnorm", rng=3)
    assert model.params["gamma1"].shape == (3,) and model.params["beta2"].shape == (7,)
    X, y = _batch(rng, n=16)
    for _ in range(3):
        model.loss(X, y)  # training mode: updates the running statistics of both layers
    assert all(np.any(bp["running_mean"] != 0) for bp in model.bn_params)
    # Test mode: each example's scores no longer depend on the rest of the batch.
    np.testing.assert_allclose(model.loss(X[:3]), model.loss(X)[:3], rtol=1e-10)
    assert all(bp["mode"] == "test" for bp in model.bn_params)


@pytest.mark.parametrize("kwargs, words", [
    (dict(filter_size=4), ["filter_size must be odd", "4"]),
    (dict(input_dim=(1, 7, 8)), ["even", "(7, 8)"]),
    (dict(input_dim=(1, 8)), ["input_dim must be (C, H, W)"]),
    (dict(num_filters=0), ["num_filters must be a positive integer", "0"]),
    (dict(reg=-1.0), ["reg must be", "-1.0"]),
    (dict(normalization="layernorm"), ["normalization must be one of", "layernorm"]),
])
def test_bad_arguments_raise_clear_errors(kwargs, words):
    with pytest.raises(ValueError) as info:
        ThreeLayerConvNet(**dict(SMALL, **kwargs))
    for word in words:
        assert word in str(info.value)


@pytest.mark.slow  # ~2 s alone with one BLAS thread, over 10 s on a loaded 2-core machine
def test_overfits_50_training_images_to_100_percent():
    # The babysitting check from the lecture: a working net memorises a tiny training set.
    from cs231n_lab.datasets import get_split_data
    data = get_split_data(num_training=50, num_validation=1, num_test=1, dtype=np.float64)
    X, y = data["X_train"], data["y_train"]
    model = ThreeLayerConvNet(input_dim=(1, 28, 28), num_filters=4, filter_size=3, hidden_dim=50,
                              weight_scale=1e-2, dtype=np.float64, rng=0)
    configs = {k: {"learning_rate": 1e-2} for k in model.params}
    accuracy = 0.0
    for _ in range(80):
        _, grads = model.loss(X, y)
        for k in model.params:
            model.params[k], configs[k] = adam(model.params[k], grads[k], configs[k])
        accuracy = np.mean(model.loss(X).argmax(axis=1) == y)
        if accuracy == 1.0:
            break
    assert accuracy == 1.0
