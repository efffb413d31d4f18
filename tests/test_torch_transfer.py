"""Transfer learning: freezing, heads, parameter groups, the four strategies, the shipped backbone."""

import json
import shutil

import numpy as np
import pytest
import torch

from cs231n_lab.pytorch.data import DeviceData, fashion_mnist_arrays
from cs231n_lab.pytorch.loop import evaluate, fit
from cs231n_lab.pytorch.models import ConvNet
from cs231n_lab.pytorch.transfer import (PRETRAINED_DIR, PRETRAINED_NAME, STRATEGIES, count_trainable,
                                         digits_28x28, freeze, load_pretrained, param_groups,
                                         prepare_strategy, replace_head, unfreeze)


def small_net(seed=0):
    torch.manual_seed(seed)
    return ConvNet(1, 5, widths=(4, 8))


def test_freeze_stops_gradients_and_keeps_batchnorm_statistics():
    model = small_net()
    freeze(model.features)
    model.train()
    bn = model.features.block1[1]
    before = bn.running_mean.clone()
    x = torch.randn(8, 1, 12, 12) * 3 + 1
    out = model(x)
    out.sum().backward()
    assert torch.equal(bn.running_mean, before)  # frozen BN does not learn the new data's statistics
    assert all(p.grad is None for p in model.features.parameters())
    assert model.head.weight.grad is not None
    model.eval()
    torch.testing.assert_close(out, model(x))  # train-mode forward == eval-mode forward for a frozen backbone
    unfreeze(model.features)
    model.train()
    model(x)
    assert not torch.equal(bn.running_mean, before)
    assert all(p.requires_grad for p in model.parameters())


def test_replace_head_and_param_groups():
    model = small_net()
    old = model.head
    head = replace_head(model, 7)
    assert head is model.head and head is not old and head.out_features == 7 and head.in_features == 8
    assert model(torch.randn(2, 1, 12, 12)).shape == (2, 7)
    groups = param_groups(model, lr=0.1, backbone_lr_scale=0.1)
    assert [g["lr"] for g in groups] == [pytest.approx(0.01), 0.1]
    assert [g["lr_scale"] for g in groups] == [0.1, 1.0]
    freeze(model.features)
    assert len(param_groups(model, 0.1)) == 1
    freeze(model.head)
    with pytest.raises(ValueError, match="no trainable parameters"):
        param_groups(model, 0.1)
    with pytest.raises(ValueError, match="num_classes"):
        replace_head(model, 0)
    with pytest.raises(TypeError, match="head"):
        replace_head(torch.nn.Linear(2, 2), 3)


def test_strategies_train_the_right_parameters():
    pre = small_net()
    counts = {s: count_trainable(prepare_strategy(pre, s, num_classes=3)) for s in STRATEGIES}
    head = 8 * 3 + 3
    top = sum(p.numel() for p in pre.features.block2.parameters())
    total = counts["finetune_all"][1]
    assert counts["linear_probe"][0] == head
    assert counts["finetune_top"][0] == top + head
    assert counts["finetune_all"][0] == total == counts["scratch"][0]
    scratch = prepare_strategy(pre, "scratch", 3, seed=1)
    assert not torch.equal(scratch.features.block1[0].weight, pre.features.block1[0].weight)
    tuned = prepare_strategy(pre, "finetune_all", 3)
    assert torch.equal(tuned.features.block1[0].weight, pre.features.block1[0].weight)
    with pytest.raises(ValueError, match="strategy"):
        prepare_strategy(pre, "fine-tune", 3)


def test_linear_probe_leaves_the_backbone_bitwise_unchanged():
    pre = small_net()
    model = prepare_strategy(pre, "linear_probe", 3)
    g = np.random.default_rng(0)
    X, y = g.normal(size=(24, 1, 12, 12)).astype(np.float32), g.integers(0, 3, 24)
    opt = torch.optim.SGD(param_groups(model, 0.1), lr=0.1, momentum=0.9)
    fit(model, DeviceData(X, y, 8), optimizer=opt, epochs=3, progress=False)
    for (k, a), b in zip(model.features.state_dict().items(), pre.features.state_dict().values()):
        assert torch.equal(a, b), k


def test_shipped_backbone_loads_with_checksum_and_classifies_classes_0_to_4():
    model = load_pretrained()
    info = model.pretrained_info
    assert info["settings"]["classes"] == [0, 1, 2, 3, 4] and info["config"]["num_classes"] == 5
    _, _, X_test, y_test = fashion_mnist_arrays((0, 1, 2, 3, 4))
    acc = evaluate(model, DeviceData(X_test, y_test, 500, shuffle=False))["acc"]
    assert acc == pytest.approx(info["settings"]["test_acc_classes_0_4"], abs=2e-3)
    assert acc > 0.85


def test_damaged_or_missing_pretrained_file_is_refused(tmp_path):
    for ext in (".pt", ".json"):
        shutil.copy(f"{PRETRAINED_DIR}/{PRETRAINED_NAME}{ext}", tmp_path)
    path = tmp_path / f"{PRETRAINED_NAME}.pt"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="fail their checksum"):
        load_pretrained(tmp_path)
    path.unlink()
    with pytest.raises(FileNotFoundError, match="--make-pretrained"):
        load_pretrained(tmp_path)
    record = json.loads((tmp_path / f"{PRETRAINED_NAME}.json").read_text())
    assert len(record["sha256"]) == 64


def test_digits_are_28x28_standardised_and_labelled():
    X, y = digits_28x28()
    assert X.shape == (1797, 1, 28, 28) and X.dtype == np.float32
    assert sorted(np.unique(y)) == list(range(10))
    raw_min = (0 - 0.2860) / 0.3530
    assert X.min() == pytest.approx(raw_min, abs=1e-5) and X.max() == pytest.approx((1 - 0.2860) / 0.3530, abs=1e-5)


def test_fashion_arrays_renumber_classes_and_sample_per_class():
    X, y, Xt, yt = fashion_mnist_arrays((9, 5), per_class=7, seed=3)
    assert X.shape == (14, 1, 28, 28) and sorted(np.bincount(y)) == [7, 7]
    full = fashion_mnist_arrays()
    assert set(np.unique(yt)) == {0, 1}
    assert len(yt) == (full[3] == 9).sum() + (full[3] == 5).sum()


def test_digits_split_keeps_one_fixed_test_set():
    from cs231n_lab.pytorch.transfer import digits_split

    a = digits_split(10, seed=0)
    b = digits_split(100, seed=1)
    assert a[0].shape == (100, 1, 28, 28) and np.bincount(a[1]).tolist() == [10] * 10
    assert np.bincount(b[1]).tolist() == [100] * 10
    np.testing.assert_array_equal(a[3], b[3])
    np.testing.assert_array_equal(a[2], b[2])
    assert len(a[3]) == 1797 - 1200
    with pytest.raises(ValueError, match="per_class"):
        digits_split(121)


def test_plot_transfer_table_draws_one_panel_per_cell():
    import matplotlib
    matplotlib.use("Agg")
    from cs231n_lab.viz.training import plot_transfer_table

    table = {d: {s: {k: 0.5 + 0.1 * i for i, k in enumerate(STRATEGIES)} for s in ("little", "more")}
             for d in ("similar", "different")}
    fig = plot_transfer_table(table)
    assert len(fig.axes) == 4 and len(fig.axes[0].patches) == 4
