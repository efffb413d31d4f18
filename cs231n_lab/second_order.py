"""Tier B - second-order optimisation for teaching: Newton, BFGS and L-BFGS (Lecture 7).

First-order methods use only the gradient and need a learning rate. Second-order methods
fit a quadratic around w using the curvature and jump to its minimum:

    Newton:  w <- w - H^-1 g           no learning rate; forms H (D^2 numbers) and solves
                                       a D x D system (O(D^3)) every step
    BFGS:    keeps an approximation B ~ H^-1 built from steps s = w' - w and gradient
             changes y = g' - g:  B <- (I - rho s y^T) B (I - rho y s^T) + rho s s^T,
             rho = 1 / (y^T s); O(D^2) memory, no Hessian, no solve
    L-BFGS:  never forms B: the product B g is rebuilt from the last m (s, y) pairs by the
             two-loop recursion; O(m D) memory. Good for full batch, poor for stochastic
             gradients (the noisy y's spoil the curvature estimate).

Each function takes ``f(w) -> float`` and ``grad(w) -> (D,)`` (and ``hess`` for Newton),
a start ``w0`` of shape (D,), and returns a dict: w (the last iterate), path (iterates,
shape (n_iter + 1, D)), losses, grad_norms (max-norm of the gradient at each iterate),
n_iter, n_evals (calls of f) and converged (grad max-norm <= gtol). BFGS and L-BFGS
choose their step length by a weak-Wolfe line search; Newton takes the full step unless
``line_search=True`` (then backtracking, Armijo).

``logistic_regression(...)`` builds a small full-batch binary logistic-regression problem
(value, gradient, Hessian) on which to race these against Adam and SGD.
"""

import numbers

import numpy as np

from cs231n_lab.loss_surfaces import LossSurface

__all__ = ["newton", "bfgs", "lbfgs", "logistic_regression"]


def _check(w0, max_iter, gtol):
    w0 = np.asarray(w0, dtype=np.float64)
    if w0.ndim != 1:
        raise ValueError(f"w0 must have shape (D,), got {w0.shape}")
    if not isinstance(max_iter, numbers.Integral) or max_iter < 0:
        raise ValueError(f"max_iter must be an integer >= 0, got {max_iter!r}")
    if not (isinstance(gtol, numbers.Real) and gtol >= 0):
        raise ValueError(f"gtol must be a number >= 0, got {gtol!r}")
    return w0.copy()


class _Tracker:
    """Counts evaluations of f and records the path, losses and gradient norms."""

    def __init__(self, f, grad, w):
        self.f, self.grad, self.n_evals = f, grad, 0
        self.path, self.losses, self.grad_norms = [], [], []
        self.fw, self.g = self.value(w), grad(w)
        self.record(w)

    def value(self, w):
        self.n_evals += 1
        return float(self.f(w))

    def record(self, w):
        if not (np.isfinite(self.fw) and np.all(np.isfinite(self.g))):
            raise FloatingPointError(f"the loss or its gradient became NaN/inf at iteration {len(self.path)}")
        self.path.append(w.copy())
        self.losses.append(self.fw)
        self.grad_norms.append(float(np.max(np.abs(self.g))))

    def result(self, gtol):
        return {"w": self.path[-1], "path": np.array(self.path), "losses": np.array(self.losses),
                "grad_norms": np.array(self.grad_norms), "n_iter": len(self.path) - 1,
                "n_evals": self.n_evals, "converged": self.grad_norms[-1] <= gtol}


def _backtracking(tr, w, p, c1=1e-4, shrink=0.5, max_halvings=60):
    """Largest alpha in 1, 1/2, 1/4, ... with f(w + alpha p) <= f(w) + c1 alpha g.p (Armijo)."""
    slope = float(tr.g @ p)
    alpha = 1.0
    for _ in range(max_halvings):
        f_new = tr.value(w + alpha * p)
        if np.isfinite(f_new) and f_new <= tr.fw + c1 * alpha * slope:
            return alpha, f_new
        alpha *= shrink
    return 0.0, tr.fw


def _wolfe(tr, w, p, c1=1e-4, c2=0.9, max_tries=60):
    """A step alpha satisfying the weak Wolfe conditions, by bisection (Lewis & Overton):
    sufficient decrease (Armijo) *and* the curvature condition g(w + alpha p).p >= c2 g.p,
    which guarantees y^T s > 0 so that the quasi-Newton update stays positive definite.
    Returns (alpha, f_new, g_new); alpha = 0 if no such step was found."""
    slope = float(tr.g @ p)
    lo, hi, alpha = 0.0, np.inf, 1.0
    for _ in range(max_tries):
        f_new = tr.value(w + alpha * p)
        if not np.isfinite(f_new) or f_new > tr.fw + c1 * alpha * slope:
            hi = alpha                      # too long: the loss did not drop enough
        else:
            g_new = tr.grad(w + alpha * p)
            if g_new @ p < c2 * slope:      # too short: still descending steeply
                lo = alpha
            else:
                return alpha, f_new, g_new
        alpha = (lo + hi) / 2 if np.isfinite(hi) else 2 * lo
    return 0.0, tr.fw, tr.g


def newton(f, grad, hess, w0, max_iter=50, gtol=1e-6, line_search=False):
    """Newton's method: w <- w - alpha H(w)^-1 g(w), alpha = 1 (or backtracked if line_search).

    On a quadratic f = w^T A w / 2 - b^T w one full step lands exactly on the minimum.
    Pure Newton heads for any stationary point, saddles included (it minimises the local
    quadratic model, which is not bounded below there); the lecture's caveat.
    """
    w = _check(w0, max_iter, gtol)
    tr = _Tracker(f, grad, w)
    for _ in range(max_iter):
        if tr.grad_norms[-1] <= gtol:
            break
        p = -np.linalg.solve(hess(w), tr.g)
        if line_search:
            if tr.g @ p >= 0:   # H not positive definite here: fall back to steepest descent
                p = -tr.g
            alpha, tr.fw = _backtracking(tr, w, p)
            if alpha == 0.0:
                break
            w = w + alpha * p
        else:
            w = w + p
            tr.fw = tr.value(w)
        tr.g = grad(w)
        tr.record(w)
    return tr.result(gtol)


def bfgs(f, grad, w0, max_iter=500, gtol=1e-6):
    """BFGS with an inverse-Hessian approximation B (D x D), starting from B = I scaled by
    y^T s / y^T y after the first step; pairs with y^T s <= 0 are skipped so B stays
    positive definite."""
    w = _check(w0, max_iter, gtol)
    tr = _Tracker(f, grad, w)
    B = np.eye(w.size)
    first = True
    for _ in range(max_iter):
        if tr.grad_norms[-1] <= gtol:
            break
        p = -B @ tr.g
        if tr.g @ p >= 0:
            B, p = np.eye(w.size), -tr.g
        alpha, tr.fw, g_new = _wolfe(tr, w, p)
        if alpha == 0.0:
            break
        s = alpha * p
        y = g_new - tr.g
        w, tr.g = w + s, g_new
        tr.record(w)
        ys = float(y @ s)
        if ys > 1e-12:
            if first:
                B = np.eye(w.size) * ys / float(y @ y)
                first = False
            rho = 1.0 / ys
            V = np.eye(w.size) - rho * np.outer(s, y)
            B = V @ B @ V.T + rho * np.outer(s, s)
    return tr.result(gtol)


def lbfgs(f, grad, w0, m=10, max_iter=500, gtol=1e-6):
    """L-BFGS: the direction -B g from the last m pairs (s, y) by the two-loop recursion,
    with B0 = (y^T s / y^T y) I from the newest pair."""
    w = _check(w0, max_iter, gtol)
    if not isinstance(m, numbers.Integral) or m < 1:
        raise ValueError(f"m (the number of stored pairs) must be an integer >= 1, got {m!r}")
    tr = _Tracker(f, grad, w)
    S, Y = [], []
    for _ in range(max_iter):
        if tr.grad_norms[-1] <= gtol:
            break
        q = tr.g.copy()
        alphas = []
        for s, y in zip(reversed(S), reversed(Y)):       # newest pair first
            a = (s @ q) / (y @ s)
            q -= a * y
            alphas.append(a)
        gamma = (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1]) if S else 1.0
        r = gamma * q
        for (s, y), a in zip(zip(S, Y), reversed(alphas)):  # oldest pair first
            r += s * (a - (y @ r) / (y @ s))
        p = -r
        if tr.g @ p >= 0:
            S, Y, p = [], [], -tr.g
        step, tr.fw, g_new = _wolfe(tr, w, p)
        if step == 0.0:
            break
        s = step * p
        y = g_new - tr.g
        w, tr.g = w + s, g_new
        tr.record(w)
        if y @ s > 1e-12:
            S.append(s)
            Y.append(y)
            if len(S) > m:
                S.pop(0)
                Y.pop(0)
    return tr.result(gtol)


def logistic_regression(N=1000, D=20, reg=1e-3, scale_range=100.0, seed=0):
    """A full-batch binary logistic-regression problem as a LossSurface of dimension D + 1.

    Data: N points, D Gaussian features whose scales run geometrically from 1/sqrt(s) to
    sqrt(s) (s = scale_range, so the Hessian is ill-conditioned like real unnormalised
    data), mixed by a random rotation (correlated features: the ill-conditioning is not
    along the axes, so per-coordinate scaling like Adam's cannot undo it), plus a column of
    ones for the bias; labels from a random true w with 10% flips.
    Loss, gradient and Hessian (p = sigmoid(X w), labels y in {0, 1}):

        L(w) = mean_i [log(1 + exp(x_i w)) - y_i x_i w] + reg / 2 ||w||^2
        dL/dw = X^T (p - y) / N + reg w
        H = X^T diag(p (1 - p)) X / N + reg I

    The returned surface's ``minimum`` is found by Newton's method to gtol 1e-12;
    ``start`` is zeros; ``X`` (N, D + 1) and ``y`` (N,) are attached.
    """
    for name, v in (("N", N), ("D", D)):
        if not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    if not (reg > 0 and scale_range >= 1):
        raise ValueError(f"reg must be > 0 and scale_range >= 1, got reg={reg!r}, scale_range={scale_range!r}")
    rng = np.random.default_rng(seed)
    scales = np.sqrt(scale_range) ** np.linspace(-1, 1, D)
    Q, _ = np.linalg.qr(rng.standard_normal((D, D)))   # a random rotation
    X = np.hstack([(rng.standard_normal((N, D)) * scales) @ Q, np.ones((N, 1))])
    w_true = rng.standard_normal(D + 1) / scales.mean()
    y = (X @ w_true + 0.5 * rng.standard_normal(N) > 0).astype(np.float64)
    flip = rng.random(N) < 0.1
    y[flip] = 1 - y[flip]

    def value(w):
        s = w @ X.T  # (..., N)
        return np.mean(np.logaddexp(0.0, s) - y * s, axis=-1) + 0.5 * reg * np.sum(w * w, axis=-1)

    def gradient(w):
        p = 0.5 * (1.0 + np.tanh(0.5 * (w @ X.T)))  # sigmoid, without overflow
        return (p - y) @ X / N + reg * w

    def hessian(w):
        p = 0.5 * (1.0 + np.tanh(0.5 * (w @ X.T)))  # sigmoid, without overflow
        return np.einsum("...n,ni,nj->...ij", p * (1 - p), X, X) / N + reg * np.eye(D + 1)

    w0 = np.zeros(D + 1)
    best = newton(value, gradient, hessian, w0, max_iter=100, gtol=1e-12, line_search=True)["w"]
    surface = LossSurface("logistic_regression", value, gradient, hessian, start=w0, minimum=best,
                          xlim=(best[0] - 3, best[0] + 3), ylim=(best[1] - 3, best[1] + 3),
                          description=f"full-batch logistic regression, N={N}, D={D}+1", dim=D + 1)
    surface.X, surface.y = X, y
    return surface
