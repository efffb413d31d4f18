"""Tier B - regularisation: weight penalties, weight decay, DropConnect, Gaussian noise (Lecture 7).

The lecture's loss is data loss + lambda * R(W).  Two penalties and their gradients:

    L2:  R = 0.5 * reg * sum W^2      dR/dW = reg * W          (CS231n's factor 0.5)
    L1:  R = reg * sum |W|            dR/dW = reg * sign(W)    (subgradient 0 at W = 0)

With plain SGD an L2 penalty *is* weight decay: w <- w - lr * (dw + reg * w).  With adaptive
rules (Adam) it is not: the penalty gradient gets divided by sqrt(v) like every other gradient.
*Decoupled* weight decay (Loshchilov & Hutter, "AdamW") shrinks the weights directly,

    w <- w - lr * weight_decay * w,   then the ordinary update with dw,

which ``with_weight_decay(rule, weight_decay)`` adds to any CS231n update rule.

The lecture's common pattern - randomness at train time, averaged out at test time - in two
more forms:

* DropConnect (Wan et al. 2013): drop *weights* instead of activations.  In train mode each
  weight is kept with probability ``p`` and the kept weights are divided by p (inverted, as in
  ``cs231n_lab.dropout``), so the expected layer output equals the test-time output x W + b.
  (The paper approximates test time by moment matching; the inverted form here is the simple,
  common one.)
* Gaussian noise on inputs or weights: out = x + std * N(0, 1) in train mode, x at test time.

``dropconnect_param`` / ``noise_param`` keys follow ``dropout_param``: ``p`` or ``std``,
``mode`` ("train"/"test"), optional ``seed`` (then ``np.random.RandomState(seed)`` draws the
mask, leaving NumPy's global state alone; without a seed the global state is used, as in CS231n).

Training-time randomness on the data side - augmentation, Mixup, label smoothing - comes to any
model with the ``loss(X, y=None)`` contract through ``AugmentedModel``; ``ensemble_probs``
averages the predictions of independently trained models (the lecture's "about 2%").
"""

import numpy as np

from cs231n_lab.augmentation import as_rng
from cs231n_lab.fully_connected import affine_backward, affine_forward

__all__ = ["l2_penalty", "l1_penalty", "with_weight_decay", "dropconnect_forward",
           "dropconnect_backward", "gaussian_noise_forward", "gaussian_noise_backward",
           "AugmentedModel", "ensemble_probs"]


def _check_reg(fn, reg):
    if not (np.isscalar(reg) and np.isfinite(reg) and reg >= 0):
        raise ValueError(f"{fn}: reg must be a finite number >= 0, got {reg!r}")
    return float(reg)


def _as_float(w):
    w = np.asarray(w)
    return w if np.issubdtype(w.dtype, np.floating) else w.astype(np.float64)


def l2_penalty(w, reg):
    """L2 penalty 0.5 * reg * sum(w^2) and its gradient reg * w (w of any shape).

    Returns (loss: float, dw: shape of w).  torch's ``weight_decay=reg`` adds the same reg * w.
    """
    reg = _check_reg("l2_penalty", reg)
    w = _as_float(w)
    return float(0.5 * reg * np.sum(w * w)), reg * w


def l1_penalty(w, reg):
    """L1 penalty reg * sum|w| and its (sub)gradient reg * sign(w) (0 where w == 0).

    L1 pushes small weights to exactly zero (sparse weights); L2 shrinks all weights in proportion.
    Returns (loss: float, dw: shape of w).
    """
    reg = _check_reg("l1_penalty", reg)
    w = _as_float(w)
    return float(reg * np.sum(np.abs(w))), reg * np.sign(w)


def with_weight_decay(rule, weight_decay):
    """Wrap an update rule ``rule(w, dw, config) -> (next_w, config)`` with decoupled weight decay.

    The returned rule first shrinks w <- w * (1 - learning_rate * weight_decay) and then applies
    ``rule`` with the untouched gradient dw - torch's ``AdamW`` when ``rule`` is Adam, and the same
    as torch's ``SGD(weight_decay=...)`` when ``rule`` is sgd.  The learning rate is read from
    config["learning_rate"] (the rule's default when the key is missing).
    """
    if not callable(rule):
        raise TypeError(f"with_weight_decay: rule must be an update rule (callable), got {type(rule).__name__}")
    if not (np.isscalar(weight_decay) and np.isfinite(weight_decay) and weight_decay >= 0):
        raise ValueError(f"with_weight_decay: weight_decay must be a finite number >= 0, got {weight_decay!r}")

    def decayed_rule(w, dw, config=None):
        lr = (config or {}).get("learning_rate")
        if lr is None:  # ask the rule for its default, on a copy so its state is not touched
            lr = rule(w, np.zeros_like(w), dict(config or {}))[1]["learning_rate"]
        return rule(w - lr * weight_decay * w, dw, config)

    decayed_rule.__name__ = f"{getattr(rule, '__name__', 'rule')}_with_weight_decay"
    decayed_rule.__doc__ = f"{getattr(rule, '__name__', 'rule')} with decoupled weight decay {weight_decay}."
    return decayed_rule


def _check_param(fn, param, name, valid, message):
    keys = {name, "mode", "seed"}
    if not isinstance(param, dict):
        raise TypeError(f"{fn}: the param dict must be a dict, got {type(param).__name__}")
    unknown = sorted(set(param) - keys)
    if unknown:
        raise ValueError(f"{fn}: unknown key(s) {unknown}; expected some of {sorted(keys)}")
    for key in (name, "mode"):
        if key not in param:
            raise ValueError(f"{fn}: the param dict needs the key {key!r}; got keys {sorted(param)}")
    value, mode, seed = param[name], param["mode"], param.get("seed")
    if not (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            and valid(value)):
        raise ValueError(f"{fn}: {name} {message}, got {value!r}")
    if mode not in ("train", "test"):
        raise ValueError(f"{fn}: mode must be 'train' or 'test', got {mode!r}")
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{fn}: seed must be an int or None, got {type(seed).__name__}")
    return float(value), mode, seed


def _random_state(seed):
    return np.random.RandomState(seed) if seed is not None else np.random


def dropconnect_forward(x, w, b, dropconnect_param):
    """Affine layer with DropConnect on its weights.

    x: (N, d_1, ..., d_k) flattened to (N, D).  w: (D, M).  b: (M,) (biases are not dropped).
    dropconnect_param: p (keep probability in (0, 1]), mode, optional seed.
    train:  mask = (U < p) / p elementwise on w (D, M);  out = x (w * mask) + b
    test:   out = x w + b
    Returns out (N, M) and cache (affine cache with the masked weights, mask).
    One mask is shared by the whole minibatch - the cheap variant (the paper draws one per example).
    """
    p, mode, seed = _check_param("dropconnect_forward", dropconnect_param, "p", lambda v: 0 < v <= 1,
                                 "is the probability of keeping a weight and must be in (0, 1]")
    w = np.asarray(w)
    if mode == "test":
        out, cache = affine_forward(x, w, b)
        return out, (cache, None)
    mask = ((_random_state(seed).rand(*w.shape) < p) / p).astype(w.dtype, copy=False)
    out, cache = affine_forward(x, w * mask, b)
    return out, (cache, mask)


def dropconnect_backward(dout, cache):
    """Backward of dropconnect_forward: returns dx (shape of x), dw (D, M), db (M,).

    out = x (w * mask) + b, so dw = (x^T dout) * mask - dropped weights get no gradient.
    """
    affine_cache, mask = cache
    dx, dw_masked, db = affine_backward(dout, affine_cache)
    dw = dw_masked if mask is None else dw_masked * mask
    return dx, dw, db


def gaussian_noise_forward(x, noise_param):
    """Additive Gaussian noise (on inputs, activations or weights).

    x: any shape.  noise_param: std (>= 0), mode, optional seed.
    train: out = x + std * z,  z ~ N(0, 1) elementwise.   test: out = x.
    Returns out and cache (None - the noise does not depend on x).
    """
    std, mode, seed = _check_param("gaussian_noise_forward", noise_param, "std",
                                   lambda v: np.isfinite(v) and v >= 0, "must be a finite number >= 0")
    x = np.asarray(x)
    if mode == "test" or std == 0:
        return x.copy(), None
    noise = std * _random_state(seed).randn(*x.shape)
    return (x + noise).astype(x.dtype, copy=False), None


def gaussian_noise_backward(dout, cache):
    """Backward of additive noise: out = x + noise, so dx = dout."""
    return np.asarray(dout).copy()


class AugmentedModel:
    """Wraps a model with the ``loss(X, y=None)`` contract to add training-time randomness on the
    data side - augmentation, Mixup, label smoothing - without changing the model or the Solver.

    model: e.g. FullyConnectedNet.  rng: numpy Generator or int seed (all draws come from it).
    augment: ``augment(X, rng) -> X`` (e.g. ``augmentation.make_augment(...)``), applied to each
    training batch; X must then be image-shaped (N, C, H, W).
    mixup_alpha: Mixup with lam ~ Beta(alpha, alpha).  label_smoothing: eps in [0, 1).

    ``loss(X)`` (test time) is the model's, untouched.  In training, a soft target q is a mixture
    of one-hot targets, and the cross-entropy is linear in q, so
        CE(s, q) = sum_k w_k CE(s, y_k),   q = sum_k w_k onehot(y_k),   sum_k w_k = 1,
    one ``model.loss`` call per term, loss and grads combined with the weights w_k:
      Mixup:            x = lam x_a + (1 - lam) x_b, terms (y_a, lam), (y_b, 1 - lam) - exact.
      label smoothing:  q = (1 - eps) onehot(y) + eps / C, terms (y, 1 - eps), (u, eps) with u a
                        uniformly random class per example - unbiased: E_u CE(s, u) = CE(s, 1/C).
    The L2 term inside model.loss is counted once in total (the weights sum to 1).  With dropout
    each call draws its own mask; with batch norm the running averages see the batch twice.
    ``params`` is the wrapped model's dict, so a Solver updates the model itself.
    """

    def __init__(self, model, rng, augment=None, mixup_alpha=None, label_smoothing=0.0, num_classes=None):
        if not hasattr(model, "loss") or not isinstance(getattr(model, "params", None), dict):
            raise TypeError("AugmentedModel: model must have a params dict and a loss(X, y=None) method")
        if augment is not None and not callable(augment):
            raise TypeError(f"AugmentedModel: augment must be a callable augment(X, rng), got {type(augment).__name__}")
        if mixup_alpha is not None and not mixup_alpha > 0:
            raise ValueError(f"AugmentedModel: mixup_alpha must be > 0 or None, got {mixup_alpha!r}")
        if not 0 <= label_smoothing < 1:
            raise ValueError(f"AugmentedModel: label_smoothing must be in [0, 1), got {label_smoothing!r}")
        if label_smoothing > 0 and not (isinstance(num_classes, int) and num_classes >= 2):
            raise ValueError(f"AugmentedModel: label smoothing needs num_classes (an int >= 2), got {num_classes!r}")
        self.model, self.rng, self.augment = model, as_rng(rng, "AugmentedModel"), augment
        self.mixup_alpha, self.label_smoothing, self.num_classes = mixup_alpha, label_smoothing, num_classes

    @property
    def params(self):
        return self.model.params

    @params.setter
    def params(self, value):  # the Solver puts the best parameters back this way
        self.model.params = value

    def loss(self, X, y=None):
        if y is None:
            return self.model.loss(X)
        X, y = np.asarray(X), np.asarray(y)
        if self.augment is not None:
            X = self.augment(X, self.rng)
        terms = [(X, y, 1.0)]
        if self.mixup_alpha is not None:
            lam = float(self.rng.beta(self.mixup_alpha, self.mixup_alpha))
            perm = self.rng.permutation(len(X))
            X = lam * X + (1 - lam) * X[perm]
            terms = [(X, y, lam), (X, y[perm], 1 - lam)]
        if self.label_smoothing > 0:
            eps = self.label_smoothing
            terms = [(x, t, w * (1 - eps)) for x, t, w in terms] + \
                    [(x, self.rng.integers(0, self.num_classes, len(x)), w * eps) for x, t, w in terms]
        total, grads = 0.0, {}
        for x, t, w in terms:
            loss, g = self.model.loss(x, t)
            total += w * loss
            for k, v in g.items():
                grads[k] = grads[k] + w * v if k in grads else w * v
        return total, grads


def ensemble_probs(models, X, batch_size=500):
    """Mean of the models' softmax probabilities (N, C); each model's loss(X) gives test-time scores."""
    models = list(models)
    if not models:
        raise ValueError("ensemble_probs: models must contain at least one model, got none")
    X = np.asarray(X)
    total = 0.0
    for model in models:
        scores = np.concatenate([model.loss(X[i:i + batch_size]) for i in range(0, len(X), batch_size)])
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        total = total + shifted / shifted.sum(axis=1, keepdims=True)
    return total / len(models)
