"""Tier D - the initialisation explorer (Lecture 6): per-layer statistics and histograms of a
10-layer net's activations, from ``weight_init.activation_statistics``."""

import matplotlib.pyplot as plt
import numpy as np

from cs231n_lab.weight_init import activation_statistics

__all__ = ["compute_init_statistics", "plot_layer_histograms"]


def compute_init_statistics(init, activation, layers=10, width=500, num_examples=1000, seed=0):
    """activation_statistics(...) plus the settings, for plot_layer_histograms."""
    stats = activation_statistics(init, activation, layers=layers, width=width, num_examples=num_examples, rng=seed)
    label = init if isinstance(init, str) else f"std {init:g}"
    return {**stats, "init": label, "activation": activation}


def plot_layer_histograms(stats, which="act", figsize=(14, 5)):
    """Top: mean and std per layer. Bottom: one histogram per layer on shared edges.

    which: "act" for the forward activations, "grad" for the backward gradients dL/dh.
    """
    if which not in ("act", "grad"):
        raise ValueError(f"which must be 'act' or 'grad', got {which!r}")
    hist, edges = stats[f"{which}_hist"], stats[f"{which}_edges"]
    layers = hist.shape[0]
    fig = plt.figure(figsize=figsize)
    grid = fig.add_gridspec(2, layers, height_ratios=[1, 1.1])
    ax_mean = fig.add_subplot(grid[0, : layers // 2])
    ax_std = fig.add_subplot(grid[0, layers // 2:])
    ls = np.arange(1, layers + 1)
    if which == "act":
        ax_mean.plot(ls, stats["act_mean"], "o-")
    ax_mean.set_title("mean per layer" if which == "act" else "(gradients have mean ~0)")
    ax_std.semilogy(ls, np.maximum(stats[f"{which}_std"], 1e-300), "o-", color="C3")
    ax_std.set_title("std per layer (log scale)")
    for ax in (ax_mean, ax_std):
        ax.set_xlabel("layer")
    centres = (edges[:-1] + edges[1:]) / 2
    for l in range(layers):
        ax = fig.add_subplot(grid[1, l])
        ax.bar(centres, hist[l], width=edges[1] - edges[0], color="C0")
        ax.set_title(f"layer {l + 1}", fontsize=9)
        ax.set_yticks([])
        ax.set_xticks([edges[0], edges[-1]])
        ax.tick_params(labelsize=7)
    what = "activations" if which == "act" else "gradients dL/dh"
    fig.suptitle(f"{stats['activation']} with {stats['init']} init: {what}")
    fig.tight_layout()
    return fig
