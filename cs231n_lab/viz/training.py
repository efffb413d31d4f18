"""Tier D - training curves of the torch loop (Lectures 6-8): loss per step, accuracy per epoch, lr.

``compute_curves(history)`` turns a history (the dict ``fit`` returns, or the JSON/CSV file
``callbacks.MetricLogger`` writes - see ``load_history``) into plain arrays;
``plot_history`` draws the three panels the lecture reads a run from:

  loss per step (raw and smoothed)   - flat: lr too low; NaN/explodes: too high
  accuracy per epoch (train and val) - a big gap: overfitting; no gap: add capacity
  learning rate per step             - the schedule that was actually used

``plot_transfer_table`` draws the lecture's 2x2 transfer-learning table (Lecture 7) as bars.
"""

import csv
import json
import os

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["load_history", "compute_curves", "plot_history", "smooth", "plot_transfer_table"]


def load_history(path):
    """A history from ``MetricLogger``'s JSON file (full) or CSV file (per-epoch rows only)."""
    path = os.fspath(path)
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            h = json.load(f)
        h["loss"] = [float("nan") if v is None else v for v in h["loss"]]
        return h
    if path.endswith(".csv"):
        with open(path, newline="", encoding="utf-8") as f:
            rows = [{k: float(v) for k, v in row.items() if v != ""} for row in csv.DictReader(f)]
        return {"loss": [], "lr": [], "epochs": rows}
    raise ValueError(f"load_history: path must end in .json or .csv, got {path!r}")


def smooth(values, window=20):
    """Moving average over the last ``window`` values (a shorter window at the start)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return v
    c = np.cumsum(np.insert(np.nan_to_num(v), 0, 0.0))
    n = np.arange(1, v.size + 1)
    lo = np.maximum(0, n - window)
    return (c[n] - c[lo]) / (n - lo)


def compute_curves(history, window=20):
    """Arrays for plotting: step, loss, loss_smooth, lr, epoch, train_acc, val_acc (NaN if absent)."""
    if isinstance(history, (str, os.PathLike)):
        history = load_history(history)
    if not isinstance(history, dict) or "epochs" not in history:
        raise TypeError("compute_curves: history must be the dict fit returns (keys loss, lr, epochs) or a path")
    epochs = history["epochs"]
    loss = np.asarray(history.get("loss", []), dtype=float)

    def column(key):
        return np.array([e.get(key, np.nan) for e in epochs], dtype=float)

    return {"step": np.arange(loss.size), "loss": loss, "loss_smooth": smooth(loss, window),
            "lr": np.asarray(history.get("lr", []), dtype=float),
            "epoch": column("epoch") + 1, "train_acc": column("train_acc"), "val_acc": column("val_acc"),
            "val_loss": column("val_loss")}


def plot_history(history, runs=None, title=None):
    """Three panels (loss per step, accuracy per epoch, lr per step) for one run or several.

    history: a history dict or path; or None when ``runs`` is given.
    runs: {label: history} to overlay several runs (e.g. different learning rates).
    """
    runs = dict(runs or {})
    if history is not None:
        runs = {"run": history, **runs}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
    for i, (label, h) in enumerate(runs.items()):
        c = compute_curves(h)
        color = f"C{i}"
        axes[0].plot(c["step"], c["loss"], color=color, alpha=0.25, lw=0.8)
        axes[0].plot(c["step"], c["loss_smooth"], color=color, lw=1.6, label=label)
        axes[1].plot(c["epoch"], c["train_acc"], "--o", color=color, ms=3, lw=1)
        if np.isfinite(c["val_acc"]).any():
            axes[1].plot(c["epoch"], c["val_acc"], "-o", color=color, ms=3, label=label)
        axes[2].plot(np.arange(c["lr"].size), c["lr"], color=color, label=label)
    # a run that explodes spans many orders of magnitude: switch to a log axis so all runs stay readable
    for ax, key in ((axes[0], "loss"), (axes[2], "lr")):
        values = np.concatenate([compute_curves(h)[key] for h in runs.values()] + [np.ones(1)])
        values = values[np.isfinite(values) & (values > 0)]
        if values.max() / values.min() > 50:
            ax.set_yscale("log")
    axes[0].set(xlabel="step", ylabel="loss", title="training loss (light: per step)")
    axes[1].set(xlabel="epoch", ylabel="accuracy", title="accuracy (dashed: train, solid: val)")
    axes[2].set(xlabel="step", ylabel="learning rate", title="schedule")
    for ax in axes:
        ax.grid(alpha=0.3)
    if len(runs) > 1 or history is None:
        axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_transfer_table(table, title=None):
    """The 2x2 table as bar charts: table[dataset][size][strategy] = accuracy in [0, 1].

    One panel per (dataset, size) cell, one bar per strategy, the best bar outlined.
    """
    datasets = list(table)
    sizes = list(table[datasets[0]])
    fig, axes = plt.subplots(len(datasets), len(sizes), figsize=(4.2 * len(sizes), 3.0 * len(datasets)),
                             squeeze=False, sharey=True)
    for i, ds in enumerate(datasets):
        for j, size in enumerate(sizes):
            ax, cell = axes[i][j], table[ds][size]
            names, accs = list(cell), [cell[k] for k in cell]
            best = int(np.argmax(accs))
            bars = ax.bar(range(len(names)), accs, color=[f"C{k}" for k in range(len(names))])
            bars[best].set_edgecolor("black")
            bars[best].set_linewidth(2)
            for k, a in enumerate(accs):
                ax.text(k, a + 0.005, f"{a:.1%}", ha="center", fontsize=8)
            ax.set_xticks(range(len(names)), [n.replace("_", "\n") for n in names], fontsize=8)
            ax.set_title(f"{ds} data, {size}", fontsize=10)
            lo = min(min(table[d][s].values()) for d in datasets for s in sizes)
            ax.set_ylim(max(0.0, lo - 0.1), 1.03)
            ax.grid(axis="y", alpha=0.3)
        axes[i][0].set_ylabel("test accuracy")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
