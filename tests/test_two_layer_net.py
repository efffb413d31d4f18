import numpy as np
import pytest
import torch

from cs231n_lab.gradcheck import eval_numerical_gradient, rel_error
from cs231n_lab.models import TwoLayerNet
from cs231n_lab.optim import sgd


def make_net(reg, seed=0):
    N, D, H, C = 3, 5, 50, 7
    np.random.seed(seed)
    X = np.random.randn(N, D)
    y = np.random.randint(C, size=N)
    net = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-1, reg=reg)
    return net, X, y


def test_init_follows_cs231n_order_and_scale():
    np.random.seed(1)
    net = TwoLayerNet(input_dim=4, hidden_dim=3, num_classes=2, weight_scale=0.5)
    np.random.seed(1)
    w1, w2 = 0.5 * np.random.randn(4, 3), 0.5 * np.random.randn(3, 2)
    assert np.array_equal(net.params["W1"], w1) and np.array_equal(net.params["W2"], w2)
    assert not net.params["b1"].any() and not net.params["b2"].any()


def test_rng_argument_gives_reproducible_independent_weights():
    a = TwoLayerNet(input_dim=4, hidden_dim=3, num_classes=2, rng=7)
    b = TwoLayerNet(input_dim=4, hidden_dim=3, num_classes=2, rng=np.random.default_rng(7))
    gen = np.random.default_rng(7)
    w1 = 1e-3 * gen.standard_normal((4, 3))
    assert np.array_equal(a.params["W1"], w1) and np.array_equal(a.params["W1"], b.params["W1"])
    assert a.params["W2"].shape == (3, 2)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_gradients_pass_numerical_check(reg, seed):
    net, X, y = make_net(reg, seed)
    loss, grads = net.loss(X, y)
    for name in ("W1", "b1", "W2", "b2"):
        # h=1e-4 rather than 1e-5: with a loss of ~2, float64 round-off in f(x+h)-f(x-h)
        # is ~1e-16/h, which at h=1e-5 already reaches 1e-7 relative on small entries.
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], net.params[name], verbose=False, h=1e-4)
        assert rel_error(num, grads[name]) < 1e-7, name


def test_loss_and_gradients_match_torch():
    net, X, y = make_net(0.3)
    loss, grads = net.loss(X, y)
    p = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    h = torch.relu(torch.tensor(X) @ p["W1"] + p["b1"])
    scores = h @ p["W2"] + p["b2"]
    lt = torch.nn.functional.cross_entropy(scores, torch.tensor(y)) + 0.5 * 0.3 * (
        (p["W1"] ** 2).sum() + (p["W2"] ** 2).sum())
    lt.backward()
    assert loss == pytest.approx(lt.item(), rel=1e-12)
    for k in p:
        assert rel_error(grads[k], p[k].grad.numpy()) < 1e-10


def test_scores_when_no_labels():
    net, X, _ = make_net(0.0)
    assert net.loss(X).shape == (3, 7)


def test_overfits_small_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 10))
    y = rng.integers(0, 3, size=20)
    np.random.seed(0)
    net = TwoLayerNet(input_dim=10, hidden_dim=50, num_classes=3, weight_scale=0.1)
    config = {}
    for _ in range(300):
        _, grads = net.loss(X, y)
        for k in net.params:
            config.setdefault(k, {"learning_rate": 0.5})
            net.params[k], config[k] = sgd(net.params[k], grads[k], config[k])
    assert np.mean(net.loss(X).argmax(axis=1) == y) == 1.0


def test_bad_arguments():
    with pytest.raises(ValueError, match="hidden_dim must be a positive integer"):
        TwoLayerNet(hidden_dim=0)
    with pytest.raises(ValueError, match="reg must be >= 0"):
        TwoLayerNet(reg=-1)
