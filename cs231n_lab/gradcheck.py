"""Tier B - numerical gradient checking (Lecture 4), with the CS231n signatures.

The analytic gradient from a backward pass is compared to the centred difference

    df/dx_i  ~  (f(x + h e_i) - f(x - h e_i)) / (2h)

whose error is O(h^2). ``rel_error`` is the scale-free comparison the course uses:
below ~1e-7 is right for float64 code, 1e-2 and above is almost certainly a bug.
"""

import numpy as np

__all__ = ["eval_numerical_gradient", "eval_numerical_gradient_array", "grad_check_sparse", "rel_error"]


def rel_error(x, y):
    """max |x - y| / max(1e-8, |x| + |y|), elementwise, then the maximum."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error: shapes differ, x {x.shape} vs y {y.shape}")
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))) if x.size else 0.0


def _check_array(x, name):
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} must be a floating-point numpy array (it is perturbed in place), "
                        f"got {type(x).__name__}" + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))


def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    """Numerical gradient of a scalar function f at x (x is modified and restored in place).

    f: callable taking the array x and returning a float.
    Returns an array shaped like x.
    """
    _check_array(x, "x")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of sum(f(x) * df) with respect to x, for array-valued f.

    This is what a layer's backward computes: df is the upstream gradient dL/dout.
    """
    _check_array(x, "x")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = np.array(f(x), copy=True)
        x[ix] = old - h
        neg = np.array(f(x), copy=True)
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, rng=None, verbose=True):
    """Compare ``analytic_grad`` with the numerical gradient at ``num_checks`` random entries.

    Returns the list of relative errors (one per checked entry).
    """
    _check_array(x, "x")
    if np.shape(analytic_grad) != x.shape:
        raise ValueError(f"grad_check_sparse: analytic_grad has shape {np.shape(analytic_grad)}, "
                         f"expected x's shape {x.shape}")
    rng = np.random.default_rng(rng)
    errors = []
    for _ in range(num_checks):
        ix = tuple(int(rng.integers(n)) for n in x.shape)
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        num = (fxph - fxmh) / (2 * h)
        ana = analytic_grad[ix]
        err = abs(num - ana) / max(1e-8, abs(num) + abs(ana))
        errors.append(float(err))
        if verbose:
            print(f"numerical: {num:f} analytic: {ana:f}, relative error: {err:e}")
    return errors
