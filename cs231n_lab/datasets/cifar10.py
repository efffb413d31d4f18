"""Tier B - the CIFAR-10 loader (Krizhevsky, 2009), reading the official python pickles.

60,000 colour 32x32 images in 10 classes. The "python version" archive unpacks to
``cifar-10-batches-py/`` with five training batches ``data_batch_1..5`` and ``test_batch``
(10,000 images each) and ``batches.meta`` (the class names). Each batch is a pickled dict:

    b"data"    uint8 array (10000, 3072): each row is 1024 red, 1024 green, 1024 blue
               values of a 32x32 image in row-major order, i.e. (3, 32, 32) flattened
    b"labels"  list of 10000 ints in 0..9

``load_cifar10`` returns uint8 images (N, 32, 32, 3) and int64 labels. Pickles can run
code when loaded: only load files you fetched from the official source.
"""

import os
import pickle

import numpy as np

from cs231n_lab.datasets.files import DataSet
from cs231n_lab.datasets.resolver import resolve

__all__ = ["CIFAR10_CLASSES", "load_cifar10", "load_CIFAR10", "load_CIFAR_batch"]

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"


def _unpickle(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"CIFAR-10 batch not found: {path}")
    try:
        with open(path, "rb") as f:
            return pickle.load(f, encoding="bytes")
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as e:
        raise ValueError(f"{path}: not a readable CIFAR-10 pickle ({type(e).__name__}: {e}); "
                         f"it is truncated or corrupt - delete it and fetch it again") from e


def load_CIFAR_batch(path, num_classes=10):
    """One batch file -> (X uint8 (N, 32, 32, 3), y int64 (N,)). Checks keys, sizes, labels."""
    path = os.fspath(path)
    batch = _unpickle(path)
    if not isinstance(batch, dict):
        raise ValueError(f"{path}: expected a pickled dict with keys b'data' and b'labels', "
                         f"got {type(batch).__name__}")
    missing = [k for k in (b"data", b"labels") if k not in batch]
    if missing:
        raise ValueError(f"{path}: the pickle lacks key(s) {missing}; a CIFAR-10 batch has "
                         f"b'data' and b'labels' (found {sorted(batch)[:5]})")
    data = np.asarray(batch[b"data"])
    y = np.asarray(batch[b"labels"], dtype=np.int64)
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"{path}: b'data' must be uint8 shaped (N, 3072), got {data.dtype} {data.shape}")
    if y.shape != (data.shape[0],):
        raise ValueError(f"{path}: {data.shape[0]} images but b'labels' has shape {y.shape}; "
                         f"expected one label per image")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"{path}: labels out of range ({int(y.min())}..{int(y.max())}); "
                         f"expected 0..{num_classes - 1}")
    # Rows are channel-major (3, 32, 32); move the channel last: (N, 32, 32, 3).
    X = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(X), y


def _class_names(folder):
    path = os.path.join(folder, "batches.meta")
    if not os.path.isfile(path):
        return CIFAR10_CLASSES
    meta = _unpickle(path)
    names = meta.get(b"label_names") if isinstance(meta, dict) else None
    if names is None or len(names) != 10:
        raise ValueError(f"{path}: expected b'label_names' with 10 class names")
    return tuple(n.decode() if isinstance(n, bytes) else str(n) for n in names)


def load_cifar10(root=None):
    """Load CIFAR-10 from the official ``cifar-10-batches-py`` pickles.

    root: that folder or its parent; if None the resolver searches $CS231N_DATA and the
    repository's datasets/. Returns a DataSet with X_train (50000, 32, 32, 3) uint8,
    y_train (50000,) int64, X_test (10000, 32, 32, 3), y_test (10000,), class_names.
    """
    folder = str(resolve("cifar10", root))
    parts = [load_CIFAR_batch(os.path.join(folder, name)) for name in TRAIN_BATCHES]
    X_test, y_test = load_CIFAR_batch(os.path.join(folder, TEST_BATCH))
    return DataSet(X_train=np.concatenate([X for X, _ in parts]),
                   y_train=np.concatenate([y for _, y in parts]),
                   X_test=X_test, y_test=y_test, class_names=_class_names(folder))


def load_CIFAR10(ROOT):
    """The CS231n assignments' signature: ``Xtr, Ytr, Xte, Yte = load_CIFAR10(ROOT)``,
    with float64 images (N, 32, 32, 3) in 0..255, as the course's data_utils returns them."""
    d = load_cifar10(ROOT)
    return (d["X_train"].astype(np.float64), d["y_train"],
            d["X_test"].astype(np.float64), d["y_test"])
