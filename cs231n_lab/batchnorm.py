"""Tier B - batch normalisation, for fully connected and convolutional layers (Lecture 6).

Training mode normalises each feature d over the minibatch of N examples,

    mu_d      = 1/N sum_i x_id
    var_d     = 1/N sum_i (x_id - mu_d)^2             (the biased batch variance)
    xhat_id   = (x_id - mu_d) / sqrt(var_d + eps)
    out_id    = gamma_d * xhat_id + beta_d            (learnable scale and shift)

and keeps exponential running averages for test time (CS231n's convention):

    running_mean = momentum * running_mean + (1 - momentum) * mu
    running_var  = momentum * running_var  + (1 - momentum) * var

Test mode uses the running averages instead of the batch statistics, so one example's
output no longer depends on the rest of its batch.

``bn_param`` keys: ``mode`` ("train" or "test", required), ``eps`` (1e-5), ``momentum`` (0.9),
``running_mean`` and ``running_var`` (D,) - both start at zero and are written back into the
dict by every training-mode call.

How this differs from ``torch.nn.BatchNorm1d/2d`` (tests/test_batchnorm.py pins it):
torch's ``momentum`` is the weight of the *new* batch statistic (torch 0.1 == CS231n 0.9),
torch starts ``running_var`` at one (CS231n: zero) and updates it with the *unbiased* batch
variance var * N / (N - 1). The normalisation itself (biased variance) is the same.
"""

import numpy as np

__all__ = ["batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt",
           "spatial_batchnorm_forward", "spatial_batchnorm_backward", "check_bn_param",
           "check_affine_params"]

_BN_KEYS = {"mode", "eps", "momentum", "running_mean", "running_var"}


def check_bn_param(bn_param, fn, allowed=_BN_KEYS, require_mode=True):
    """Validate a bn_param-style dict: a dict, known keys only, mode "train"/"test", eps > 0."""
    if not isinstance(bn_param, dict):
        raise TypeError(f"{fn}: the param dict must be a dict, got {type(bn_param).__name__}")
    unknown = sorted(set(bn_param) - set(allowed))
    if unknown:
        raise ValueError(f"{fn}: unknown key(s) {unknown}; expected some of {sorted(allowed)}")
    if require_mode and "mode" not in bn_param:
        raise ValueError(f"{fn}: the param dict needs a 'mode' key, 'train' or 'test'; got keys {sorted(bn_param)}")
    mode = bn_param.get("mode", "train")
    if mode not in ("train", "test"):
        raise ValueError(f"{fn}: mode must be 'train' or 'test', got {mode!r}")
    eps = bn_param.get("eps", 1e-5)
    if not (np.isscalar(eps) and eps > 0):
        raise ValueError(f"{fn}: eps must be a positive number, got {eps!r}")
    momentum = bn_param.get("momentum", 0.9)
    if not (np.isscalar(momentum) and 0 <= momentum <= 1):
        raise ValueError(f"{fn}: momentum must be in [0, 1], got {momentum!r}")
    return mode, float(eps), float(momentum)


def check_affine_params(gamma, beta, D, fn, what="features D"):
    """gamma and beta must both be (D,) vectors; returns them as arrays."""
    gamma, beta = np.asarray(gamma), np.asarray(beta)
    for name, v in (("gamma", gamma), ("beta", beta)):
        if v.shape != (D,):
            raise ValueError(f"{fn}: {name} must have shape ({D},), one entry per {what}={D}, got {v.shape}")
    return gamma, beta


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalisation forward.

    x: (N, D) data.  gamma, beta: (D,) scale and shift.  bn_param: see the module docstring.
    Returns out (N, D) and a cache for the backward pass.
    """
    fn = "batchnorm_forward"
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"{fn}: x must be 2-D (N, D), got shape {x.shape}; "
                         "use spatial_batchnorm_forward for (N, C, H, W)")
    mode, eps, momentum = check_bn_param(bn_param, fn)
    N, D = x.shape
    gamma, beta = check_affine_params(gamma, beta, D, fn)
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    for name, v in (("running_mean", running_mean), ("running_var", running_var)):
        if np.shape(v) != (D,):
            raise ValueError(f"{fn}: bn_param['{name}'] must have shape ({D},), got {np.shape(v)}")

    if mode == "train":
        if N < 2:
            raise ValueError(f"{fn}: training mode needs a batch of at least 2 examples, got N={N} "
                             "(the variance of one example is 0)")
        mu = x.mean(axis=0)
        xc = x - mu
        var = (xc ** 2).mean(axis=0)
        inv_std = 1.0 / np.sqrt(var + eps)
        xhat = xc * inv_std
        out = gamma * xhat + beta
        cache = (xhat, gamma, inv_std)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * xhat + beta
        # In test mode the statistics are constants: out is an affine map of x.
        cache = ("test", xhat, gamma, 1.0 / np.sqrt(running_var + eps))

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def _test_mode_backward(dout, cache):
    _, xhat, gamma, inv_std = cache
    return dout * gamma * inv_std, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def batchnorm_backward(dout, cache):
    """Batch normalisation backward, step by step through the computational graph.

    dout: (N, D).  Returns dx (N, D), dgamma (D,), dbeta (D,).
    The graph is  xc = x - mu,  var = mean(xc^2),  inv_std = (var + eps)^-1/2,
    xhat = xc * inv_std,  out = gamma * xhat + beta; each line below is one node's local
    gradient times the upstream gradient.
    """
    dout = np.asarray(dout)
    if isinstance(cache[0], str):  # test mode
        return _test_mode_backward(dout, cache)
    xhat, gamma, inv_std = cache
    if dout.shape != xhat.shape:
        raise ValueError(f"batchnorm_backward: dout has shape {dout.shape}, expected {xhat.shape}")
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    xc = xhat / inv_std
    dinv_std = (dxhat * xc).sum(axis=0)
    dvar = dinv_std * -0.5 * inv_std ** 3           # d(var+eps)^-1/2 / dvar
    dxc = dxhat * inv_std + dvar * 2.0 * xc / N     # two paths into xc: xhat and var
    dx = dxc - dxc.mean(axis=0)                     # xc = x - mean(x): subtract the mean gradient
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Batch normalisation backward in one simplified formula (same result as batchnorm_backward):

        dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),   dxhat = dout * gamma
    """
    dout = np.asarray(dout)
    if isinstance(cache[0], str):  # test mode
        return _test_mode_backward(dout, cache)
    xhat, gamma, inv_std = cache
    if dout.shape != xhat.shape:
        raise ValueError(f"batchnorm_backward_alt: dout has shape {dout.shape}, expected {xhat.shape}")
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0))
    return dx, dgamma, dbeta


def _nchw_to_rows(x):
    N, C, H, W = x.shape
    return x.transpose(0, 2, 3, 1).reshape(N * H * W, C)


def _rows_to_nchw(rows, shape):
    N, C, H, W = shape
    return rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Spatial (per-channel) batch normalisation for conv layers.

    x: (N, C, H, W).  gamma, beta: (C,).  Each channel is normalised over N, H and W - all the
    positions one filter was applied at - by treating the N*H*W positions as the batch of an
    ordinary batchnorm_forward with D = C features.
    Returns out (N, C, H, W) and a cache.
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"spatial_batchnorm_forward: x must be 4-D (N, C, H, W), got shape {x.shape}")
    check_affine_params(gamma, beta, x.shape[1], "spatial_batchnorm_forward", what="channel C")
    out_rows, cache = batchnorm_forward(_nchw_to_rows(x), gamma, beta, bn_param)
    return _rows_to_nchw(out_rows, x.shape), (cache, x.shape)


def spatial_batchnorm_backward(dout, cache):
    """Backward of spatial_batchnorm_forward: returns dx (N, C, H, W), dgamma (C,), dbeta (C,)."""
    bn_cache, shape = cache
    dout = np.asarray(dout)
    if dout.shape != shape:
        raise ValueError(f"spatial_batchnorm_backward: dout has shape {dout.shape}, expected {shape}")
    dx_rows, dgamma, dbeta = batchnorm_backward_alt(_nchw_to_rows(dout), bn_cache)
    return _rows_to_nchw(dx_rows, shape), dgamma, dbeta
