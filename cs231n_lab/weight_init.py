"""Tier B - weight initialisation and the lecture's 10-layer activation statistics (Lecture 6).

Schemes for a (fan_in, fan_out) weight matrix, W = std * N(0, 1):

    zeros     std 0: every neuron computes the same thing and gets the same gradient
              (symmetry is never broken)
    small     std 0.01: fine for small nets; in deep nets activations shrink to 0 layer by layer
    big       std 1: tanh units saturate at +-1, gradients vanish
    xavier    std 1/sqrt(fan_in) (Glorot & Bengio 2010): keeps the variance for tanh
    he        std sqrt(2/fan_in) (He et al. 2015): the factor 2 makes up for ReLU zeroing half

``activation_statistics`` reproduces the lecture's experiment: 1000 random inputs through
10 layers of 500 units, printing mean/std and plotting histograms of each layer.
"""

import numpy as np

from cs231n_lab.activations import ACTIVATIONS

__all__ = ["INITS", "init_std", "init_weights", "activation_statistics"]

INITS = ("zeros", "small", "big", "xavier", "he")


def init_std(init, fan_in):
    """The standard deviation a scheme uses for a layer with fan_in inputs (a number is used as is)."""
    if not isinstance(fan_in, (int, np.integer)) or fan_in < 1:
        raise ValueError(f"init_std: fan_in must be a positive integer, got {fan_in!r}")
    if isinstance(init, (int, float, np.floating)) and not isinstance(init, bool):
        if not (np.isfinite(init) and init >= 0):
            raise ValueError(f"init_std: a numeric init is the std and must be >= 0, got {init!r}")
        return float(init)
    stds = {"zeros": 0.0, "small": 0.01, "big": 1.0, "xavier": 1 / np.sqrt(fan_in), "he": np.sqrt(2 / fan_in)}
    if init not in stds:
        raise ValueError(f"init must be one of {INITS} or a std (a number >= 0), got {init!r}")
    return float(stds[init])


def init_weights(init, fan_in, fan_out, rng=None, dtype=np.float64):
    """A (fan_in, fan_out) weight matrix drawn as init_std(init, fan_in) * N(0, 1).

    rng: numpy Generator or seed (a fresh seeded stream; no global state is touched).
    """
    if not isinstance(fan_out, (int, np.integer)) or fan_out < 1:
        raise ValueError(f"init_weights: fan_out must be a positive integer, got {fan_out!r}")
    std = init_std(init, fan_in)
    rng = np.random.default_rng(rng)
    return (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)


def activation_statistics(init, activation, layers=10, width=500, num_examples=1000, bins=50, rng=0):
    """Push random data through a deep stack of ``activation(h @ W)`` layers and back.

    init: a scheme name from INITS or a std.  activation: a name of activations.ACTIVATIONS.
    Forward: h_0 = X ~ N(0, 1) of shape (num_examples, width); h_l = f(h_{l-1} @ W_l).
    Backward: a N(0, 1) upstream gradient at the top is backpropagated through every layer.
    Returns a dict of arrays, one entry per layer l = 1..layers:
        act_mean, act_std        (layers,)   mean and std of h_l
        act_hist                 (layers, bins) histogram counts of h_l over act_edges (bins+1,)
        grad_std                 (layers,)   std of dL/dh_l (gradient arriving at layer l's output)
        grad_hist, grad_edges    histograms of dL/dh_l
        weight_grad_std          (layers,)   std of dL/dW_l
    Histogram edges are shared by all layers so that shrinking and saturation are visible.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    for name, v in (("layers", layers), ("width", width), ("num_examples", num_examples), ("bins", bins)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"activation_statistics: {name} must be a positive integer, got {v!r}")
    forward, backward = ACTIVATIONS[activation]
    rng = np.random.default_rng(rng)
    h = rng.standard_normal((num_examples, width))
    inputs, weights, caches, acts = [], [], [], []
    for _ in range(layers):
        W = init_weights(init, width, width, rng=rng)
        inputs.append(h)
        h, cache = forward(h @ W)
        weights.append(W)
        caches.append(cache)
        acts.append(h)

    dh = rng.standard_normal(h.shape)
    grads, weight_grad_std = [None] * layers, [0.0] * layers
    for l in reversed(range(layers)):
        grads[l] = dh
        da = backward(dh, caches[l])
        weight_grad_std[l] = float((inputs[l].T @ da).std())
        dh = da @ weights[l].T

    def histograms(arrays):
        lo = min(float(a.min()) for a in arrays)
        hi = max(float(a.max()) for a in arrays)
        if hi <= lo:  # everything identical (e.g. W = 0): a small window around the value
            lo, hi = lo - 1.0, hi + 1.0
        edges = np.linspace(lo, hi, bins + 1)
        return np.array([np.histogram(a, bins=edges)[0] for a in arrays]), edges

    act_hist, act_edges = histograms(acts)
    grad_hist, grad_edges = histograms(grads)
    return {
        "act_mean": np.array([a.mean() for a in acts]), "act_std": np.array([a.std() for a in acts]),
        "act_hist": act_hist, "act_edges": act_edges,
        "grad_std": np.array([g.std() for g in grads]), "grad_hist": grad_hist, "grad_edges": grad_edges,
        "weight_grad_std": np.array(weight_grad_std),
    }
