"""FullyConnectedNet: parameter conventions, gradient checks (plain, batch/layer norm, dropout), torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cs231n_lab.gradcheck import eval_numerical_gradient, rel_error
from cs231n_lab.models import FullyConnectedNet

N, D, H1, H2, C = 4, 15, 20, 30, 10


def _data(rng):
    return rng.standard_normal((N, D)), rng.integers(C, size=N)


@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
@pytest.mark.parametrize("keep", [1, 0.5])
@pytest.mark.parametrize("reg", [0.0, 0.5])
def test_gradient_check_float64(normalization, keep, reg):
    """Every parameter's analytic gradient within 1e-6 relative error of the centred difference.

    A fixed, small problem (seed 3): the element-wise relative error is only meaningful for
    entries well above the finite-difference noise (~eps * loss / h ~ 1e-11), and a random
    draw can put a ReLU input within h of its kink; this seed has neither problem (worst
    error ~2e-7, five times below the bound)."""
    n, d, h1, h2, c = 5, 8, 10, 12, 5
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((n, d)), rng.integers(c, size=n)
    np.random.seed(3)
    model = FullyConnectedNet([h1, h2], input_dim=d, num_classes=c, normalization=normalization,
                              dropout_keep_ratio=keep, reg=reg, weight_scale=0.3, dtype=np.float64, seed=123)
    loss, grads = model.loss(X, y)
    assert set(grads) == set(model.params)
    for name in sorted(model.params):
        # h = 2e-5 halves the rounding noise of h = 1e-5; the worst error here is ~2e-7.
        num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=2e-5)
        if normalization == "batchnorm" and name in ("b1", "b2"):
            # Batch norm subtracts the batch mean, so a bias just before it cancels exactly:
            # its true gradient is 0 and a relative error would only measure rounding noise.
            assert np.max(np.abs(grads[name])) < 1e-12 and np.max(np.abs(num)) < 1e-9
            continue
        assert rel_error(num, grads[name]) < 1e-6, name


def test_param_names_shapes_and_init(rng):
    np.random.seed(0)
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, normalization="batchnorm", weight_scale=0.1)
    np.random.seed(0)
    W1 = 0.1 * np.random.randn(D, H1)
    W2 = 0.1 * np.random.randn(H1, H2)  # drawn layer by layer from the global state, CS231n's order
    np.testing.assert_allclose(model.params["W1"], W1.astype(np.float32))
    np.testing.assert_allclose(model.params["W2"], W2.astype(np.float32))
    assert sorted(model.params) == sorted(["W1", "b1", "W2", "b2", "W3", "b3",
                                           "gamma1", "beta1", "gamma2", "beta2"])
    assert model.params["W3"].shape == (H2, C) and model.params["gamma2"].shape == (H2,)
    assert np.all(model.params["gamma1"] == 1) and np.all(model.params["beta1"] == 0)
    assert np.all(model.params["b3"] == 0)
    assert all(v.dtype == np.float32 for v in model.params.values())
    assert model.num_layers == 3 and len(model.bn_params) == 2


def test_rng_gives_reproducible_weights_without_global_state():
    a = FullyConnectedNet([5], input_dim=4, num_classes=3, rng=1)
    b = FullyConnectedNet([5], input_dim=4, num_classes=3, rng=1)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])


def test_initial_loss_is_log_C_and_reg_adds_half_sum_of_squares(rng):
    X, y = rng.standard_normal((50, D)), rng.integers(C, size=50)
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, weight_scale=1e-3, dtype=np.float64, rng=0)
    loss, _ = model.loss(X, y)
    assert abs(loss - np.log(C)) < 1e-3
    model.reg = 2.0
    loss_reg, _ = model.loss(X, y)
    expected = 0.5 * 2.0 * sum(np.sum(model.params[f"W{i}"] ** 2) for i in (1, 2, 3))
    assert abs(loss_reg - loss - expected) < 1e-12


def test_matches_torch_forward_and_backward(rng):
    X, y = _data(rng)
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, weight_scale=0.1, reg=0.5,
                              dtype=np.float64, rng=3)
    loss, grads = model.loss(X, y)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    h = torch.tensor(X)
    for i in (1, 2):
        h = F.relu(h @ t[f"W{i}"] + t[f"b{i}"])
    scores = h @ t["W3"] + t["b3"]
    tloss = F.cross_entropy(scores, torch.tensor(y)) + 0.5 * 0.5 * sum((t[f"W{i}"] ** 2).sum() for i in (1, 2, 3))
    tloss.backward()
    assert abs(loss - tloss.item()) < 1e-12
    for k in model.params:
        assert rel_error(grads[k], t[k].grad.numpy()) < 1e-9, k


def test_test_mode_uses_running_stats_and_disables_dropout(rng):
    X, y = rng.standard_normal((40, D)), rng.integers(C, size=40)
    model = FullyConnectedNet([H1], input_dim=D, num_classes=C, normalization="batchnorm",
                              dropout_keep_ratio=0.5, dtype=np.float64, rng=0)
    for _ in range(3):
        model.loss(X, y)
    assert model.bn_params[0]["mode"] == "train" and np.any(model.bn_params[0]["running_mean"] != 0)
    scores_all = model.loss(X)
    scores_one = model.loss(X[:1])
    np.testing.assert_allclose(scores_all[:1], scores_one)  # deterministic, batch-independent
    assert model.bn_params[0]["mode"] == "test" and model.dropout_param["mode"] == "test"


@pytest.mark.parametrize("kwargs, match", [
    ({"normalization": "groupnorm"}, "normalization must be None, 'batchnorm' or 'layernorm', got 'groupnorm'"),
    ({"dropout_keep_ratio": 0}, r"dropout_keep_ratio .* must be in \(0, 1\], got 0"),
    ({"dropout_keep_ratio": 1.2}, r"must be in \(0, 1\]"),
    ({"reg": -1}, "reg must be >= 0, got -1"),
    ({"input_dim": 0}, "input_dim must be a positive integer, got 0"),
    ({"hidden_dims": [10, 2.5]}, r"hidden_dims\[1\] must be a positive integer, got 2.5"),
])
def test_bad_arguments_raise(kwargs, match):
    args = {"hidden_dims": [10], **kwargs}
    with pytest.raises(ValueError, match=match):
        FullyConnectedNet(**args)


def test_hidden_activations_are_the_relu_outputs(rng):
    X = rng.standard_normal((6, D))
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, weight_scale=0.2, dtype=np.float64, rng=0)
    h1, h2 = model.hidden_activations(X)
    p = model.params
    expected1 = np.maximum(0, X @ p["W1"] + p["b1"])
    np.testing.assert_allclose(h1, expected1)
    np.testing.assert_allclose(h2, np.maximum(0, expected1 @ p["W2"] + p["b2"]))
    np.testing.assert_allclose(h2 @ p["W3"] + p["b3"], model.loss(X))


@pytest.mark.parametrize("normalization", ["batchnorm", "layernorm"])
def test_normalised_dropout_net_matches_torch(rng, normalization):
    """The whole train-mode graph - affine, batch/layer norm, ReLU, seeded dropout - against torch autograd."""
    X, y = _data(rng)
    keep, seed = 0.6, 7
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, normalization=normalization,
                              dropout_keep_ratio=keep, reg=0.1, weight_scale=0.2, dtype=np.float64, seed=seed, rng=5)
    loss, grads = model.loss(X, y)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    h = torch.tensor(X)
    for i, width in ((1, H1), (2, H2)):
        h = h @ t[f"W{i}"] + t[f"b{i}"]
        if normalization == "batchnorm":
            h = F.batch_norm(h, None, None, t[f"gamma{i}"], t[f"beta{i}"], training=True, eps=1e-5)
        else:
            h = F.layer_norm(h, (width,), t[f"gamma{i}"], t[f"beta{i}"], eps=1e-5)
        mask = (np.random.RandomState(seed).rand(N, width) < keep) / keep  # the seeded mask dropout_forward draws
        h = F.relu(h) * torch.tensor(mask)
    scores = h @ t["W3"] + t["b3"]
    tloss = F.cross_entropy(scores, torch.tensor(y)) + 0.5 * 0.1 * sum((t[f"W{i}"] ** 2).sum() for i in (1, 2, 3))
    tloss.backward()
    assert abs(loss - tloss.item()) < 1e-12
    for k in model.params:  # atol: the biases before batch norm have true gradient 0 (round-off ~1e-17)
        np.testing.assert_allclose(grads[k], t[k].grad.numpy(), rtol=1e-8, atol=1e-12, err_msg=k)
