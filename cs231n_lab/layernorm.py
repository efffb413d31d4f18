"""Tier B - layer normalisation and its convolutional variant, group normalisation (Lecture 6).

Batch norm normalises each *feature* over the batch; layer norm normalises each *example*
over its features, so it behaves the same at training and test time and does not care about
the batch size:

    mu_i    = 1/D sum_d x_id,      var_i = 1/D sum_d (x_id - mu_i)^2
    out_id  = gamma_d * (x_id - mu_i) / sqrt(var_i + eps) + beta_d

Group norm (for conv layers) splits the C channels of each example into G groups and
normalises each group over its C/G channels and all H*W positions, then scales and shifts
per channel. G = 1 is layer norm over (C, H, W); G = C is instance norm.

``ln_param`` / ``gn_param`` keys: ``eps`` (1e-5). A ``mode`` key is accepted and ignored
(the CS231n FullyConnectedNet writes one into every normalisation dict); there are no
running statistics. The same maths as ``torch.nn.functional.layer_norm`` and ``group_norm``.
"""

import numpy as np

from cs231n_lab.batchnorm import check_affine_params, check_bn_param

__all__ = ["layernorm_forward", "layernorm_backward",
           "spatial_groupnorm_forward", "spatial_groupnorm_backward"]

_KEYS = {"eps", "mode"}


def _normalize_last_axis(x, eps):
    """xhat = (x - mean) / sqrt(var + eps) along the last axis; returns xhat and inv_std (keepdims)."""
    xc = x - x.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt((xc ** 2).mean(axis=-1, keepdims=True) + eps)
    return xc * inv_std, inv_std


def _normalize_last_axis_backward(dxhat, xhat, inv_std):
    """Gradient through xhat = normalise(x) along the last axis (the batch norm formula, transposed)."""
    return inv_std * (dxhat - dxhat.mean(axis=-1, keepdims=True)
                      - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))


def layernorm_forward(x, gamma, beta, ln_param):
    """Layer normalisation forward.

    x: (N, D).  gamma, beta: (D,).  ln_param: dict with optional eps.
    Returns out (N, D) and a cache.
    """
    fn = "layernorm_forward"
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"{fn}: x must be 2-D (N, D), got shape {x.shape}")
    _, eps, _ = check_bn_param(ln_param, fn, allowed=_KEYS, require_mode=False)
    gamma, beta = check_affine_params(gamma, beta, x.shape[1], fn)
    xhat, inv_std = _normalize_last_axis(x, eps)
    return gamma * xhat + beta, (xhat, gamma, inv_std)


def layernorm_backward(dout, cache):
    """Layer normalisation backward: returns dx (N, D), dgamma (D,), dbeta (D,)."""
    xhat, gamma, inv_std = cache
    dout = np.asarray(dout)
    if dout.shape != xhat.shape:
        raise ValueError(f"layernorm_backward: dout has shape {dout.shape}, expected {xhat.shape}")
    dgamma = (dout * xhat).sum(axis=0)
    dbeta = dout.sum(axis=0)
    dx = _normalize_last_axis_backward(dout * gamma, xhat, inv_std)
    return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Group normalisation forward.

    x: (N, C, H, W).  gamma, beta: (C,) or CS231n's (1, C, 1, 1) - the gradients come back in
    the same shape.  G: number of groups, must divide C.  gn_param: dict with optional eps.
    Returns out (N, C, H, W) and a cache.
    """
    fn = "spatial_groupnorm_forward"
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{fn}: x must be 4-D (N, C, H, W), got shape {x.shape}")
    N, C, H, W = x.shape
    if not isinstance(G, (int, np.integer)) or G < 1 or C % G:
        raise ValueError(f"{fn}: G must be a positive integer dividing C={C}, got {G!r}")
    _, eps, _ = check_bn_param(gn_param, fn, allowed=_KEYS, require_mode=False)
    gamma, beta = np.asarray(gamma), np.asarray(beta)
    param_shape = gamma.shape
    if param_shape not in ((C,), (1, C, 1, 1)) or beta.shape != param_shape:
        raise ValueError(f"{fn}: gamma and beta must both have shape ({C},) or (1, {C}, 1, 1), "
                         f"got {gamma.shape} and {beta.shape}")
    g4, b4 = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    xhat_g, inv_std = _normalize_last_axis(x.reshape(N, G, -1), eps)
    xhat = xhat_g.reshape(x.shape)
    return g4 * xhat + b4, (xhat, g4, inv_std, G, param_shape)


def spatial_groupnorm_backward(dout, cache):
    """Group normalisation backward: returns dx (N, C, H, W), dgamma and dbeta (gamma's shape)."""
    xhat, g4, inv_std, G, param_shape = cache
    dout = np.asarray(dout)
    if dout.shape != xhat.shape:
        raise ValueError(f"spatial_groupnorm_backward: dout has shape {dout.shape}, expected {xhat.shape}")
    N = dout.shape[0]
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(param_shape)
    dbeta = dout.sum(axis=(0, 2, 3)).reshape(param_shape)
    dxhat = (dout * g4).reshape(N, G, -1)
    dx = _normalize_last_axis_backward(dxhat, xhat.reshape(N, G, -1), inv_std)
    return dx.reshape(xhat.shape), dgamma, dbeta
