"""Tier B - inverted dropout (Lectures 6-7).

Training mode keeps each unit with probability ``p`` and zeroes it otherwise; the kept units
are divided by p so that the expected output equals the input:

    mask = (U < p) / p,   U ~ Uniform[0, 1) elementwise;   out = x * mask     (train)
    out = x                                                                   (test)

Because the scaling happens at training time ("inverted" dropout), the test-time forward
pass is untouched - the lecture's common pattern of randomness at train time, averaged out
at test time.

``dropout_param`` keys: ``p`` (probability of *keeping* a unit, in (0, 1], required),
``mode`` ("train" or "test", required), ``seed`` (optional int). With a seed, the mask is
drawn from ``np.random.RandomState(seed)`` - the very numbers CS231n's
``np.random.seed(seed); np.random.rand(...)`` gives - without touching NumPy's global state;
the same seed gives the same mask on every call, which is what gradient checks need.
Without a seed the mask comes from NumPy's global random state, as in CS231n, so
``np.random.seed`` makes a run reproducible.

Note: torch's ``F.dropout(x, p)`` takes the probability of *dropping* a unit (1 - our p).
"""

import numpy as np

__all__ = ["dropout_forward", "dropout_backward"]

_KEYS = {"p", "mode", "seed"}


def _check_dropout_param(dropout_param):
    fn = "dropout_forward"
    if not isinstance(dropout_param, dict):
        raise TypeError(f"{fn}: dropout_param must be a dict, got {type(dropout_param).__name__}")
    unknown = sorted(set(dropout_param) - _KEYS)
    if unknown:
        raise ValueError(f"{fn}: unknown dropout_param key(s) {unknown}; expected some of {sorted(_KEYS)}")
    for key in ("p", "mode"):
        if key not in dropout_param:
            raise ValueError(f"{fn}: dropout_param needs the key {key!r}; got keys {sorted(dropout_param)}")
    p, mode = dropout_param["p"], dropout_param["mode"]
    if not (np.isscalar(p) and 0 < p <= 1):
        raise ValueError(f"{fn}: p is the probability of keeping a unit and must be in (0, 1], got {p!r}")
    if mode not in ("train", "test"):
        raise ValueError(f"{fn}: mode must be 'train' or 'test', got {mode!r}")
    seed = dropout_param.get("seed")
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{fn}: seed must be an int or None, got {type(seed).__name__}")
    return float(p), mode, seed


def dropout_forward(x, dropout_param):
    """Inverted dropout forward.

    x: array of any shape.  dropout_param: dict with p, mode and optional seed (module docstring).
    Returns out (shape of x) and cache = (dropout_param, mask); mask is None in test mode.
    """
    x = np.asarray(x)
    p, mode, seed = _check_dropout_param(dropout_param)
    if mode == "test":
        return x.copy(), (dropout_param, None)
    uniform = np.random.RandomState(seed).rand if seed is not None else np.random.rand
    # Keep the mask in x's dtype so float32 activations stay float32.
    mask = ((uniform(*x.shape) < p) / p).astype(x.dtype, copy=False)
    return x * mask, (dropout_param, mask)


def dropout_backward(dout, cache):
    """Inverted dropout backward: dx = dout * mask in training mode, dout in test mode."""
    dropout_param, mask = cache
    dout = np.asarray(dout)
    if mask is None:
        return dout.copy()
    if dout.shape != mask.shape:
        raise ValueError(f"dropout_backward: dout has shape {dout.shape}, expected {mask.shape}")
    return dout * mask
