"""Tier D - numbers and figures behind the Lecture 7 regularisation notebook and widgets.

* Dropout explorer: ``compute_dropout_view`` / ``plot_dropout_view``.
* Augmentation explorer: ``load_sample_image``, ``compute_augmentation_grid`` /
  ``plot_augmentation_grid``.
* The regularisation experiments: ``compute_regularization_run`` (one seeded Solver run of a
  FullyConnectedNet with any of the regularisers), ``compute_ensemble``, and the summary
  ``compute_results_table`` / ``plot_regularization_results``.

The colour image is ``grace_hopper.jpg`` from matplotlib's bundled sample data
(``matplotlib.cbook.get_sample_data``): the official U.S. Navy portrait of Rear Admiral Grace
M. Hopper (1984), a work of the U.S. federal government and therefore in the public domain;
matplotlib ships it with its package data, so it is available offline wherever matplotlib is.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import cbook

from cs231n_lab import augmentation as A
from cs231n_lab.dropout import dropout_forward
from cs231n_lab.models import FullyConnectedNet
from cs231n_lab.regularization import AugmentedModel, ensemble_probs
from cs231n_lab.solver import Solver, accuracy  # accuracy: re-exported for the notebooks

__all__ = ["compute_regularization_run", "accuracy", "compute_ensemble", "load_sample_image", "AUGMENTATIONS", "compute_augmentation_grid", "plot_augmentation_grid",
           "compute_dropout_view", "plot_dropout_view", "compute_results_table", "plot_regularization_results"]

SAMPLE_IMAGES = {"grace_hopper.jpg": "U.S. Navy portrait of Grace Hopper (1984), public domain; "
                                     "shipped in matplotlib's sample_data"}


def load_sample_image(name="grace_hopper.jpg", size=64):
    """A colour sample image shipped with matplotlib as (1, 3, size, size) float64 in [0, 1].

    The centre square is cut out and resized with ``augmentation.apply_resized_crop``.
    """
    if name not in SAMPLE_IMAGES:
        raise ValueError(f"load_sample_image: name must be one of {sorted(SAMPLE_IMAGES)}, got {name!r}")
    img = plt.imread(cbook.get_sample_data(name, asfileobj=False))    # (H, W, 3) uint8
    x = (img[None].astype(np.float64) / 255.0).transpose(0, 3, 1, 2)
    H, W = x.shape[2:]
    side = float(min(H, W))
    box = {"top": np.array([(H - side) / 2]), "left": np.array([(W - side) / 2]),
           "height": np.array([side]), "width": np.array([side])}
    return A.apply_resized_crop(x, box, size=size)


# name -> (what strength means, function(x, strength, rng) -> x)
AUGMENTATIONS = {
    "flip": ("probability of a mirror image", lambda x, s, r: A.random_flip(x, r, prob=s)),
    "crop": ("zero padding as a fraction of the width",
             lambda x, s, r: A.random_crop(x, x.shape[2:], int(round(s * x.shape[3])), r)),
    "resized_crop": ("1 - smallest area kept", lambda x, s, r: A.random_resized_crop(x, r, scale=(max(1 - s, 0.01), 1))),
    "color_jitter": ("brightness/contrast/saturation range", lambda x, s, r: A.color_jitter(x, r, s, s, s)),
    "pca_color": ("std of the PCA weights alpha", lambda x, s, r: A.pca_color(x, *A.fit_pca_color(x), r, std=s)),
    "cutout": ("square side as a fraction of the width",
               lambda x, s, r: A.cutout(x, max(1, int(round(s * x.shape[3]))), r)),
    "mixup": ("Beta(alpha, alpha) parameter alpha",
              lambda x, s, r: A.mixup(x, np.zeros(len(x), dtype=np.int64), 1, r, alpha=max(s, 1e-3))[0]),
}


def compute_augmentation_grid(images, ops, num_samples=6, seed=0):
    """Apply the chosen operations in order to ``num_samples`` copies of each image.

    images: (M, C, H, W) floats.  ops: dict name -> strength (names from AUGMENTATIONS).
    Returns (M, num_samples, C, H, W): column 0 is the original image.  Mixup mixes the copies
    of all images together (it needs a batch).
    """
    images = A.check_images(images, "compute_augmentation_grid")
    unknown = sorted(set(ops) - set(AUGMENTATIONS))
    if unknown:
        raise ValueError(f"compute_augmentation_grid: unknown operation(s) {unknown}; "
                         f"expected some of {sorted(AUGMENTATIONS)}")
    rng = np.random.default_rng(seed)
    M = len(images)
    x = np.repeat(images, num_samples - 1, axis=0)
    for name in AUGMENTATIONS:            # a fixed order whatever the order of ``ops``
        if name in ops:
            x = AUGMENTATIONS[name][1](x, ops[name], rng)
    grid = x.reshape(M, num_samples - 1, *images.shape[1:])
    return np.concatenate([images[:, None], grid], axis=1)


def plot_augmentation_grid(grid, title=None, row_labels=None, cell_inches=1.6):
    """Rows of images (first column the original); values are clipped to [0, 1] for display."""
    M, S = grid.shape[:2]
    fig, axes = plt.subplots(M, S, figsize=(cell_inches * S, cell_inches * M + 0.4), squeeze=False)
    for i in range(M):
        for j in range(S):
            img = np.clip(grid[i, j].transpose(1, 2, 0), 0, 1)
            axes[i, j].imshow(img[..., 0] if img.shape[2] == 1 else img, cmap="gray", vmin=0, vmax=1)
            axes[i, j].set_xticks([])
            axes[i, j].set_yticks([])
        if row_labels is not None:
            axes[i, 0].set_ylabel(row_labels[i], fontsize=8)
    axes[0, 0].set_title("original", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def compute_dropout_view(keep_prob, num_units=64, num_masks=200, seed=0):
    """Dropout on one hidden layer, seen three ways.

    h = ReLU(x W1) for one input x (num_units activations) and a readout s = h . w2:
      masked:   one train-time mask applied to h (inverted: kept units scaled by 1/p)
      expected: the mean of the masked activations over ``num_masks`` masks (-> h, the test output)
      running:  the mean of s over the first k masks, k = 1..num_masks ("an ensemble of masks"),
                against the test-time readout s_test = h . w2 and the un-scaled one p * s_test.
    """
    if not 0 < keep_prob <= 1:
        raise ValueError(f"compute_dropout_view: keep_prob must be in (0, 1], got {keep_prob!r}")
    rng = np.random.default_rng(seed)
    h = np.maximum(0, rng.normal(size=(1, 20)) @ rng.normal(size=(20, num_units)) / np.sqrt(20))
    w2 = rng.normal(size=num_units) / np.sqrt(num_units)
    masked = np.stack([dropout_forward(h, {"p": keep_prob, "mode": "train", "seed": seed * 100003 + k})[0][0]
                       for k in range(num_masks)])
    test, _ = dropout_forward(h, {"p": keep_prob, "mode": "test"})
    readouts = masked @ w2
    return {"keep_prob": keep_prob, "h": h[0], "masked": masked[0], "expected": masked.mean(axis=0),
            "test": test[0], "readouts": readouts,
            "running": np.cumsum(readouts) / np.arange(1, num_masks + 1),
            "test_readout": float(test[0] @ w2), "unscaled_readout": float(keep_prob * test[0] @ w2),
            "dropped_fraction": float(np.mean(masked[:, h[0] > 0] == 0))}   # of the active units: ~ 1 - p


def plot_dropout_view(view):
    side = int(np.ceil(np.sqrt(view["h"].size)))

    def square(v):
        return np.pad(v, (0, side * side - v.size)).reshape(side, side)
    vmax = max(view["masked"].max(), view["h"].max(), 1e-9)
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.2), gridspec_kw={"width_ratios": [1, 1, 1, 1.8]})
    for ax, key, title in zip(axes[:3], ("h", "masked", "expected"),
                              ("activations h (test time)", f"one train-time mask, p={view['keep_prob']:.2f}",
                               f"mean over {len(view['readouts'])} masks")):
        ax.imshow(square(view[key]), cmap="viridis", vmin=0, vmax=vmax)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    ax = axes[3]
    k = np.arange(1, len(view["running"]) + 1)
    ax.plot(k, view["readouts"], ".", color="0.7", ms=3, label="one mask")
    ax.plot(k, view["running"], color="C0", label="mean of the first k masks")
    ax.axhline(view["test_readout"], color="C2", ls="--", label="test time (inverted dropout)")
    ax.axhline(view["unscaled_readout"], color="C3", ls=":", label="p x test (if not rescaled)")
    ax.set_xscale("log")
    ax.set_xlabel("number of masks k")
    ax.set_ylabel("readout s")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def compute_results_table(results):
    """results: dict name -> {"train_acc", "val_acc"[, "test_acc"]} -> rows (name, train, val, gap, test) in order."""
    rows = []
    for name, r in results.items():
        train, val = float(r["train_acc"]), float(r["val_acc"])
        rows.append({"name": name, "train_acc": train, "val_acc": val, "gap": train - val,
                     "test_acc": r.get("test_acc")})
    return rows


def plot_regularization_results(rows, title="train/val accuracy and gap"):
    """Grouped bars: train and val accuracy per method, and the gap train - val on the right."""
    names = [r["name"] for r in rows]
    idx = np.arange(len(rows))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4), gridspec_kw={"width_ratios": [2, 1]})
    ax1.bar(idx - 0.2, [r["train_acc"] for r in rows], 0.4, label="train")
    ax1.bar(idx + 0.2, [r["val_acc"] for r in rows], 0.4, label="val")
    lo = min(min(r["val_acc"] for r in rows), min(r["train_acc"] for r in rows))
    ax1.set_ylim(max(0, lo - 0.05), 1.0)
    ax1.set_ylabel("accuracy")
    ax1.legend()
    ax2.bar(idx, [r["gap"] for r in rows], 0.6, color="C3")
    ax2.set_ylabel("gap = train - val")
    for ax in (ax1, ax2):
        ax.set_xticks(idx)
        ax.set_xticklabels(names, rotation=45, ha="right", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def compute_regularization_run(data, seed=0, hidden_dims=(100, 100), num_epochs=20, learning_rate=1e-3,
                               reg=0.0, dropout_keep_ratio=1.0, normalization=None, augment=None,
                               mixup_alpha=None, label_smoothing=0.0, num_train_samples=200, num_val_samples=None):
    """Train one FullyConnectedNet with Adam and the Solver, everything seeded by ``seed``.

    data: get_split_data() dict (NCHW images).  reg: L2; dropout_keep_ratio: p; normalization:
    None/"batchnorm"; augment, mixup_alpha, label_smoothing: through AugmentedModel.
    The Solver keeps the parameters with the best validation accuracy (a mild early stopping
    that every run gets alike), checked each epoch on ``num_train_samples`` random training
    images and ``num_val_samples`` validation images (None: all).  Returns the model, train_acc,
    val_acc and test_acc (full splits, test mode; test_acc only if data has X_test) and the
    per-epoch histories.
    """
    X = data["X_train"]
    num_classes = int(max(data["y_train"].max(), data["y_val"].max()) + 1)
    model = FullyConnectedNet(list(hidden_dims), input_dim=int(np.prod(X.shape[1:])), num_classes=num_classes,
                              reg=reg, dropout_keep_ratio=dropout_keep_ratio, normalization=normalization,
                              weight_scale=np.sqrt(2.0 / np.prod(X.shape[1:])), dtype=np.float32, rng=seed)
    trained = model
    if augment is not None or mixup_alpha is not None or label_smoothing > 0:
        trained = AugmentedModel(model, seed, augment=augment, mixup_alpha=mixup_alpha,
                                 label_smoothing=label_smoothing, num_classes=num_classes)
    np.random.seed(seed)  # dropout masks come from NumPy's global state, as in CS231n
    solver = Solver(trained, data, update_rule="adam", optim_config={"learning_rate": learning_rate},
                    batch_size=100, num_epochs=num_epochs, num_train_samples=num_train_samples,
                    num_val_samples=num_val_samples, verbose=False, rng=seed)
    solver.train()
    return {"model": model, "train_acc": accuracy(model, data["X_train"], data["y_train"]),
            "val_acc": accuracy(model, data["X_val"], data["y_val"]),
            "test_acc": accuracy(model, data["X_test"], data["y_test"]) if "X_test" in data else None,
            "train_acc_history": solver.train_acc_history, "val_acc_history": solver.val_acc_history}


def compute_ensemble(models, X, y):
    """Accuracy of each model alone and of the average of their softmax probabilities."""
    singles = [accuracy(m, X, y) for m in models]
    ensemble = float(np.mean(ensemble_probs(models, X).argmax(axis=1) == y))
    return {"single": singles, "mean_single": float(np.mean(singles)), "best_single": float(max(singles)),
            "ensemble": ensemble, "gain_over_mean": ensemble - float(np.mean(singles))}
