"""Tier B - activation functions, each with its forward and backward (Lectures 4 and 6).

Every function follows the CS231n layer API: ``*_forward(x, ...) -> (out, cache)`` and
``*_backward(dout, cache) -> dx`` (PReLU also returns dalpha; Maxout works on groups).

What the lecture says about each (the notebook 06a shows it on numbers):
- sigmoid  1/(1+e^-x): saturates - the local gradient s(1-s) is 0.25 at 0 and ~4.5e-5 at
  |x|=10, so saturated units kill the gradient; outputs are all positive (not zero-centred).
- tanh: zero-centred, but still saturates (gradient 1 - tanh^2).
- ReLU max(0, x): no saturation for x > 0, cheap, converges fast; a unit whose input is
  always negative gets no gradient ever again ("dead ReLU").
- Leaky ReLU max(alpha x, x) and PReLU (alpha learned): never die.
- ELU: x for x > 0, alpha (e^x - 1) otherwise: smooth, mean output closer to zero.
- SELU: scale * ELU with fixed alpha, scale that keep activations self-normalising.
- Maxout: max over k affine pieces - generalises ReLU and Leaky ReLU, k times the parameters.
- GELU x * Phi(x) (Phi the standard normal CDF): the smooth ReLU of transformers.
The elementwise ones are collected in ``ACTIVATIONS`` (name -> (forward, backward)) for the
widgets and ``weight_init.activation_statistics``.
"""

import math

import numpy as np

__all__ = ["relu_forward", "relu_backward", "sigmoid_forward", "sigmoid_backward",
           "tanh_forward", "tanh_backward", "leaky_relu_forward", "leaky_relu_backward",
           "prelu_forward", "prelu_backward", "elu_forward", "elu_backward",
           "selu_forward", "selu_backward", "maxout_forward", "maxout_backward",
           "gelu_forward", "gelu_backward", "ACTIVATIONS"]

# SELU's constants (Klambauer et al. 2017), the same as torch.nn.functional.selu.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _check_dout(fn, dout, shape):
    dout = np.asarray(dout)
    if dout.shape != shape:
        raise ValueError(f"{fn}: dout has shape {dout.shape}, expected x's shape {shape}")
    return dout


def _check_alpha(fn, alpha):
    if not (np.isscalar(alpha) and np.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"{fn}: alpha must be a finite number >= 0, got {alpha!r}")
    return float(alpha)


def relu_forward(x):
    """ReLU: out = max(0, x), elementwise. Returns out and cache = x."""
    x = np.asarray(x)
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    """dx = dout where x > 0, else 0 (the gradient at exactly 0 is taken as 0)."""
    x = cache
    dout = _check_dout("relu_backward", dout, x.shape)
    return dout * (x > 0)


def sigmoid_forward(x):
    """Sigmoid s = 1 / (1 + e^-x), computed without overflow for large |x|. cache = s."""
    x = np.asarray(x)
    z = np.exp(-np.abs(x))  # e^-|x| <= 1 never overflows
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    return out, out


def sigmoid_backward(dout, cache):
    """ds/dx = s (1 - s): at most 0.25 (at x = 0), ~0 when the unit saturates."""
    s = cache
    return _check_dout("sigmoid_backward", dout, s.shape) * s * (1 - s)


def tanh_forward(x):
    """tanh(x) = 2 sigmoid(2x) - 1, zero-centred in (-1, 1). cache = out."""
    out = np.tanh(np.asarray(x))
    return out, out


def tanh_backward(dout, cache):
    """d tanh/dx = 1 - tanh(x)^2."""
    t = cache
    return _check_dout("tanh_backward", dout, t.shape) * (1 - t ** 2)


def leaky_relu_forward(x, alpha=0.01):
    """Leaky ReLU: x for x > 0, alpha * x otherwise (torch's ``negative_slope``)."""
    alpha = _check_alpha("leaky_relu_forward", alpha)
    x = np.asarray(x)
    return np.where(x > 0, x, alpha * x), (x, alpha)


def leaky_relu_backward(dout, cache):
    """dx = dout for x > 0, alpha * dout otherwise."""
    x, alpha = cache
    return _check_dout("leaky_relu_backward", dout, x.shape) * np.where(x > 0, 1.0, alpha)


def prelu_forward(x, alpha):
    """Parametric ReLU: x for x > 0, alpha * x otherwise, with alpha *learned*.

    x: (N, C, ...).  alpha: shape (1,) (one slope shared by all units) or (C,) (one per
    channel / feature along axis 1) - the shapes of torch's ``prelu`` weight.
    Returns out (shape of x) and a cache.
    """
    x, alpha = np.asarray(x), np.asarray(alpha)
    C = x.shape[1] if x.ndim >= 2 else 1
    if alpha.shape not in ((1,), (C,)):
        raise ValueError(f"prelu_forward: alpha must have shape (1,) or (C,) = ({C},), got {alpha.shape}")
    a = alpha.reshape((1, -1) + (1,) * (x.ndim - 2)) if x.ndim >= 2 else alpha
    return np.where(x > 0, x, a * x), (x, a, alpha.shape)


def prelu_backward(dout, cache):
    """Returns dx (shape of x) and dalpha (shape of alpha).

    dx = dout * (1 if x > 0 else alpha);  dalpha = sum of dout * x over the units with x <= 0
    that share that alpha (all of them for shape (1,), one channel's for shape (C,)).
    """
    x, a, alpha_shape = cache
    dout = _check_dout("prelu_backward", dout, x.shape)
    dx = dout * np.where(x > 0, 1.0, a)
    contrib = dout * np.where(x > 0, 0.0, x)
    if alpha_shape == (1,) or x.ndim < 2:
        dalpha = np.array([contrib.sum()])
    else:
        dalpha = contrib.sum(axis=tuple(i for i in range(x.ndim) if i != 1))
    return dx, dalpha.reshape(alpha_shape)


def elu_forward(x, alpha=1.0):
    """ELU: x for x > 0, alpha (e^x - 1) otherwise."""
    alpha = _check_alpha("elu_forward", alpha)
    x = np.asarray(x)
    neg = alpha * np.expm1(np.minimum(x, 0))  # expm1 is accurate near 0; min avoids overflow
    return np.where(x > 0, x, neg), (x, alpha)


def elu_backward(dout, cache):
    """dx = dout for x > 0, alpha e^x dout otherwise."""
    x, alpha = cache
    dout = _check_dout("elu_backward", dout, x.shape)
    return dout * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))


def selu_forward(x):
    """SELU: SELU_SCALE * ELU(x, SELU_ALPHA) - keeps mean ~0 and variance ~1 layer after layer."""
    out, (x, _) = elu_forward(x, SELU_ALPHA)
    return SELU_SCALE * out, x


def selu_backward(dout, cache):
    """dx = SELU_SCALE * dELU/dx * dout."""
    x = cache
    return SELU_SCALE * elu_backward(dout, (x, SELU_ALPHA))


def maxout_forward(x, k):
    """Maxout over groups of k pre-activations.

    x: (N, M * k) - the output of an affine layer with M * k units, grouped as
    x.reshape(N, M, k).  out: (N, M), out[n, m] = max_j x[n, m, j]. An affine layer with
    M * k outputs followed by this is the lecture's max(w1^T x + b1, ..., wk^T x + bk);
    with k = 2 and one piece fixed at 0 it is ReLU.
    """
    x = np.asarray(x)
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"maxout_forward: k must be a positive integer, got {k!r}")
    if x.ndim != 2 or x.shape[1] % k:
        raise ValueError(f"maxout_forward: x must be 2-D (N, M * k) with k={k} dividing its width, got {x.shape}")
    groups = x.reshape(x.shape[0], -1, k)
    winner = groups.argmax(axis=2)
    out = np.take_along_axis(groups, winner[..., None], axis=2)[..., 0]
    return out, (x.shape, winner, k)


def maxout_backward(dout, cache):
    """The max gate routes: each group's gradient goes to its winning piece only."""
    shape, winner, k = cache
    dout = _check_dout("maxout_backward", dout, winner.shape)
    dgroups = np.zeros((shape[0], shape[1] // k, k), dtype=dout.dtype)
    np.put_along_axis(dgroups, winner[..., None], dout[..., None], axis=2)
    return dgroups.reshape(shape)


# NumPy has no erf; math.erfc is accurate to double precision. Phi(x) = erfc(-x / sqrt 2) / 2
# avoids the cancellation of 1 + erf(x / sqrt 2) for very negative x.
_erfc = np.frompyfunc(math.erfc, 1, 1)


def gelu_forward(x, approximate="none"):
    """GELU: x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2 the standard normal CDF (torch's default).

    approximate="tanh" uses 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as torch's
    ``gelu(approximate="tanh")``.
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu_forward: approximate must be 'none' or 'tanh', got {approximate!r}")
    x = np.asarray(x)
    if approximate == "tanh":
        # 0.5 (1 + tanh(u)) = sigmoid(2u): no cancellation for very negative x.
        s = sigmoid_forward(2 * math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))[0]
        return x * s, (x, approximate, s)
    cdf = (0.5 * _erfc(-x / math.sqrt(2)).astype(np.float64)).astype(np.result_type(x, np.float32))
    return x * cdf, (x, approximate, cdf)


def gelu_backward(dout, cache):
    """dGELU/dx = Phi(x) + x phi(x), phi the standard normal density (tanh form: its own derivative)."""
    x, approximate, aux = cache
    dout = _check_dout("gelu_backward", dout, x.shape)
    if approximate == "tanh":  # d/dx [x s(2u)] = s + x * 2 s (1 - s) * du/dx
        du = math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x ** 2)
        local = aux + x * 2 * aux * (1 - aux) * du
    else:
        local = aux + x * np.exp(-0.5 * x ** 2) / math.sqrt(2 * math.pi)
    return dout * local


def _prelu_quarter_forward(x):
    x = np.asarray(x)
    alpha = np.array([0.25], dtype=np.result_type(x, np.float32))
    return prelu_forward(x.reshape(-1, 1), alpha)[0].reshape(x.shape), x


def _prelu_quarter_backward(dout, x):
    return leaky_relu_backward(dout, (x, 0.25))


# The elementwise activations with their default settings, by name (PReLU at torch's initial
# slope 0.25; Maxout is left out: it maps k inputs to one output, so it has no 1-D curve).
ACTIVATIONS = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "prelu": (_prelu_quarter_forward, _prelu_quarter_backward),
    "elu": (elu_forward, elu_backward),
    "selu": (selu_forward, selu_backward),
    "gelu": (gelu_forward, gelu_backward),
}
