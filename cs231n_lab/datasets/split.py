"""Tier B - the CS231n-style data helper: train / validation / test splits as float NCHW.

    data = get_split_data()          # bundled Fashion-MNIST, offline
    data["X_train"].shape            # (9000, 1, 28, 28) float32, mean image subtracted
    solver = Solver(model, data, ...)

As in the CS231n assignments (``get_CIFAR10_data``), the validation set is carved from
the training set - the ``num_validation`` examples right after the first ``num_training`` -
and the test set is the first ``num_test`` test examples. Images are scaled
(``X * scale``), moved to NCHW, and zero-centred with the *training* mean
(cs231n_lab.preprocessing).
"""

from collections.abc import Mapping

import numpy as np

from cs231n_lab.datasets.cifar10 import load_cifar10
from cs231n_lab.datasets.default import load_default
from cs231n_lab.datasets.fashion_mnist import load_fashion_mnist
from cs231n_lab.datasets.files import DataSet
from cs231n_lab.preprocessing import fit_mean, zero_center

__all__ = ["LOADERS", "get_split_data", "get_CIFAR10_data"]

LOADERS = {"default": lambda root: load_default(root),
           "fashion-mnist": lambda root: load_fashion_mnist(root),
           "cifar10": lambda root: load_cifar10(root)}
_MEAN_MODES = ("image", "channel", None)


def _load(dataset, root):
    if isinstance(dataset, Mapping):
        missing = [k for k in ("X_train", "y_train", "X_test", "y_test") if k not in dataset]
        if missing:
            raise ValueError(f"dataset given as a mapping lacks {missing}; expected a raw DataSet "
                             f"(X_train, y_train, X_test, y_test, class_names) from a loader")
        return dataset
    if dataset not in LOADERS:
        raise ValueError(f"dataset must be one of {sorted(LOADERS)} or a loaded DataSet, got {dataset!r}")
    return LOADERS[dataset](root)


def _count(value, name, available, default):
    value = default if value is None else value
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    if value > available:
        raise ValueError(f"{name}={value} but only {available} examples are available")
    return int(value)


def get_split_data(dataset="default", num_training=None, num_validation=1000, num_test=None,
                   subtract_mean="image", scale=1 / 255, dtype=np.float32, root=None):
    """Train/val/test splits as float NCHW arrays, CS231n style.

    dataset: "default" (bundled Fashion-MNIST subset), "fashion-mnist", "cifar10", or a
        DataSet a raw loader returned. root: passed to the loader.
    num_training: training examples (default: all those not used for validation).
    num_validation: validation examples, taken from the training set right after them.
    num_test: test examples (default: all).
    subtract_mean: "image" (mean image, shape (C, H, W)), "channel" (one mean per channel,
        shape (C, 1, 1)) or None; computed on the scaled training split only.
    scale: multiplies the uint8 pixels first (1/255 -> [0, 1]; 1.0 keeps 0..255).
    dtype: floating dtype of the images.
    Returns a DataSet (a dict) with X_train (N, C, H, W), y_train (N,) int64, X_val, y_val,
    X_test, y_test, class_names, and mean (what was subtracted; zeros (C, H, W) for None).
    """
    if subtract_mean not in _MEAN_MODES:
        raise ValueError(f"subtract_mean must be one of {_MEAN_MODES}, got {subtract_mean!r}")
    if not np.issubdtype(np.dtype(dtype), np.floating):
        raise TypeError(f"dtype must be a floating type, got {np.dtype(dtype)}")
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.number)) or not scale > 0:
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    raw = _load(dataset, root)
    n_train, n_test = len(raw["X_train"]), len(raw["X_test"])
    num_validation = _count(num_validation, "num_validation", n_train, None)
    num_training = _count(num_training, "num_training", n_train - num_validation,
                          n_train - num_validation)
    num_test = _count(num_test, "num_test", n_test, n_test)
    if num_training == 0:
        raise ValueError("num_training must be at least 1 (the mean is fit on the training split)")

    def to_float(X):
        # (N, H, W, C) uint8 -> (N, C, H, W) float, contiguous for fast im2col / matmul.
        return np.ascontiguousarray((X.astype(dtype) * dtype(scale)).transpose(0, 3, 1, 2))

    stop = num_training + num_validation
    data = DataSet(X_train=to_float(raw["X_train"][:num_training]),
                   y_train=np.asarray(raw["y_train"][:num_training], dtype=np.int64),
                   X_val=to_float(raw["X_train"][num_training:stop]),
                   y_val=np.asarray(raw["y_train"][num_training:stop], dtype=np.int64),
                   X_test=to_float(raw["X_test"][:num_test]),
                   y_test=np.asarray(raw["y_test"][:num_test], dtype=np.int64),
                   class_names=tuple(raw.get("class_names", ())))
    if subtract_mean is None:
        mean = np.zeros(data["X_train"].shape[1:], dtype=dtype)
    else:
        mean = fit_mean(data["X_train"], subtract_mean).astype(dtype)
        for key in ("X_train", "X_val", "X_test"):
            data[key] = zero_center(data[key], mean)
    data["mean"] = mean
    return data


def get_CIFAR10_data(num_training=49000, num_validation=1000, num_test=1000, subtract_mean=True, root=None):
    """The CS231n assignments' helper: CIFAR-10 in 0..255 float64 NCHW, mean image subtracted.

    Same keys as get_split_data (plus mean). Needs the CIFAR-10 files (see the resolver).
    """
    return get_split_data("cifar10", num_training, num_validation, num_test,
                          subtract_mean="image" if subtract_mean else None,
                          scale=1.0, dtype=np.float64, root=root)
