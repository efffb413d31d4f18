"""cs231n_lab.regularization (+ label smoothing in losses): numerical and torch gradient checks."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lab import optim
from cs231n_lab.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from cs231n_lab.losses import softmax_loss
from cs231n_lab.regularization import (dropconnect_backward, dropconnect_forward, gaussian_noise_backward,
                                       gaussian_noise_forward, l1_penalty, l2_penalty, with_weight_decay)


def autograd(fn, *arrays):
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = fn(*ts)
    return out, ts


@pytest.mark.parametrize("penalty,torch_fn", [
    (l2_penalty, lambda w, reg: 0.5 * reg * (w ** 2).sum()),
    (l1_penalty, lambda w, reg: reg * w.abs().sum()),
])
def test_penalties_numerical_and_torch(penalty, torch_fn, rng):
    w = rng.normal(size=(7, 5))
    reg = 0.3
    loss, dw = penalty(w, reg)
    num = eval_numerical_gradient(lambda v: penalty(v, reg)[0], w.copy(), verbose=False)
    assert rel_error(dw, num) < 1e-8
    out, (wt,) = autograd(lambda t: torch_fn(t, reg), w)
    out.backward()
    assert abs(loss - out.item()) < 1e-12
    np.testing.assert_allclose(dw, wt.grad.numpy(), atol=1e-12)


def test_l1_makes_small_weights_sparse_l2_does_not():
    # Proximal view on one weight: the minimiser of 0.5 (w - a)^2 + R(w) for small a.
    a = 0.05
    grid = np.linspace(-0.2, 0.2, 40001)
    l1 = grid[np.argmin(0.5 * (grid - a) ** 2 + 0.1 * np.abs(grid))]
    l2 = grid[np.argmin(0.5 * (grid - a) ** 2 + 0.5 * 0.1 * grid ** 2)]
    assert l1 == pytest.approx(0.0, abs=1e-5) and l2 == pytest.approx(a / 1.1, abs=1e-5)


def test_penalties_reject_bad_reg(rng):
    with pytest.raises(ValueError, match="reg"):
        l2_penalty(rng.normal(size=3), -1.0)
    with pytest.raises(ValueError, match="reg"):
        l1_penalty(rng.normal(size=3), float("nan"))


def run_numpy(rule, w, grads, config):
    for g in grads:
        w, config = rule(w, g, config)
    return w


def run_torch(opt_cls, w, grads, **kw):
    p = torch.tensor(w, requires_grad=True)
    opt = opt_cls([p], **kw)
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
    return p.detach().numpy()


def test_decoupled_weight_decay_matches_torch_adamw_and_sgd(rng):
    w0 = rng.normal(size=(4, 3))
    grads = [rng.normal(size=w0.shape) for _ in range(50)]
    ours = run_numpy(with_weight_decay(optim.adam, 0.1), w0, grads, {"learning_rate": 1e-2})
    ref = run_torch(torch.optim.AdamW, w0, grads, lr=1e-2, weight_decay=0.1, eps=1e-8)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)
    # With SGD, decoupled decay and an L2 penalty are the same update (torch's weight_decay).
    ours = run_numpy(with_weight_decay(optim.sgd, 0.1), w0, grads, {"learning_rate": 0.05})
    ref = run_torch(torch.optim.SGD, w0, grads, lr=0.05, weight_decay=0.1)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)
    # ... but with Adam they differ: coupled L2 is torch.optim.Adam(weight_decay), not AdamW.
    coupled = run_torch(torch.optim.Adam, w0, grads, lr=1e-2, weight_decay=0.1)
    assert np.abs(coupled - run_torch(torch.optim.AdamW, w0, grads, lr=1e-2, weight_decay=0.1)).max() > 1e-3


def test_weight_decay_uses_the_rules_default_lr_without_touching_state(rng):
    w = rng.normal(size=5)
    dw = rng.normal(size=5)
    out, config = with_weight_decay(optim.sgd, 0.5)(w, dw)
    np.testing.assert_allclose(out, w - 1e-2 * 0.5 * w - 1e-2 * dw)
    out, config = with_weight_decay(optim.adam, 0.5)(w, dw, None)
    assert config["t"] == 1
    with pytest.raises(ValueError, match="weight_decay"):
        with_weight_decay(optim.sgd, -0.1)
    with pytest.raises(TypeError, match="rule"):
        with_weight_decay("adam", 0.1)


def test_dropconnect_gradients_numerical_and_torch(rng):
    x = rng.normal(size=(4, 2, 3))
    w = rng.normal(size=(6, 5))
    b = rng.normal(size=5)
    dout = rng.normal(size=(4, 5))
    param = {"p": 0.6, "mode": "train", "seed": 3}
    out, cache = dropconnect_forward(x, w, b, param)
    dx, dw, db = dropconnect_backward(dout, cache)
    f = lambda xx, ww, bb: dropconnect_forward(xx, ww, bb, param)[0]  # noqa: E731
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: f(v, w, b), x.copy(), dout)) < 1e-8
    assert rel_error(dw, eval_numerical_gradient_array(lambda v: f(x, v, b), w.copy(), dout)) < 1e-8
    assert rel_error(db, eval_numerical_gradient_array(lambda v: f(x, w, v), b.copy(), dout)) < 1e-8
    mask = cache[1]
    assert set(np.unique(mask)) <= {0.0, 1 / 0.6}
    out_t, (xt, wt, bt) = autograd(lambda a, c, d: F.linear(a.reshape(4, -1), (c * torch.tensor(mask)).T, d),
                                   x, w, b)
    (out_t * torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(out, out_t.detach().numpy(), atol=1e-12)
    for ours, theirs in ((dx, xt), (dw, wt), (db, bt)):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), atol=1e-12)


def test_dropconnect_train_mean_matches_test_and_test_is_plain_affine(rng):
    x = rng.normal(size=(3, 8))
    w = rng.normal(size=(8, 4))
    b = rng.normal(size=4)
    test, _ = dropconnect_forward(x, w, b, {"p": 0.5, "mode": "test"})
    np.testing.assert_allclose(test, x @ w + b)
    mean = np.mean([dropconnect_forward(x, w, b, {"p": 0.5, "mode": "train", "seed": s})[0]
                    for s in range(4000)], axis=0)
    assert np.abs(mean - test).max() < 0.15 * np.abs(test).max()
    full, _ = dropconnect_forward(x, w, b, {"p": 1.0, "mode": "train", "seed": 0})
    np.testing.assert_allclose(full, test)
    _, cache = dropconnect_forward(x, w, b, {"p": 0.5, "mode": "test"})
    _, dw, _ = dropconnect_backward(np.ones((3, 4)), cache)
    np.testing.assert_allclose(dw, x.T @ np.ones((3, 4)))


@pytest.mark.parametrize("p", [0.0, -0.2, 1.5, "0.5"])
def test_dropconnect_bad_keep_probability(p, rng):
    with pytest.raises(ValueError, match=r"probability of keeping a weight and must be in \(0, 1\]"):
        dropconnect_forward(rng.normal(size=(2, 3)), rng.normal(size=(3, 2)), np.zeros(2),
                            {"p": p, "mode": "train"})


def test_param_dicts_are_checked(rng):
    x, w, b = rng.normal(size=(2, 3)), rng.normal(size=(3, 2)), np.zeros(2)
    with pytest.raises(ValueError, match="unknown key"):
        dropconnect_forward(x, w, b, {"p": 0.5, "mode": "train", "keep": 1})
    with pytest.raises(ValueError, match="mode"):
        gaussian_noise_forward(x, {"std": 0.1, "mode": "eval"})
    with pytest.raises(ValueError, match="std"):
        gaussian_noise_forward(x, {"std": -1, "mode": "train"})
    with pytest.raises(ValueError, match="'mode'"):
        gaussian_noise_forward(x, {"std": 0.1})


def test_gaussian_noise(rng):
    x = rng.normal(size=(200, 300))
    out, cache = gaussian_noise_forward(x, {"std": 0.5, "mode": "train", "seed": 1})
    noise = out - x
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.5) < 0.01
    again, _ = gaussian_noise_forward(x, {"std": 0.5, "mode": "train", "seed": 1})
    np.testing.assert_array_equal(out, again)
    test, _ = gaussian_noise_forward(x, {"std": 0.5, "mode": "test"})
    np.testing.assert_array_equal(test, x)
    dout = rng.normal(size=(3, 4))
    small = rng.normal(size=(3, 4))
    num = eval_numerical_gradient_array(
        lambda v: gaussian_noise_forward(v, {"std": 0.3, "mode": "train", "seed": 2})[0], small, dout)
    assert rel_error(gaussian_noise_backward(dout, cache), num) < 1e-8
    xt = torch.tensor(small, requires_grad=True)
    (xt + torch.tensor(gaussian_noise_forward(small, {"std": 0.3, "mode": "train", "seed": 2})[0] - small)
     ).mul(torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(gaussian_noise_backward(dout, None), xt.grad.numpy())
    f32 = gaussian_noise_forward(x.astype(np.float32), {"std": 0.1, "mode": "train", "seed": 0})[0]
    assert f32.dtype == np.float32


@settings(max_examples=30, deadline=None)
@given(N=st.integers(1, 6), C=st.integers(2, 7), eps=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
def test_label_smoothing_matches_torch_cross_entropy(N, C, eps, seed):
    r = np.random.default_rng(seed)
    x = 3 * r.normal(size=(N, C))
    y = r.integers(0, C, N)
    loss, dx = softmax_loss(x, y, label_smoothing=eps)
    xt = torch.tensor(x, requires_grad=True)
    ref = F.cross_entropy(xt, torch.tensor(y), label_smoothing=eps)
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-12)


def test_label_smoothing_numerical_gradient(rng):
    x = rng.normal(size=(5, 4))
    y = rng.integers(0, 4, 5)
    _, dx = softmax_loss(x, y, label_smoothing=0.2)
    num = eval_numerical_gradient(lambda v: softmax_loss(v, y, label_smoothing=0.2)[0], x.copy(), verbose=False)
    assert rel_error(dx, num) < 1e-7
    with pytest.raises(ValueError, match="label_smoothing"):
        softmax_loss(x, y, label_smoothing=1.5)


# --- AugmentedModel and ensembles -----------------------------------------------------------
from cs231n_lab.augmentation import make_augment  # noqa: E402
from cs231n_lab.models import FullyConnectedNet  # noqa: E402
from cs231n_lab.regularization import AugmentedModel, ensemble_probs  # noqa: E402


def linear_softmax(rng, reg=0.1, D=(1, 3, 4), C=5):
    net = FullyConnectedNet([], input_dim=int(np.prod(D)), num_classes=C, reg=reg, dtype=np.float64,
                            weight_scale=0.5, rng=1)
    net.params["b1"] = rng.normal(size=C)
    return net


def test_mixup_loss_is_the_soft_target_cross_entropy(rng):
    net = linear_softmax(rng)
    X, y = rng.normal(size=(8, 1, 3, 4)), rng.integers(0, 5, 8)
    loss, grads = AugmentedModel(net, 11, mixup_alpha=0.7).loss(X, y)
    draw = np.random.default_rng(11)                  # the wrapper's draws, in its documented order
    lam, perm = draw.beta(0.7, 0.7), draw.permutation(8)
    Xm = lam * X + (1 - lam) * X[perm]
    q = lam * np.eye(5)[y] + (1 - lam) * np.eye(5)[y[perm]]
    W = torch.tensor(net.params["W1"], requires_grad=True)
    b = torch.tensor(net.params["b1"], requires_grad=True)
    ref = F.cross_entropy(torch.tensor(Xm.reshape(8, -1)) @ W + b, torch.tensor(q)) + 0.5 * 0.1 * (W ** 2).sum()
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-10)
    np.testing.assert_allclose(grads["W1"], W.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["b1"], b.grad.numpy(), atol=1e-12)


def test_label_smoothing_through_the_wrapper_is_unbiased(rng):
    net = linear_softmax(rng, reg=0.0)
    X, y = rng.normal(size=(6, 1, 3, 4)), rng.integers(0, 5, 6)
    wrapped = AugmentedModel(net, 0, label_smoothing=0.3, num_classes=5)
    draws = [wrapped.loss(X, y) for _ in range(3000)]
    mean_loss = np.mean([d[0] for d in draws])
    mean_grad = np.mean([d[1]["W1"] for d in draws], axis=0)
    scores = X.reshape(6, -1) @ net.params["W1"] + net.params["b1"]
    exact_loss, dscores = softmax_loss(scores, y, label_smoothing=0.3)
    exact_grad = X.reshape(6, -1).T @ dscores
    assert mean_loss == pytest.approx(exact_loss, rel=0.02)
    assert np.abs(mean_grad - exact_grad).max() < 0.05 * np.abs(exact_grad).max()


def test_augment_only_at_training_time_and_solver_updates_the_model(rng):
    from cs231n_lab.solver import Solver
    net = linear_softmax(rng)
    X, y = rng.normal(size=(20, 1, 3, 4)), rng.integers(0, 5, 20)
    wrapped = AugmentedModel(net, 0, augment=make_augment(flip=1.0))
    np.testing.assert_array_equal(wrapped.loss(X), net.loss(X))
    loss, grads = wrapped.loss(X, y)
    ref_loss, ref_grads = net.loss(X[..., ::-1], y)
    assert loss == pytest.approx(ref_loss) and np.allclose(grads["W1"], ref_grads["W1"])
    before = net.params["W1"].copy()
    Solver(wrapped, {"X_train": X, "y_train": y, "X_val": X, "y_val": y}, num_epochs=2, batch_size=10,
           verbose=False, rng=0).train()
    assert wrapped.params is net.params and not np.allclose(net.params["W1"], before)


def test_augmented_model_bad_arguments(rng):
    net = linear_softmax(rng)
    with pytest.raises(ValueError, match="num_classes"):
        AugmentedModel(net, 0, label_smoothing=0.1)
    with pytest.raises(ValueError, match="label_smoothing"):
        AugmentedModel(net, 0, label_smoothing=1.0, num_classes=5)
    with pytest.raises(ValueError, match="mixup_alpha"):
        AugmentedModel(net, 0, mixup_alpha=0)
    with pytest.raises(TypeError, match="loss"):
        AugmentedModel(object(), 0)
    with pytest.raises(TypeError, match="rng"):
        AugmentedModel(net, None)


def test_ensemble_probs_is_the_mean_of_softmaxes(rng):
    nets = [linear_softmax(rng) for _ in range(3)]
    X = rng.normal(size=(7, 1, 3, 4))
    probs = ensemble_probs(nets, X, batch_size=3)
    ref = np.mean([torch.softmax(torch.tensor(n.loss(X)), 1).numpy() for n in nets], axis=0)
    np.testing.assert_allclose(probs, ref, atol=1e-12)
    np.testing.assert_allclose(ensemble_probs(nets[:1], X).argmax(1), nets[0].loss(X).argmax(1))
    with pytest.raises(ValueError, match="at least one"):
        ensemble_probs([], X)
