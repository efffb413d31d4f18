"""Tier B - data: real loaders, one resolver, checked fetches and the bundled default.

    from cs231n_lab.datasets import load_default, get_split_data
    raw = load_default()          # bundled Fashion-MNIST subset, uint8 (N, 28, 28, 1), offline
    data = get_split_data()       # float32 NCHW train/val/test, mean image subtracted

Modules: ``idx`` (the IDX format), ``fashion_mnist`` and ``cifar10`` (loaders), ``resolver``
(where data is looked for), ``default`` (the bundle), ``split`` (CS231n-style splits),
``fetch`` (downloads; the only code that writes data). Command line:

    python -m cs231n_lab.datasets fetch cifar10|fashion-mnist [--dest FOLDER]
    python -m cs231n_lab.datasets build-default [--source FOLDER]
    python -m cs231n_lab.datasets verify
"""

from cs231n_lab.datasets.cifar10 import CIFAR10_CLASSES, load_cifar10, load_CIFAR10, load_CIFAR_batch
from cs231n_lab.datasets.default import build_default, load_default, verify_manifest
from cs231n_lab.datasets.fashion_mnist import FASHION_MNIST_CLASSES, load_fashion_mnist
from cs231n_lab.datasets.files import DataSet
from cs231n_lab.datasets.idx import read_idx, write_idx
from cs231n_lab.datasets.resolver import resolve
from cs231n_lab.datasets.split import get_CIFAR10_data, get_split_data

__all__ = [
    "DataSet", "load_default", "get_split_data", "get_CIFAR10_data",
    "load_fashion_mnist", "load_cifar10", "load_CIFAR10", "load_CIFAR_batch",
    "FASHION_MNIST_CLASSES", "CIFAR10_CLASSES",
    "resolve", "read_idx", "write_idx", "build_default", "verify_manifest",
]
