"""Tier B - first-order update rules with the CS231n signature (Lecture 7).

Each rule is ``rule(w, dw, config=None) -> (next_w, config)``: it returns the updated
weights and the config dict, which carries the hyperparameters *and* the rule's state
(velocity, caches, moments) from one step to the next. Missing keys get CS231n's
defaults; unknown keys raise ValueError naming them. ``w`` and ``dw`` are arrays of the
same (any) shape; every state array has that shape too.

Where ``torch.optim`` computes the same update, tests/test_optim.py proves the two
trajectories agree to 1e-10 in float64; where the formulation differs the docstring says
how and a test pins the difference.
"""

import numpy as np

__all__ = ["sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adadelta",
           "check_config"]

# Hyperparameters that are decay factors or momenta: they must lie in [0, 1).
_UNIT_INTERVAL_KEYS = ("momentum", "decay_rate", "beta1", "beta2")


def check_config(rule, config, defaults):
    """Fill in defaults, reject unknown keys and invalid values; return the config dict (updated in place).

    Checks: learning_rate finite and >= 0; momentum, decay_rate, beta1, beta2 in [0, 1);
    epsilon finite and >= 0.
    """
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise TypeError(f"{rule}: config must be a dict or None, got {type(config).__name__}")
    unknown = sorted(set(config) - set(defaults))
    if unknown:
        raise ValueError(f"{rule}: unknown config key(s) {unknown}; expected some of {sorted(defaults)}")
    for key, value in defaults.items():
        config.setdefault(key, value)
    lr = config.get("learning_rate")
    if lr is not None and not (_is_number(lr) and np.isfinite(lr) and lr >= 0):
        raise ValueError(f"{rule}: learning_rate must be a finite number >= 0, got {lr!r}")
    for key in _UNIT_INTERVAL_KEYS:
        if key in config:
            value = config[key]
            if not (_is_number(value) and 0 <= value < 1):
                raise ValueError(f"{rule}: {key} must be a number in [0, 1), got {value!r}")
    eps = config.get("epsilon")
    if eps is not None and not (_is_number(eps) and np.isfinite(eps) and eps >= 0):
        raise ValueError(f"{rule}: epsilon must be a finite number >= 0, got {eps!r}")
    return config


def _is_number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _check_grad(rule, w, dw):
    if np.shape(w) != np.shape(dw):
        raise ValueError(f"{rule}: dw has shape {np.shape(dw)}, expected w's shape {np.shape(w)}")
    if not np.all(np.isfinite(dw)):
        raise FloatingPointError(f"{rule}: the gradient dw contains NaN or inf "
                                 f"({int(np.sum(~np.isfinite(dw)))} of {np.size(dw)} entries); "
                                 "the learning rate is probably too high or the loss diverged")


def _state(rule, config, key, w):
    """The state array config[key], created as zeros like w on the first step."""
    if config.get(key) is None:
        # same dtype as w (float32 weights keep float32 state, as in CS231n); integers -> float64
        w = np.asarray(w)
        config[key] = np.zeros(w.shape, dtype=w.dtype if np.issubdtype(w.dtype, np.floating) else np.float64)
    elif np.shape(config[key]) != np.shape(w):
        raise ValueError(f"{rule}: config[{key!r}] has shape {np.shape(config[key])}, "
                         f"expected w's shape {np.shape(w)}")
    return config[key]


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent:  w <- w - learning_rate * dw.

    config: learning_rate (default 1e-2).  Same as torch.optim.SGD without momentum.
    """
    config = check_config("sgd", config, {"learning_rate": 1e-2})
    _check_grad("sgd", w, dw)
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum, in CS231n's form (the velocity carries the learning rate):

        v <- rho * v - learning_rate * dw
        w <- w + v

    config: learning_rate (1e-2), momentum rho (0.9), velocity (zeros like w).

    torch.optim.SGD(momentum=rho) keeps b <- rho * b + dw and steps w <- w - lr * b. With a
    *constant* learning rate v = -lr * b and the two are identical; when the learning rate
    changes (a schedule), CS231n's velocity still holds the old rates' steps while torch
    rescales the whole buffer by the new rate, so the trajectories differ.
    """
    config = check_config("sgd_momentum", config,
                          {"learning_rate": 1e-2, "momentum": 0.9, "velocity": None})
    _check_grad("sgd_momentum", w, dw)
    v = _state("sgd_momentum", config, "velocity", w)
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def nesterov_momentum(w, dw, config=None):
    """Nesterov momentum in the lecture's change of variables (dw taken at the current w):

        v_prev <- v
        v <- rho * v - learning_rate * dw
        w <- w - rho * v_prev + (1 + rho) * v

    config: learning_rate (1e-2), momentum rho (0.9), velocity (zeros like w).

    torch.optim.SGD(momentum=rho, nesterov=True) writes it b <- rho*b + dw,
    w <- w - lr * (dw + rho * b); with a constant learning rate (v = -lr * b) both are the
    same update. As for sgd_momentum, they differ when the learning rate changes.
    """
    config = check_config("nesterov_momentum", config,
                          {"learning_rate": 1e-2, "momentum": 0.9, "velocity": None})
    _check_grad("nesterov_momentum", w, dw)
    rho = config["momentum"]
    v_prev = _state("nesterov_momentum", config, "velocity", w)
    v = rho * v_prev - config["learning_rate"] * dw
    config["velocity"] = v
    return w - rho * v_prev + (1 + rho) * v, config


def adagrad(w, dw, config=None):
    """AdaGrad: per-parameter steps scaled by the root of the *sum* of all squared gradients.

        cache <- cache + dw**2
        w <- w - learning_rate * dw / (sqrt(cache) + epsilon)

    config: learning_rate (1e-2), epsilon (1e-8), cache (zeros like w).
    Because cache only grows, the effective step learning_rate / sqrt(cache) shrinks
    monotonically and training stalls (Lecture 7). Same as torch.optim.Adagrad with
    lr_decay=0, initial_accumulator_value=0, eps=epsilon (torch's default eps is 1e-10).
    """
    config = check_config("adagrad", config, {"learning_rate": 1e-2, "epsilon": 1e-8, "cache": None})
    _check_grad("adagrad", w, dw)
    cache = _state("adagrad", config, "cache", w) + dw * dw
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def rmsprop(w, dw, config=None):
    """RMSProp ("leaky AdaGrad"): a moving average of squared gradients instead of the sum.

        cache <- decay_rate * cache + (1 - decay_rate) * dw**2
        w <- w - learning_rate * dw / (sqrt(cache) + epsilon)

    config: learning_rate (1e-2), decay_rate (0.99), epsilon (1e-8), cache (zeros like w).
    Same as torch.optim.RMSprop(alpha=decay_rate, eps=epsilon) without momentum/centering.
    """
    config = check_config("rmsprop", config, {"learning_rate": 1e-2, "decay_rate": 0.99,
                                              "epsilon": 1e-8, "cache": None})
    _check_grad("rmsprop", w, dw)
    rate = config["decay_rate"]
    cache = rate * _state("rmsprop", config, "cache", w) + (1 - rate) * dw * dw
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adam(w, dw, config=None):
    """Adam: momentum (first moment m) + RMSProp (second moment v) + bias correction.

        t <- t + 1
        m <- beta1 * m + (1 - beta1) * dw
        v <- beta2 * v + (1 - beta2) * dw**2
        m_hat = m / (1 - beta1**t),  v_hat = v / (1 - beta2**t)     (if bias_correction)
        w <- w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    config: learning_rate (1e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-8), m, v (zeros
    like w), t (0), bias_correction (True). With bias_correction=False, m and v are used as
    they are: both start at zero, v much more slowly (1 - beta2 = 0.001), so the first step
    is (1 - beta1) / sqrt(1 - beta2) = 3.2 times larger than the corrected one - the
    lecture's "very large first step".
    Same as torch.optim.Adam(betas=(beta1, beta2), eps=epsilon); torch has no switch to
    turn the correction off.
    """
    config = check_config("adam", config, {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999,
                                           "epsilon": 1e-8, "m": None, "v": None, "t": 0,
                                           "bias_correction": True})
    _check_grad("adam", w, dw)
    if not isinstance(config["t"], (int, np.integer)) or isinstance(config["t"], bool) or config["t"] < 0:
        raise ValueError(f"adam: t must be an integer >= 0, got {config['t']!r}")
    if not isinstance(config["bias_correction"], (bool, np.bool_)):
        raise ValueError(f"adam: bias_correction must be True or False, got {config['bias_correction']!r}")
    b1, b2 = config["beta1"], config["beta2"]
    config["t"] = t = config["t"] + 1
    m = b1 * _state("adam", config, "m", w) + (1 - b1) * dw
    v = b2 * _state("adam", config, "v", w) + (1 - b2) * dw * dw
    config["m"], config["v"] = m, v
    if config["bias_correction"]:
        m = m / (1 - b1 ** t)
        v = v / (1 - b2 ** t)
    return w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config


def adadelta(w, dw, config=None):
    """Adadelta (Zeiler 2012): RMSProp whose step size is the RMS of past *updates*.

        cache <- decay_rate * cache + (1 - decay_rate) * dw**2
        dx = - sqrt(delta + epsilon) / sqrt(cache + epsilon) * dw
        delta <- decay_rate * delta + (1 - decay_rate) * dx**2
        w <- w + learning_rate * dx

    config: learning_rate (1.0), decay_rate rho (0.9), epsilon (1e-6), cache and delta
    (zeros like w). Two differences from the other rules, both as in the paper and in
    torch.optim.Adadelta(lr, rho=decay_rate, eps=epsilon):
      - epsilon sits *inside* the square roots (RMSProp and Adam add it after the root);
        with zero state the first step is about sqrt(epsilon / (1 - rho)) per coordinate,
        whatever the gradient's scale.
      - the paper has no learning rate; torch multiplies dx by lr (default 1.0, the paper's
        update), and so do we.
    """
    config = check_config("adadelta", config, {"learning_rate": 1.0, "decay_rate": 0.9, "epsilon": 1e-6,
                                               "cache": None, "delta": None})
    _check_grad("adadelta", w, dw)
    rho, eps = config["decay_rate"], config["epsilon"]
    cache = rho * _state("adadelta", config, "cache", w) + (1 - rho) * dw * dw
    delta = _state("adadelta", config, "delta", w)
    dx = -np.sqrt(delta + eps) / np.sqrt(cache + eps) * dw
    config["cache"] = cache
    config["delta"] = rho * delta + (1 - rho) * dx * dx
    return w + config["learning_rate"] * dx, config
