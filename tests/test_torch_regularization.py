"""cs231n_lab.pytorch.regularization: dropout MLP, stochastic depth, fractional pooling, ensembles."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from cs231n_lab.models import FullyConnectedNet
from cs231n_lab.pytorch.regularization import (SnapshotEnsemble, StochasticDepthBlock, WeightAverage,
                                               ensemble_predict, flip_transforms, fractional_max_pool2d,
                                               make_mlp, survival_probs, tta_predict)
from cs231n_lab.schedules import cyclic_cosine


def test_make_mlp_matches_fully_connected_net_at_test_time(rng):
    np.random.seed(0)
    net = FullyConnectedNet([6, 5], input_dim=12, num_classes=4, dropout_keep_ratio=0.7, dtype=np.float64,
                            weight_scale=0.3)
    mlp = make_mlp(12, [6, 5], 4, dropout_keep_ratio=0.7).double()
    linears = [m for m in mlp if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for i, lin in enumerate(linears, start=1):
            lin.weight.copy_(torch.from_numpy(net.params[f"W{i}"].T))
            lin.bias.copy_(torch.from_numpy(net.params[f"b{i}"]))
    x = rng.normal(size=(8, 3, 4))
    mlp.eval()
    np.testing.assert_allclose(mlp(torch.from_numpy(x)).detach().numpy(), net.loss(x), atol=1e-12)
    drops = [m for m in mlp if isinstance(m, nn.Dropout)]
    assert len(drops) == 2 and all(abs(d.p - 0.3) < 1e-12 for d in drops)


def test_torch_dropout_is_inverted_like_ours(rng):
    x = torch.from_numpy(rng.normal(size=(200, 300)))
    drop = make_mlp(1, [1], 1, dropout_keep_ratio=0.25)[3].train()
    torch.manual_seed(0)
    out = drop(x)
    kept = out != 0
    assert abs(kept.double().mean().item() - 0.25) < 0.01
    torch.testing.assert_close(out[kept], x[kept] / 0.25)       # scaled at train time
    assert torch.equal(drop.eval()(x), x)                       # identity at test time
    with pytest.raises(ValueError, match="keeping"):
        make_mlp(3, [2], 2, dropout_keep_ratio=0)


def test_stochastic_depth_block(rng):
    torch.manual_seed(0)
    branch = nn.Linear(5, 5).double()
    x = torch.from_numpy(rng.normal(size=(4000, 5)))
    block = StochasticDepthBlock(branch, 0.6, generator=torch.Generator().manual_seed(1))
    out = block.train()(x)
    full = (x + branch(x)).detach()
    dropped = torch.isclose(out, x).all(1)
    assert abs(dropped.double().mean().item() - 0.4) < 0.03                 # P(skip) = 1 - p
    torch.testing.assert_close(out[~dropped], (x + branch(x) / 0.6)[~dropped])
    assert (out.mean(0) - full.mean(0)).abs().max() < 0.1                    # expectation = test output
    torch.testing.assert_close(block.eval()(x), full)
    again = StochasticDepthBlock(branch, 0.6, generator=torch.Generator().manual_seed(1)).train()(x)
    torch.testing.assert_close(again, out)
    # gradients flow only through the surviving branches
    block.train()
    block.generator = torch.Generator().manual_seed(1)
    branch.zero_grad()
    block(x[:1]).sum().backward()
    assert branch.weight.grad is not None
    with pytest.raises(ValueError, match="survival_prob"):
        StochasticDepthBlock(branch, 0.0)


def test_survival_probs_linear_decay():
    p = survival_probs(4, last=0.5)
    np.testing.assert_allclose(p, [0.875, 0.75, 0.625, 0.5])
    with pytest.raises(ValueError, match="num_blocks"):
        survival_probs(0)


def _intervals(u, size_in, size_out, k):
    # Graham's pseudo-random sequence, as torch generates it (FractionalMaxPool2d.cpp).
    alpha = (size_in - k) / (size_out - 1)
    return [int((i + u) * alpha) - int(u * alpha) for i in range(size_out - 1)] + [size_in - k]


@pytest.mark.parametrize("seed", range(5))
def test_fractional_max_pool_against_its_definition(seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(2, 3, 11, 13, generator=g, dtype=torch.float64)
    out = fractional_max_pool2d(x, output_ratio=0.7, generator=torch.Generator().manual_seed(seed))
    assert out.shape == (2, 3, 7, 9)
    u = torch.rand(2, 3, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    for n in range(2):
        for c in range(3):
            rows = _intervals(u[n, c, 1].item(), 11, 7, 2)
            cols = _intervals(u[n, c, 0].item(), 13, 9, 2)
            ref = torch.tensor([[x[n, c, i:i + 2, j:j + 2].max() for j in cols] for i in rows], dtype=x.dtype)
            torch.testing.assert_close(out[n, c], ref)
    with pytest.raises(ValueError, match="output_ratio"):
        fractional_max_pool2d(x, output_ratio=1.5)


def _linear_models(n, seed=0):
    torch.manual_seed(seed)
    return [nn.Linear(4, 3).double() for _ in range(n)]


def test_ensemble_predict_averages_probabilities(rng):
    models = _linear_models(3)
    x = torch.from_numpy(rng.normal(size=(5, 4)))
    probs = ensemble_predict(models, x)
    ref = sum(F.softmax(m(x), 1) for m in models) / 3
    torch.testing.assert_close(probs, ref.detach())
    torch.testing.assert_close(probs.sum(1), torch.ones(5, dtype=torch.float64))
    with pytest.raises(ValueError, match="at least one"):
        ensemble_predict([], x)


def test_snapshot_ensemble_takes_snapshots_at_the_lr_minima():
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    schedule = cyclic_cosine(0.1, cycle_steps=5, cycle_mult=2)
    snaps = SnapshotEnsemble(cycle_steps=5, cycle_mult=2)
    x, y = torch.randn(16, 3), torch.randint(0, 2, (16,))
    for step in range(35):
        for group in opt.param_groups:
            group["lr"] = schedule(step)
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        snaps.after_step(model, step)
    assert snaps.steps == [4, 14, 34]                               # cycles of 5, 10, 20 steps
    lrs = [schedule(s) for s in range(35)]
    for s in snaps.steps:                                           # each is the last step before a restart
        assert lrs[s] == min(lrs[max(0, s - 4):s + 1]) and (s + 1 == 35 or schedule(s + 1) == pytest.approx(0.1))
    torch.testing.assert_close(snaps.models(model)[-1].weight, model.weight)
    probs = snaps.predict(model, x)
    ref = sum(F.softmax(m(x), 1) for m in snaps.models(model)) / 3
    torch.testing.assert_close(probs, ref.detach())
    with pytest.raises(ValueError, match="no snapshot"):
        SnapshotEnsemble(3).predict(model, x)


@pytest.mark.parametrize("decay", [None, 0.9, 0.999])
def test_weight_average_matches_swa_utils(decay):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)).double()
    ours = WeightAverage(model, decay=decay)
    ref = AveragedModel(model) if decay is None else AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    history = []
    for _ in range(20):
        x, y = torch.randn(16, 4, dtype=torch.float64), torch.randint(0, 3, (16,))
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        ours.update(model)
        ref.update_parameters(model)
        history.append([p.detach().clone() for p in model.parameters()])
    for a, b in zip(ours.module.parameters(), ref.module.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    if decay is None:   # Polyak: plain mean of the iterates
        for i, a in enumerate(ours.module.parameters()):
            torch.testing.assert_close(a, torch.stack([h[i] for h in history]).mean(0))
    assert ours.n_averaged == 20
    with pytest.raises(ValueError, match="decay"):
        WeightAverage(model, decay=1.0)


def test_tta_predict(rng):
    model = _linear_models(1)[0]
    flat = nn.Sequential(nn.Flatten(), nn.Linear(12, 3)).double()
    x = torch.from_numpy(rng.normal(size=(5, 1, 3, 4)))
    torch.testing.assert_close(tta_predict(flat, x, [lambda v: v]), F.softmax(flat(x), 1).detach())
    ref = (F.softmax(flat(x), 1) + F.softmax(flat(x.flip(-1)), 1)) / 2
    torch.testing.assert_close(tta_predict(flat, x), ref.detach())
    # A mirror-symmetric model gains nothing from flip TTA.
    with torch.no_grad():
        w = flat[1].weight.view(3, 1, 3, 4)
        w.copy_((w + w.flip(-1)) / 2)
    torch.testing.assert_close(tta_predict(flat, x), F.softmax(flat(x), 1).detach())
    assert len(flip_transforms()) == 2 and model.training
    with pytest.raises(ValueError, match="at least one"):
        tta_predict(flat, x, [])
