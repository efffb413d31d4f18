"""Tier C - the two data paths of the training loop (Lecture 8).

``DeviceData`` - for data sets that fit in memory (Fashion-MNIST, CIFAR-10): the whole
tensor lives on the device once, and each batch is an *index* into it::

    perm = randperm(N)                     # one shuffle per epoch, seeded by (seed, epoch)
    X_batch = X[perm[i*B:(i+1)*B]]         # a gather on the device: no copy, no Python per sample

``LoaderData`` - wraps a ``torch.utils.data.DataLoader`` for data that does not fit:
samples are read and collated by Python (possibly in worker processes) and copied to the
device every batch. Same interface, so ``fit`` does not care which one it gets.

Both yield ``(X_batch, y_batch)`` with X (N, C, H, W) float32 and y (N,) int64 on the
device, and both can *restart in the middle of an epoch* (``start=``), which is what makes
resuming from a checkpoint exact. Under ``DistributedDataParallel`` each of the
``world_size`` processes takes its slice of every global batch of B samples.
"""

import numpy as np
import torch
from torch.utils.data import DataLoader, DistributedSampler, RandomSampler, TensorDataset

from cs231n_lab.pytorch.device import pick_device, to_device_layout

__all__ = ["DeviceData", "LoaderData", "make_loader", "as_batches", "epoch_permutation",
           "FASHION_MNIST_MEAN", "FASHION_MNIST_STD", "standardize_images", "fashion_mnist_arrays"]


def _as_tensor(name, a, dtype):
    if isinstance(a, np.ndarray):
        a = torch.from_numpy(np.ascontiguousarray(a))
    if not isinstance(a, torch.Tensor):
        raise TypeError(f"{name} must be a NumPy array or a torch tensor, got {type(a).__name__}")
    return a.to(dtype)


def epoch_permutation(n, seed, epoch):
    """The shuffled order of ``n`` samples for ``epoch``: the same for every process and every resume."""
    g = torch.Generator().manual_seed(int(seed) * 1_000_003 + int(epoch))
    return torch.randperm(n, generator=g)


class DeviceData:
    """An in-memory data set kept on the device, batched by index.

    X: (N, C, H, W) array/tensor (any float/int dtype; stored as float32); y: (N,) labels.
    batch_size: the *global* batch B; under DDP each of ``world_size`` processes gets B/W.
    shuffle: a new permutation every epoch (``epoch_permutation(N, seed, epoch)``).
    drop_last: drop the last incomplete batch (forced on when world_size > 1 so that every
    process runs the same number of steps).
    """

    def __init__(self, X, y, batch_size, *, shuffle=True, drop_last=False, seed=0, device=None,
                 rank=0, world_size=1, channels_last=None):
        X = _as_tensor("DeviceData: X", X, torch.float32)
        y = _as_tensor("DeviceData: y", y, torch.int64)
        if X.dim() < 2 or y.dim() != 1 or X.shape[0] != y.shape[0]:
            raise ValueError(f"DeviceData: expected X (N, ...) and y (N,) with the same N, "
                             f"got X {tuple(X.shape)} and y {tuple(y.shape)}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"DeviceData: batch_size must be an int >= 1, got {batch_size!r}")
        if world_size < 1 or not 0 <= rank < world_size:
            raise ValueError(f"DeviceData: need 0 <= rank < world_size, got rank={rank}, world_size={world_size}")
        if batch_size % world_size:
            raise ValueError(f"DeviceData: batch_size={batch_size} must be divisible by world_size={world_size}")
        self.device = pick_device(device)
        self.X = to_device_layout(X, self.device, channels_last)
        self.y = y.to(self.device)
        self.batch_size, self.shuffle, self.seed = batch_size, shuffle, seed
        self.drop_last = drop_last or world_size > 1
        self.rank, self.world_size = rank, world_size

    @property
    def num_samples(self):
        return self.X.shape[0]

    def __len__(self):
        """Batches (optimisation steps) per epoch."""
        n, b = self.num_samples, self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def batches(self, epoch=0, start=0):
        """Yield this process's (X_batch, y_batch) for batches ``start, start+1, ...`` of ``epoch``."""
        n = self.num_samples
        order = epoch_permutation(n, self.seed, epoch) if self.shuffle else torch.arange(n)
        order = order.to(self.device)
        local = self.batch_size // self.world_size
        for i in range(start, len(self)):
            idx = order[i * self.batch_size:(i + 1) * self.batch_size]
            if self.world_size > 1:
                idx = idx[self.rank * local:(self.rank + 1) * local]
            yield self.X[idx], self.y[idx]


class LoaderData:
    """A ``DataLoader`` behind the same interface as ``DeviceData``.

    The shuffle of each epoch is re-seeded from (seed, epoch), so an epoch can be replayed
    exactly; ``start=k`` skips the first k batches (they are still read, then dropped).
    """

    def __init__(self, loader, *, seed=0, device=None, channels_last=None):
        if not isinstance(loader, DataLoader):
            raise TypeError(f"LoaderData: loader must be a torch DataLoader, got {type(loader).__name__}")
        self.loader, self.seed = loader, seed
        self.device = pick_device(device)
        self.channels_last = channels_last

    def __len__(self):
        return len(self.loader)

    def batches(self, epoch=0, start=0):
        sampler = self.loader.sampler
        if isinstance(sampler, DistributedSampler):
            sampler.set_epoch(epoch)
        elif isinstance(sampler, RandomSampler):
            sampler.generator = torch.Generator().manual_seed(int(self.seed) * 1_000_003 + int(epoch))
        for i, (xb, yb) in enumerate(self.loader):
            if i < start:
                continue
            yield (to_device_layout(xb, self.device, self.channels_last),
                   yb.to(self.device, non_blocking=True))


def make_loader(X, y, batch_size, *, shuffle=True, drop_last=False, num_workers=0, pin_memory=False):
    """A plain ``DataLoader`` over in-memory arrays (X (N, C, H, W) float32, y (N,) int64)."""
    ds = TensorDataset(_as_tensor("make_loader: X", X, torch.float32),
                       _as_tensor("make_loader: y", y, torch.int64))
    return DataLoader(ds, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                      num_workers=num_workers, pin_memory=pin_memory)


def as_batches(data, device=None, seed=0):
    """``DeviceData``/``LoaderData`` pass through; a ``DataLoader`` is wrapped; None stays None."""
    if data is None or isinstance(data, (DeviceData, LoaderData)):
        return data
    if isinstance(data, DataLoader):
        return LoaderData(data, seed=seed, device=device)
    raise TypeError(f"data must be a DeviceData, LoaderData or DataLoader, got {type(data).__name__}")


# Mean and standard deviation of Fashion-MNIST's pixels (scaled to [0, 1]) over the official
# 60,000 training images: inputs are standardised with these, (x / 255 - mean) / std.
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530


def standardize_images(X, mean=FASHION_MNIST_MEAN, std=FASHION_MNIST_STD):
    """uint8 images (N, H, W, C) -> float32 (N, C, H, W), (X / 255 - mean) / std."""
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"standardize_images: X must be (N, H, W, C), got shape {X.shape}")
    return np.ascontiguousarray(((X.astype(np.float32) / 255.0 - mean) / std).transpose(0, 3, 1, 2))


def fashion_mnist_arrays(classes=None, per_class=None, seed=0):
    """The bundled Fashion-MNIST subset, standardised: (X_train, y_train, X_test, y_test).

    classes: keep only these labels and renumber them 0..k-1 in the order given (e.g.
    (5, 6, 7, 8, 9) -> 0..4). per_class: keep this many training images of each class
    (drawn with ``seed``). X (N, 1, 28, 28) float32, y (N,) int64.
    """
    from cs231n_lab.datasets import load_default

    raw = load_default()
    out = []
    for split in ("train", "test"):
        X, y = raw[f"X_{split}"], np.asarray(raw[f"y_{split}"], dtype=np.int64)
        if classes is not None:
            renumber = {int(c): i for i, c in enumerate(classes)}
            keep = np.isin(y, list(renumber))
            X, y = X[keep], np.array([renumber[int(v)] for v in y[keep]], dtype=np.int64)
        if split == "train" and per_class is not None:
            rs = np.random.default_rng(seed)
            idx = np.concatenate([rs.permutation(np.flatnonzero(y == c))[:per_class] for c in np.unique(y)])
            idx = rs.permutation(idx)
            X, y = X[idx], y[idx]
        out += [standardize_images(X), y.astype(np.int64)]
    return tuple(out)
