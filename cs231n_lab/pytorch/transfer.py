"""Tier C - transfer learning (Lecture 7): reuse a backbone trained on another data set.

The lecture's recipe, for a model with ``features`` (backbone) and ``head`` (classifier):

  little data  -> freeze the backbone, train a new linear head   ("linear probe")
  more data    -> also fine-tune the top block(s)                ("fine-tune top")
  lots of data -> fine-tune everything, backbone at a lower lr   ("fine-tune all")
  and compare with training the same network from scratch.

``freeze``/``unfreeze`` switch ``requires_grad``; a frozen batch-norm layer also keeps
using its running averages (the statistics of the *source* data) even in ``model.train()``.
``param_groups`` gives the backbone a smaller learning rate (``lr_scale``, honoured by
``fit``'s schedule). ``load_pretrained`` loads the shipped backbone after checking its
SHA-256; ``python -m cs231n_lab.train --make-pretrained`` reproduces it.
"""

import hashlib
import json
import os

import numpy as np
import torch
from torch import nn

from cs231n_lab.pytorch.checkpoint import atomic_write_bytes
from cs231n_lab.pytorch.models import ConvNet

__all__ = ["freeze", "unfreeze", "replace_head", "param_groups", "count_trainable", "prepare_strategy",
           "STRATEGIES", "PRETRAINED_DIR", "PRETRAINED_NAME", "save_pretrained", "load_pretrained",
           "digits_28x28", "digits_split", "train_strategy"]

PRETRAINED_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                              "datasets", "pretrained")
PRETRAINED_NAME = "fashion04_convnet"
STRATEGIES = ("linear_probe", "finetune_top", "finetune_all", "scratch")
_BN = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def _keep_eval(module, inputs):
    module.training = False  # a frozen BN normalises with its stored running averages


def freeze(module):
    """Stop training ``module``: no gradients for its parameters; its batch norms stay in eval mode."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"freeze: module must be an nn.Module, got {type(module).__name__}")
    for p in module.parameters():
        p.requires_grad_(False)
    for m in module.modules():
        if isinstance(m, _BN) and getattr(m, "_freeze_hook", None) is None:
            m._freeze_hook = m.register_forward_pre_hook(_keep_eval)
    return module


def unfreeze(module):
    """Undo ``freeze``: gradients again, batch norms follow ``train()``/``eval()`` again."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"unfreeze: module must be an nn.Module, got {type(module).__name__}")
    for p in module.parameters():
        p.requires_grad_(True)
    for m in module.modules():
        if getattr(m, "_freeze_hook", None) is not None:
            m._freeze_hook.remove()
            m._freeze_hook = None
            m.training = True
    return module


def replace_head(model, num_classes):
    """Put a new, randomly initialised ``nn.Linear(D, num_classes)`` as ``model.head``; return it."""
    if not isinstance(getattr(model, "head", None), nn.Linear):
        raise TypeError("replace_head: model must have a `head` attribute that is an nn.Linear")
    if not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"replace_head: num_classes must be an int >= 1, got {num_classes!r}")
    old = model.head
    model.head = nn.Linear(old.in_features, num_classes).to(old.weight.device)
    return model.head


def param_groups(model, lr, backbone_lr_scale=0.1, weight_decay=0.0):
    """Optimizer parameter groups: the head at ``lr``, the backbone at ``lr * backbone_lr_scale``.

    Only trainable parameters are included (frozen ones are skipped); each group carries
    ``lr_scale`` so a per-step schedule keeps the ratio. Use: ``SGD(param_groups(m, 0.01), lr=0.01)``.
    """
    if not 0.0 <= backbone_lr_scale:
        raise ValueError(f"param_groups: backbone_lr_scale must be >= 0, got {backbone_lr_scale!r}")
    groups = []
    for module, scale in ((model.features, backbone_lr_scale), (model.head, 1.0)):
        params = [p for p in module.parameters() if p.requires_grad]
        if params:
            groups.append({"params": params, "lr": lr * scale, "lr_scale": scale, "weight_decay": weight_decay})
    if not groups:
        raise ValueError("param_groups: the model has no trainable parameters (everything is frozen)")
    return groups


def count_trainable(model):
    """(trainable, total) numbers of parameters."""
    total = sum(p.numel() for p in model.parameters())
    return sum(p.numel() for p in model.parameters() if p.requires_grad), total


def prepare_strategy(pretrained, strategy, num_classes, seed=0):
    """A model ready for ``strategy`` (one of STRATEGIES) on a ``num_classes`` target task.

    pretrained: a ConvNet (not modified; a copy is made). "linear_probe": frozen backbone,
    new head. "finetune_top": only the last conv block and a new head train.
    "finetune_all": everything trains (use ``param_groups`` for a lower backbone lr).
    "scratch": the same architecture with fresh random weights (seeded by ``seed``).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"prepare_strategy: strategy must be one of {STRATEGIES}, got {strategy!r}")
    torch.manual_seed(seed)
    if strategy == "scratch":
        config = dict(pretrained.config, num_classes=num_classes)
        return ConvNet(**config).to(next(pretrained.parameters()).device)
    model = ConvNet(**pretrained.config).to(next(pretrained.parameters()).device)
    model.load_state_dict(pretrained.state_dict())
    replace_head(model, num_classes)
    if strategy in ("linear_probe", "finetune_top"):
        freeze(model.features)
    if strategy == "finetune_top":
        blocks = [m for name, m in model.features.named_children() if name.startswith("block")]
        unfreeze(blocks[-1])
    return model


def _paths(folder, name):
    folder = PRETRAINED_DIR if folder is None else os.fspath(folder)
    return os.path.join(folder, name + ".pt"), os.path.join(folder, name + ".json")


def save_pretrained(model, settings, folder=None, name=PRETRAINED_NAME):
    """Write ``model``'s weights (``NAME.pt``) and ``NAME.json`` (config, settings, SHA-256) atomically."""
    import io

    weights, meta = _paths(folder, name)
    buf = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, buf)
    data = buf.getvalue()
    record = {"model": "ConvNet", "config": model.config, "sha256": hashlib.sha256(data).hexdigest(),
              "bytes": len(data), "settings": settings}
    atomic_write_bytes(weights, data)
    atomic_write_bytes(meta, (json.dumps(record, indent=2, sort_keys=True) + "\n").encode())
    return weights, meta


def load_pretrained(folder=None, name=PRETRAINED_NAME, device="cpu"):
    """The shipped backbone as a ConvNet in eval mode, after checking the file's SHA-256.

    Raises FileNotFoundError if missing and ValueError if the checksum does not match.
    The model's ``pretrained_info`` holds the JSON record (settings, accuracy, ...).
    """
    weights, meta = _paths(folder, name)
    for path in (weights, meta):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"pretrained file {path} is missing; rebuild it with "
                                    "python -m cs231n_lab.train --make-pretrained")
    with open(meta, encoding="utf-8") as f:
        record = json.load(f)
    with open(weights, "rb") as f:
        data = f.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != record["sha256"]:
        raise ValueError(f"pretrained weights {weights} fail their checksum: SHA-256 {digest[:12]}..., "
                         f"expected {record['sha256'][:12]}... (from {meta}); the file is damaged - restore "
                         "it from git or rebuild it with python -m cs231n_lab.train --make-pretrained")
    import io

    model = ConvNet(**record["config"])
    model.load_state_dict(torch.load(io.BytesIO(data), map_location="cpu", weights_only=True))
    model.pretrained_info = record
    return model.to(device).eval()


def digits_28x28(mean=None, std=None):
    """scikit-learn's bundled handwritten digits (1797 images, 8x8, 0..16) as 28x28 images.

    Bilinear upsampling to 28x28 and scaling to [0, 1], then standardised like Fashion-MNIST
    (``data.FASHION_MNIST_MEAN``/``STD``) so the backbone sees the input range it was trained on.
    Returns X (1797, 1, 28, 28) float32 and y (1797,) int64 (digits 0-9), in sklearn's order.
    """
    from sklearn.datasets import load_digits

    from cs231n_lab.pytorch.data import FASHION_MNIST_MEAN, FASHION_MNIST_STD

    mean = FASHION_MNIST_MEAN if mean is None else mean
    std = FASHION_MNIST_STD if std is None else std
    digits = load_digits()
    x = torch.from_numpy(digits.images.astype(np.float32) / 16.0)[:, None]
    x = nn.functional.interpolate(x, size=(28, 28), mode="bilinear", align_corners=False).clamp(0, 1)
    return ((x - mean) / std).numpy(), digits.target.astype(np.int64)


def train_strategy(pretrained, strategy, X_train, y_train, X_test, y_test, *, steps=300, batch_size=32,
                   lr=0.05, backbone_lr_scale=0.1, seed=0):
    """Train one strategy for about ``steps`` SGD steps; return its test accuracy in [0, 1].

    SGD with Nesterov momentum 0.9, weight decay 5e-4, cosine schedule from ``lr``.
    Fine-tuned backbones train at ``lr * backbone_lr_scale`` (the lecture's "lower learning
    rate when fine-tuning"); from scratch everything trains at ``lr``.
    """
    from cs231n_lab.pytorch.data import DeviceData
    from cs231n_lab.pytorch.loop import evaluate, fit

    num_classes = int(max(y_train.max(), y_test.max())) + 1
    model = prepare_strategy(pretrained, strategy, num_classes, seed=seed)
    scale = 1.0 if strategy == "scratch" else backbone_lr_scale
    opt = torch.optim.SGD(param_groups(model, lr, scale, weight_decay=5e-4), lr=lr, momentum=0.9, nesterov=True)
    train = DeviceData(X_train, y_train, min(batch_size, len(y_train)), seed=seed)
    epochs = max(1, -(-steps // len(train)))
    total = epochs * len(train)
    fit(model, train, optimizer=opt, epochs=epochs, seed=seed, progress=False,
        schedule=lambda t: lr * 0.5 * (1 + np.cos(np.pi * t / total)))
    return evaluate(model, DeviceData(X_test, y_test, 500, shuffle=False))["acc"]


def digits_split(per_class, seed=0, test_from=120):
    """Split ``digits_28x28`` per class: ``per_class`` training images drawn from the first
    ``test_from`` of each class (shuffled with ``seed``), the rest of each class for testing.

    The test set is the same for every ``per_class`` <= ``test_from``. Returns
    (X_train, y_train, X_test, y_test).
    """
    if not 1 <= per_class <= test_from:
        raise ValueError(f"digits_split: per_class must be in [1, {test_from}], got {per_class!r}")
    X, y = digits_28x28()
    fixed = np.random.default_rng(0)  # the train/test partition never changes
    rs = np.random.default_rng(seed)
    train, test = [], []
    for c in range(10):
        idx = fixed.permutation(np.flatnonzero(y == c))
        train.extend(rs.permutation(idx[:test_from])[:per_class])
        test.extend(idx[test_from:])
    train = rs.permutation(np.asarray(train))
    return X[train], y[train], X[test], y[test]
