"""Tier B - first-order update rules with the CS231n signature (Lecture 7).

Each rule is ``rule(w, dw, config=None) -> (next_w, config)``: it returns the updated
weights and the config dict, which carries the hyperparameters *and* the rule's state
(velocity, caches, moments) from one step to the next. Missing keys get CS231n's
defaults; unknown keys raise ValueError naming them.
"""

import numpy as np

__all__ = ["sgd", "check_config"]


def check_config(rule, config, defaults):
    """Fill in defaults, reject unknown keys and invalid values; return the config dict (updated in place)."""
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
    if lr is not None and not (np.isfinite(lr) and lr >= 0):
        raise ValueError(f"{rule}: learning_rate must be a finite number >= 0, got {lr!r}")
    return config


def _check_grad(rule, w, dw):
    if np.shape(w) != np.shape(dw):
        raise ValueError(f"{rule}: dw has shape {np.shape(dw)}, expected w's shape {np.shape(w)}")
    if not np.all(np.isfinite(dw)):
        raise FloatingPointError(f"{rule}: the gradient dw contains NaN or inf "
                                 f"({int(np.sum(~np.isfinite(dw)))} of {np.size(dw)} entries); "
                                 "the learning rate is probably too high or the loss diverged")


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent:  w <- w - learning_rate * dw.

    config: learning_rate (default 1e-2).
    """
    config = check_config("sgd", config, {"learning_rate": 1e-2})
    _check_grad("sgd", w, dw)
    return w - config["learning_rate"] * dw, config
