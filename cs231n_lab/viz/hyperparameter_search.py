"""Tier D - figures for hyperparameter search (Lecture 6): the results scatter on log axes and
the random-vs-grid illustration."""

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_search_scatter", "plot_grid_vs_random"]


def plot_search_scatter(results, x="learning_rate", y="reg", metric="val_acc", title=None, ax=None):
    """Each trial at (x, y) on log-log axes, coloured by metric; the best one circled."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 4.2))
    else:
        fig = ax.figure
    xs = np.array([r[x] for r in results])
    ys = np.array([r[y] for r in results])
    ms = np.array([r[metric] for r in results], dtype=np.float64)
    sc = ax.scatter(xs, ys, c=ms, cmap="viridis", s=40, edgecolor="k", lw=0.3)
    best = int(np.nanargmax(ms))
    ax.scatter([xs[best]], [ys[best]], s=200, facecolor="none", edgecolor="r", lw=1.5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    fig.colorbar(sc, ax=ax, label=metric)
    ax.set_title(title or f"best {metric} {ms[best]:.3f} at {x}={xs[best]:.1e}, {y}={ys[best]:.1e}")
    fig.tight_layout()
    return fig


def plot_grid_vs_random(illustration, figsize=(10, 4.6)):
    """The lecture's picture: grid (left) and random (right) points over the unit square, with
    the important parameter's curve g(x) on top and the unimportant h(y) on the side."""
    fig, axes = plt.subplots(2, 2, figsize=figsize, height_ratios=[1, 3], sharex="col")
    for col, key in enumerate(("grid", "random")):
        pts = illustration[key]
        top, main = axes[0, col], axes[1, col]
        top.plot(illustration["x"], illustration["g"], color="C2")
        top.plot(pts[:, 0], np.interp(pts[:, 0], illustration["x"], illustration["g"]), "o", color="C3")
        top.set_yticks([])
        main.plot(pts[:, 0], pts[:, 1], "o", color="C3")
        main.plot(illustration["x"], 0.5 + illustration["h"], color="C0", alpha=0.5)
        main.set_xlim(0, 1)
        main.set_ylim(0, 1)
        main.set_xlabel("important parameter")
        main.set_ylabel("unimportant parameter")
        top.set_title(f"{key} layout: {illustration[key + '_distinct_x']} distinct values, "
                      f"best g = {illustration[key + '_best']:.2f}", fontsize=10)
    fig.tight_layout()
    return fig
