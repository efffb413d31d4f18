"""Tier B - the Fashion-MNIST loader (Zalando Research, MIT licence).

70,000 grey-scale 28x28 images of clothing in 10 classes, 60,000 for training and 10,000
for testing, stored as four IDX files (see ``idx.py``). ``load_fashion_mnist`` finds them
with the resolver, reads them (gzip or raw) and returns uint8 images shaped (N, H, W, 1) -
the channel axis is kept so Fashion-MNIST and CIFAR-10 have the same layout - and int64
labels in 0..9. It checks the format; it never downloads and never writes.
"""

import os

import numpy as np

from cs231n_lab.datasets.files import DataSet
from cs231n_lab.datasets.idx import read_idx
from cs231n_lab.datasets.resolver import resolve

__all__ = ["FASHION_MNIST_CLASSES", "FASHION_MNIST_FILES", "load_fashion_mnist", "read_fashion_mnist_folder"]

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# Official file names (without ".gz"), for each split.
FASHION_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _idx_path(folder, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"{os.path.join(folder, stem)}[.gz] not found in {folder}")


def _read_split(folder, images_stem, labels_stem, num_classes):
    images_path, labels_path = _idx_path(folder, images_stem), _idx_path(folder, labels_stem)
    X = read_idx(images_path, ndim=3)
    y = read_idx(labels_path, ndim=1).astype(np.int64)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"{images_path} holds {X.shape[0]} images but {labels_path} holds "
                         f"{y.shape[0]} labels; expected the same number")
    if y.size and y.max() >= num_classes:
        raise ValueError(f"{labels_path}: label {int(y.max())} is out of range; expected 0..{num_classes - 1}")
    return X[..., np.newaxis], y


def read_fashion_mnist_folder(folder, class_names=FASHION_MNIST_CLASSES):
    """Read the four Fashion-MNIST IDX files from exactly this folder (no searching).

    Returns a DataSet: X_train (N, H, W, 1) uint8, y_train (N,) int64, X_test, y_test,
    class_names (tuple of 10 str).
    """
    folder = os.fspath(folder)
    X_train, y_train = _read_split(folder, *FASHION_MNIST_FILES["train"], len(class_names))
    X_test, y_test = _read_split(folder, *FASHION_MNIST_FILES["test"], len(class_names))
    return DataSet(X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test,
                   class_names=tuple(class_names))

def load_fashion_mnist(root=None):
    """Load the full Fashion-MNIST (60,000 train + 10,000 test).

    root: folder holding the files (or a ``fashion-mnist/`` sub-folder); if None the
    resolver searches $CS231N_DATA, the repository's datasets/ and the Debian path.
    Returns a DataSet with X_train (60000, 28, 28, 1) uint8, y_train (60000,) int64,
    X_test (10000, 28, 28, 1), y_test (10000,), class_names.
    """
    return read_fashion_mnist_folder(resolve("fashion-mnist", root))
