"""Tier D - numbers and figures for the Lecture 5 notebook (conv geometry, filters, pooling).

``compute_conv_geometry`` answers "what comes out of this conv layer (or stack of L equal
layers)?": the output size per layer, or the error when the stride does not fit, and the
input window (receptive field) of the centre output unit. ``plot_conv_geometry`` draws
that on an image; ``plot_filters`` shows learned first-layer filters as small images;
``plot_pooling`` shows an image next to its max-pooled versions.
"""

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from cs231n_lab.conv_arithmetic import conv_output_size, receptive_field, receptive_field_span

__all__ = ["compute_conv_geometry", "compute_filter_smoothness", "resize_nearest", "plot_conv_geometry",
           "plot_filters", "plot_pooling"]


def compute_conv_geometry(input_size, filter_size, stride=1, pad=0, num_layers=1):
    """Geometry of ``num_layers`` identical square conv layers (F, S, P) applied to an N x N input.

    Returns a dict with
      ok: whether every layer fits; error: the message of the first layer that does not (else None);
      sizes: [N, size after layer 1, ...] as far as the layers fit;
      receptive_field: 1 + sum_l (F - 1) * S^(l-1) pixels per side (for L stride-1 layers 1 + L(F-1));
      span: (first, last) input pixel seen by the centre unit of the top layer (may be < 0 or
            >= N: that part is padding); None if a layer does not fit;
      starts: top-left corners of layer 1's filter positions along one axis (may be < 0: padding).
    """
    sizes, error = [int(input_size)], None
    for layer in range(num_layers):
        try:
            sizes.append(conv_output_size(sizes[-1], filter_size, stride, pad))
        except ValueError as e:
            error = f"layer {layer + 1}: " + str(e).split(": ", 1)[1]
            break
    ok = error is None
    starts = [i * stride - pad for i in range(sizes[1])] if len(sizes) > 1 else []
    span = None
    if ok:
        span = receptive_field_span([(filter_size, stride, pad)] * num_layers, sizes[-1] // 2)
    return {"input_size": int(input_size), "filter_size": filter_size, "stride": stride, "pad": pad,
            "num_layers": num_layers, "ok": ok, "error": error, "sizes": sizes, "starts": starts,
            "receptive_field": receptive_field([(filter_size, stride)] * num_layers), "span": span}


def compute_filter_smoothness(W):
    """Correlation between neighbouring weights of conv filters W (F, C, HH, WW), in [-1, 1].

    Each filter's mean is removed first; then all pairs of horizontally and vertically
    adjacent weights (over every filter and channel) are correlated. Independent random
    weights give about 0; smooth blobs and edges - what first-layer filters learn - give
    clearly positive values.
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 4 or min(W.shape[2:]) < 2:
        raise ValueError(f"compute_filter_smoothness: W must be (F, C, HH, WW) with HH, WW >= 2, got {W.shape}")
    W = W - W.mean(axis=(1, 2, 3), keepdims=True)
    a = np.concatenate([W[..., :, :-1].ravel(), W[..., :-1, :].ravel()])
    b = np.concatenate([W[..., :, 1:].ravel(), W[..., 1:, :].ravel()])
    return float(np.corrcoef(a, b)[0, 1])


def resize_nearest(image, size):
    """Nearest-neighbour resize of a 2-D image (H, W) to (size, size) - enough for a picture."""
    image = np.asarray(image)
    rows = (np.arange(size) * image.shape[0] / size).astype(int)
    cols = (np.arange(size) * image.shape[1] / size).astype(int)
    return image[rows][:, cols]


def _summary(geom):
    N, F, S, P, L = (geom[k] for k in ("input_size", "filter_size", "stride", "pad", "num_layers"))
    if not geom["ok"]:
        return f"N={N}, F={F}, S={S}, P={P}: does not fit\n" + textwrap.fill(geom["error"], 60)
    chain = " -> ".join(f"{s}x{s}" for s in geom["sizes"][:4]) + (" -> ..." if L > 3 else "")
    return (f"N={N}, F={F}, S={S}, P={P}, {L} layer(s): {chain}; output {geom['sizes'][-1]}x{geom['sizes'][-1]}\n"
            f"receptive field of the centre unit on top: {geom['receptive_field']}x{geom['receptive_field']} pixels")


def plot_conv_geometry(geom, image, ax=None):
    """Draw ``compute_conv_geometry``'s result on ``image`` (2-D, resized to N x N).

    Grey frame: the zero padding. Blue square: layer 1's filter at its first position;
    dots: the centres of all its positions (their spacing is the stride). Red square:
    the receptive field of the centre unit of the top layer. Returns the Figure.
    """
    N, F, P = geom["input_size"], geom["filter_size"], geom["pad"]
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.2, 5.6))
    else:
        fig = ax.figure
    lo = -max(P, 0) - 0.5
    ax.add_patch(Rectangle((lo, lo), N + 2 * P, N + 2 * P, color="0.85", zorder=0))
    ax.imshow(resize_nearest(image, N), cmap="gray", extent=(-0.5, N - 0.5, N - 0.5, -0.5), zorder=1)
    starts = geom["starts"]
    if starts:
        centres = [s + (F - 1) / 2 for s in starts]
        cx, cy = np.meshgrid(centres, centres)
        ax.plot(cx.ravel(), cy.ravel(), ".", color="tab:blue", ms=3, zorder=3)
        ax.add_patch(Rectangle((starts[0] - 0.5, starts[0] - 0.5), F, F, fill=False, lw=2,
                               ec="tab:blue", zorder=4, label=f"filter {F}x{F} at its first position"))
    if geom["span"] is not None:
        a, b = geom["span"]
        ax.add_patch(Rectangle((a - 0.5, a - 0.5), b - a + 1, b - a + 1, fill=False, lw=2.5, ec="tab:red",
                               zorder=5, label=f"receptive field {b - a + 1}x{b - a + 1} of the centre unit"))
    reach = max([P, F] + ([-geom["span"][0], geom["span"][1] - N + 1] if geom["span"] else [])) + 1
    ax.set_xlim(-reach - 0.5, N + reach - 0.5)
    ax.set_ylim(N + reach - 0.5, -reach - 0.5)
    ax.set_title(_summary(geom), fontsize=9, color="black" if geom["ok"] else "tab:red")
    if geom["ok"] or starts:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=8, frameon=False)
    ax.set_xticks([])
    ax.set_yticks([])
    return fig


def plot_filters(W, ncols=8, title=None):
    """Show conv filters W (F, C, HH, WW) as small images (C = 1 grey, C = 3 colour).

    Each filter is rescaled to [0, 1] on its own, as in the lecture's filter pictures.
    Returns the Figure.
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 4 or W.shape[1] not in (1, 3):
        raise ValueError(f"plot_filters: W must be (F, C, HH, WW) with C = 1 or 3, got shape {W.shape}")
    F = W.shape[0]
    nrows = -(-F // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.1 * nrows + (0.4 if title else 0)),
                             squeeze=False)
    for f, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if f < F:
            w = W[f].transpose(1, 2, 0)
            w = (w - w.min()) / max(w.max() - w.min(), 1e-12)
            ax.imshow(w[..., 0] if w.shape[2] == 1 else w, cmap="gray", interpolation="nearest")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_pooling(image, pooled, titles):
    """An image and its max-pooled versions side by side, pixels drawn as blocks.

    image: (H, W); pooled: list of 2-D arrays; titles: one per panel (image first).
    Returns the Figure.
    """
    panels = [np.asarray(image)] + [np.asarray(p) for p in pooled]
    if len(titles) != len(panels):
        raise ValueError(f"plot_pooling: need {len(panels)} titles (image + each pooled), got {len(titles)}")
    fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels), 2.9))
    for ax, panel, title in zip(np.atleast_1d(axes), panels, titles):
        ax.imshow(panel, cmap="gray", interpolation="nearest")
        ax.set_title(f"{title}\n{panel.shape[0]}x{panel.shape[1]}", fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return fig
