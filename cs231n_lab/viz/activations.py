"""Tier D - the activation explorer (Lecture 6): f and f' of each activation, and what an
input distribution does to it (saturated units, dead units, the sign of weight gradients)."""

import matplotlib.pyplot as plt
import numpy as np

from cs231n_lab.activations import ACTIVATIONS

__all__ = ["compute_activation_curve", "compute_weight_gradient_signs", "plot_activation"]


def compute_activation_curve(name, input_mean=0.0, input_std=1.0, lo=-10.0, hi=10.0, num=401,
                             num_samples=20000, saturation=0.01, seed=0):
    """f and f' on a grid, plus statistics for inputs drawn from N(input_mean, input_std^2).

    Returns a dict: x, f, df (num,) on [lo, hi]; samples' fraction ``saturated`` (0 < f' <
    saturation * max f'), ``dead`` (f' == 0), ``mean_output`` and ``mean_gradient``.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    if not input_std > 0:
        raise ValueError(f"input_std must be > 0, got {input_std!r}")
    forward, backward = ACTIVATIONS[name]
    x = np.linspace(lo, hi, num)
    f, cache = forward(x)
    df = backward(np.ones_like(x), cache)
    samples = np.random.default_rng(seed).normal(input_mean, input_std, size=num_samples)
    out, cache = forward(samples)
    grad = backward(np.ones_like(samples), cache)
    peak = float(np.max(np.abs(df)))
    return {"name": name, "x": x, "f": f, "df": df, "input_mean": input_mean, "input_std": input_std,
            "samples": samples, "saturated": float(np.mean((np.abs(grad) > 0) & (np.abs(grad) < saturation * peak))),
            "dead": float(np.mean(grad == 0)), "mean_output": float(out.mean()), "mean_gradient": float(grad.mean())}


def compute_weight_gradient_signs(name, num_inputs=10, num_examples=1000, seed=0):
    """For a neuron w.x fed by the outputs of ``name`` (inputs N(0, 1) before the activation),
    dL/dw = (dL/d(w.x)) * x. Returns the fraction of examples whose gradient on w has all
    entries of one sign: 1.0 means every step moves all weights up together or down together
    (the zig-zag of non-zero-centred activations, e.g. sigmoid)."""
    forward, _ = ACTIVATIONS[name]
    rng = np.random.default_rng(seed)
    x, _ = forward(rng.standard_normal((num_examples, num_inputs)))
    upstream = rng.standard_normal((num_examples, 1))
    dw = upstream * x
    same_sign = np.all(dw >= 0, axis=1) | np.all(dw <= 0, axis=1)
    return float(np.mean(same_sign))


def plot_activation(curve, figsize=(10, 3.4)):
    """Two panels: f(x) and f'(x), with the input distribution shaded under f'."""
    fig, (ax_f, ax_d) = plt.subplots(1, 2, figsize=figsize)
    ax_f.plot(curve["x"], curve["f"], color="C0")
    ax_f.set_title(f"{curve['name']}: f(x)")
    ax_d.plot(curve["x"], curve["df"], color="C3")
    ax_d.set_title(f"f'(x); inputs N({curve['input_mean']:.1f}, {curve['input_std']:.1f}^2) shaded")
    counts, edges = np.histogram(curve["samples"], bins=80, range=(curve["x"][0], curve["x"][-1]))
    top = max(float(np.max(np.abs(curve["df"]))), 1e-12)
    ax_d.fill_between(edges[:-1], 0, counts / max(counts.max(), 1) * top, step="post", color="0.8", zorder=0)
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="0.6", lw=0.8)
        ax.axvline(0, color="0.6", lw=0.8)
        ax.set_xlabel("x")
    fig.suptitle(f"saturated {curve['saturated']:.1%}, dead {curve['dead']:.1%}, "
                 f"mean output {curve['mean_output']:.2f}")
    fig.tight_layout()
    return fig
