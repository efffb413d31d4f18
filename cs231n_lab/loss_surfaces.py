"""Tier B - small loss surfaces that show what goes wrong with SGD (Lecture 7).

Each surface is a ``LossSurface`` with ``value``, ``gradient`` and ``hessian`` that act on
the last axis of ``w`` (shape (..., D); D = 2 except for Rosenbrock, which takes any
D >= 2), so one call evaluates a whole contour grid. ``gradient(w, noise, rng)`` adds
Gaussian noise of standard deviation ``noise`` to imitate a minibatch gradient;
``gradient_fn(noise, seed)`` gives a seeded, reproducible noisy gradient function.

    taco_shell(a, b)     f = (a x^2 + b y^2) / 2              poor conditioning: kappa = b / a
    saddle()             f = x^2 / 2 + y^4 / 4 - y^2 / 2       saddle at 0, minima at (0, +-1)
    local_minimum(c)     f = x^4 / 4 - x^2 / 2 + c x + y^2 / 2 a shallow local and a deeper global minimum
    rosenbrock(a, b)     f = sum b (x_{i+1} - x_i^2)^2 + (a - x_i)^2   the curved valley
"""

import numbers

import numpy as np

__all__ = ["LossSurface", "taco_shell", "saddle", "local_minimum", "rosenbrock", "SURFACES", "get_surface"]


def _as_rng(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy Generator or an integer seed, got {rng!r}")


class LossSurface:
    """A differentiable 2-D (or D-dimensional) loss f(w) with its gradient and Hessian.

    Attributes: name, dim (D, or None for any D >= 2), start (a default starting point,
    shape (D,)), minimum (the global minimiser, shape (D,)), xlim and ylim (a good view
    for contour plots), description (one line).
    """

    def __init__(self, name, value, gradient, hessian, start, minimum, xlim, ylim, description, dim=2):
        self.name, self.description, self.dim = name, description, dim
        self._value, self._gradient, self._hessian = value, gradient, hessian
        self.start = np.asarray(start, dtype=np.float64)
        self.minimum = np.asarray(minimum, dtype=np.float64)
        self.xlim, self.ylim = tuple(xlim), tuple(ylim)

    def __repr__(self):
        return f"LossSurface({self.name!r}: {self.description})"

    def _check(self, w, what):
        w = np.asarray(w, dtype=np.float64)
        D = w.shape[-1] if w.ndim else 0
        ok = D == self.dim if self.dim else D >= 2
        if not ok:
            want = self.dim if self.dim else ">= 2"
            raise ValueError(f"{self.name}.{what}: w must have shape (..., {want}), got {w.shape}")
        return w

    def value(self, w):
        """f(w): shape (...,) for w of shape (..., D)."""
        return self._value(self._check(w, "value"))

    def gradient(self, w, noise=0.0, rng=None):
        """df/dw, shape (..., D); plus noise * N(0, 1) per entry if noise > 0 (needs rng)."""
        g = self._gradient(self._check(w, "gradient"))
        if not (isinstance(noise, numbers.Real) and np.isfinite(noise) and noise >= 0):
            raise ValueError(f"{self.name}.gradient: noise must be a finite number >= 0, got {noise!r}")
        if noise > 0:
            if rng is None:
                raise ValueError(f"{self.name}.gradient: noise={noise} needs an rng (Generator or seed)")
            g = g + noise * _as_rng(rng).standard_normal(g.shape)
        return g

    def hessian(self, w):
        """d^2 f / dw^2, shape (..., D, D)."""
        return self._hessian(self._check(w, "hessian"))

    def gradient_fn(self, noise=0.0, seed=0):
        """A function w -> noisy gradient with its own seeded noise stream (same seed, same noise)."""
        rng = _as_rng(seed)
        return lambda w: self.gradient(w, noise=noise, rng=rng)


def _stack(*parts):
    return np.stack(parts, axis=-1)


def _hess2(fxx, fxy, fyy):
    return np.stack([np.stack([fxx, fxy], -1), np.stack([fxy, fyy], -1)], -2)


def taco_shell(a=0.02, b=1.0):
    """The ill-conditioned quadratic f = (a x^2 + b y^2) / 2: steep in y, flat in x.

    The condition number b / a (50 by default) is what makes SGD zig-zag across the
    valley while it crawls along it.
    """
    if not (a > 0 and b > 0):
        raise ValueError(f"taco_shell: a and b must be > 0, got a={a!r}, b={b!r}")
    return LossSurface(
        "taco_shell",
        lambda w: 0.5 * (a * w[..., 0] ** 2 + b * w[..., 1] ** 2),
        lambda w: _stack(a * w[..., 0], b * w[..., 1]),
        lambda w: _hess2(np.full(w.shape[:-1], a), np.zeros(w.shape[:-1]), np.full(w.shape[:-1], b)),
        start=(-9.0, 2.0), minimum=(0.0, 0.0), xlim=(-10, 10), ylim=(-3, 3),
        description=f"ill-conditioned quadratic, condition number {b / a:g}")


def saddle():
    """f = x^2 / 2 + y^4 / 4 - y^2 / 2: a saddle point at the origin (gradient 0, Hessian
    diag(1, -1)) between two minima at (0, +-1) with f = -1/4. Started near y = 0, plain
    SGD slides into the saddle and sits there, where the gradient is almost zero."""
    return LossSurface(
        "saddle",
        lambda w: 0.5 * w[..., 0] ** 2 + 0.25 * w[..., 1] ** 4 - 0.5 * w[..., 1] ** 2,
        lambda w: _stack(w[..., 0], w[..., 1] ** 3 - w[..., 1]),
        lambda w: _hess2(np.ones(w.shape[:-1]), np.zeros(w.shape[:-1]), 3 * w[..., 1] ** 2 - 1),
        start=(-2.5, 1e-3), minimum=(0.0, 1.0), xlim=(-3, 3), ylim=(-1.6, 1.6),
        description="saddle point at the origin, minima at (0, +-1)")


def local_minimum(c=0.3):
    """f = x^4 / 4 - x^2 / 2 + c x + y^2 / 2: a tilted double well. For 0 < c < 0.38 there is
    a shallow local minimum at x > 0 and the global one at x < 0; started on the right,
    SGD stops in the local minimum, momentum can carry it over the bump."""
    if not 0 < c < 2 / (3 * np.sqrt(3)):
        raise ValueError(f"local_minimum: c must be in (0, 0.385) for two minima, got {c!r}")
    roots = np.roots([1.0, 0.0, -1.0, c])
    xmin = float(np.min(roots.real))  # the deepest (left) well
    return LossSurface(
        "local_minimum",
        lambda w: 0.25 * w[..., 0] ** 4 - 0.5 * w[..., 0] ** 2 + c * w[..., 0] + 0.5 * w[..., 1] ** 2,
        lambda w: _stack(w[..., 0] ** 3 - w[..., 0] + c, w[..., 1]),
        lambda w: _hess2(3 * w[..., 0] ** 2 - 1, np.zeros(w.shape[:-1]), np.ones(w.shape[:-1])),
        start=(2.0, 1.5), minimum=(xmin, 0.0), xlim=(-2.2, 2.4), ylim=(-2, 2),
        description=f"tilted double well: local minimum at x > 0, global at x = {xmin:.3f}")


def _rosen_value(w, a, b):
    x, nxt = w[..., :-1], w[..., 1:]
    return np.sum(b * (nxt - x ** 2) ** 2 + (a - x) ** 2, axis=-1)


def _rosen_gradient(w, a, b):
    x, nxt = w[..., :-1], w[..., 1:]
    r = nxt - x ** 2
    g = np.zeros_like(w)
    g[..., :-1] += -4 * b * x * r - 2 * (a - x)
    g[..., 1:] += 2 * b * r
    return g


def _rosen_hessian(w, a, b):
    D = w.shape[-1]
    H = np.zeros(w.shape + (D,))
    x, nxt = w[..., :-1], w[..., 1:]
    i = np.arange(D - 1)
    H[..., i, i] += -4 * b * (nxt - x ** 2) + 8 * b * x ** 2 + 2
    H[..., i + 1, i + 1] += 2 * b
    H[..., i, i + 1] = -4 * b * x
    H[..., i + 1, i] = -4 * b * x
    return H


def rosenbrock(a=1.0, b=100.0):
    """Rosenbrock's banana valley, in any dimension D >= 2 (same as scipy.optimize.rosen
    for a=1, b=100): f = sum_i b (w_{i+1} - w_i^2)^2 + (a - w_i)^2, minimum at w = (a, a^2, ...)
    for D = 2 and at all ones for a = 1. The 2-D defaults (start, limits) are for D = 2."""
    return LossSurface(
        "rosenbrock",
        lambda w: _rosen_value(w, a, b), lambda w: _rosen_gradient(w, a, b),
        lambda w: _rosen_hessian(w, a, b),
        start=(-1.2, 1.0), minimum=(a, a * a), xlim=(-2, 2), ylim=(-1, 3),
        description=f"Rosenbrock valley (a={a:g}, b={b:g}), minimum at ({a:g}, {a * a:g})", dim=None)


SURFACES = {"taco_shell": taco_shell, "saddle": saddle, "local_minimum": local_minimum, "rosenbrock": rosenbrock}


def get_surface(name, **kwargs):
    """The surface called ``name`` (one of SURFACES), built with its keyword arguments."""
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; expected one of {sorted(SURFACES)}")
    return SURFACES[name](**kwargs)
