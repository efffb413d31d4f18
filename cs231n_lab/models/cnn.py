"""Tier B - the three-layer convolutional network of Lecture 5 (CS231n's ``ThreeLayerConvNet``).

    conv - relu - 2x2 max pool - affine - relu - affine - softmax

With ``normalization="batchnorm"`` (Lecture 6) a batch norm follows each of the two hidden
layers: spatial batch norm after the conv (gamma1, beta1: (F,)) and ordinary batch norm
after the hidden affine (gamma2, beta2: (hidden_dim,)), each with its own bn_param.

Parameters (CS231n names), for input (C, H, W), F filters of size HH = WW = filter_size:

    W1 (F, C, HH, WW), b1 (F,)                    conv, stride 1, pad (HH - 1) / 2: keeps H x W
    W2 (F * H/2 * W/2, hidden_dim), b2            affine on the pooled maps
    W3 (hidden_dim, num_classes), b3              class scores
"""

import numbers

import numpy as np

from cs231n_lab.activations import relu_backward, relu_forward
from cs231n_lab.batchnorm import batchnorm_backward_alt, batchnorm_forward
from cs231n_lab.conv_layers import (conv_bn_relu_pool_backward, conv_bn_relu_pool_forward,
                                    conv_relu_pool_backward, conv_relu_pool_forward)
from cs231n_lab.fully_connected import (affine_backward, affine_forward, affine_relu_backward,
                                        affine_relu_forward)
from cs231n_lab.losses import softmax_loss

__all__ = ["ThreeLayerConvNet"]

_NORMALIZATIONS = (None, "batchnorm")


def _positive_int(name, v):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
        raise ValueError(f"ThreeLayerConvNet: {name} must be a positive integer, got {v!r}")
    return int(v)


class ThreeLayerConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax, with the ``loss(X, y=None)`` contract.

    input_dim: (C, H, W) of one image; H and W must be even (for the 2x2 pool).
    filter_size: odd, so that pad (filter_size - 1) / 2 keeps the spatial size.
    Weights are ``weight_scale * randn`` drawn in the order W1, W2, W3 from NumPy's global
    random state (``np.random.seed`` before construction reproduces CS231n's numbers), or
    from ``rng`` (a numpy Generator or seed) if given. Biases are 0; gammas 1, betas 0.
    Every parameter is cast to ``dtype``; so is X in ``loss``.
    """

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32, normalization=None,
                 rng=None):
        try:
            C, H, W = (int(d) for d in input_dim)
        except (TypeError, ValueError):
            raise ValueError(f"ThreeLayerConvNet: input_dim must be (C, H, W), got {input_dim!r}") from None
        for name, v in (("input_dim C", C), ("input_dim H", H), ("input_dim W", W), ("num_filters", num_filters),
                        ("filter_size", filter_size), ("hidden_dim", hidden_dim), ("num_classes", num_classes)):
            _positive_int(name, v)
        if filter_size % 2 == 0:
            raise ValueError(f"ThreeLayerConvNet: filter_size must be odd so that pad (filter_size - 1)/2 "
                             f"keeps the size, got {filter_size}")
        if H % 2 or W % 2:
            raise ValueError(f"ThreeLayerConvNet: input_dim H and W must be even for the 2x2 stride-2 pool, "
                             f"got (H, W) = ({H}, {W})")
        if not (np.isfinite(reg) and reg >= 0):
            raise ValueError(f"ThreeLayerConvNet: reg must be a finite number >= 0, got {reg!r}")
        if normalization not in _NORMALIZATIONS:
            raise ValueError(f"ThreeLayerConvNet: normalization must be one of {_NORMALIZATIONS}, "
                             f"got {normalization!r}")
        if rng is None:
            randn = np.random.randn
        else:
            gen = np.random.default_rng(rng)
            randn = lambda *shape: gen.standard_normal(shape)  # noqa: E731 - randn's call style

        self.reg = reg
        self.dtype = dtype
        self.normalization = normalization
        self.conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        self.pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        F = num_filters
        self.params = {
            "W1": weight_scale * randn(F, C, filter_size, filter_size),
            "b1": np.zeros(F),
            "W2": weight_scale * randn(F * (H // 2) * (W // 2), hidden_dim),
            "b2": np.zeros(hidden_dim),
            "W3": weight_scale * randn(hidden_dim, num_classes),
            "b3": np.zeros(num_classes),
        }
        self.bn_params = []
        if normalization == "batchnorm":
            self.params.update(gamma1=np.ones(F), beta1=np.zeros(F),
                               gamma2=np.ones(hidden_dim), beta2=np.zeros(hidden_dim))
            self.bn_params = [{"mode": "train"}, {"mode": "train"}]
        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        """Scores (N, num_classes) when y is None (test mode); otherwise (loss, grads).

        X: (N, C, H, W); y: (N,) integer labels. grads[name] has the shape of params[name].
        The loss is the mean softmax loss plus 0.5 * reg * (|W1|^2 + |W2|^2 + |W3|^2).
        Batch norm (if any) uses batch statistics when y is given, running averages when not.
        """
        p = self.params
        X = np.asarray(X, dtype=self.dtype)
        mode = "test" if y is None else "train"
        for bn_param in self.bn_params:
            bn_param["mode"] = mode

        if self.normalization == "batchnorm":
            h1, cache1 = conv_bn_relu_pool_forward(X, p["W1"], p["b1"], p["gamma1"], p["beta1"],
                                                   self.conv_param, self.bn_params[0], self.pool_param)
            a2, cache_fc = affine_forward(h1, p["W2"], p["b2"])
            an2, cache_bn = batchnorm_forward(a2, p["gamma2"], p["beta2"], self.bn_params[1])
            h2, cache_relu = relu_forward(an2)
        else:
            h1, cache1 = conv_relu_pool_forward(X, p["W1"], p["b1"], self.conv_param, self.pool_param)
            h2, cache2 = affine_relu_forward(h1, p["W2"], p["b2"])
        scores, cache3 = affine_forward(h2, p["W3"], p["b3"])
        if y is None:
            return scores

        data_loss, dscores = softmax_loss(scores, y)
        grads = {}
        dh2, grads["W3"], grads["b3"] = affine_backward(dscores, cache3)
        if self.normalization == "batchnorm":
            dan2 = relu_backward(dh2, cache_relu)
            da2, grads["gamma2"], grads["beta2"] = batchnorm_backward_alt(dan2, cache_bn)
            dh1, grads["W2"], grads["b2"] = affine_backward(da2, cache_fc)
            _, grads["W1"], grads["b1"], grads["gamma1"], grads["beta1"] = conv_bn_relu_pool_backward(dh1, cache1)
        else:
            dh1, grads["W2"], grads["b2"] = affine_relu_backward(dh2, cache2)
            _, grads["W1"], grads["b1"] = conv_relu_pool_backward(dh1, cache1)

        reg_loss = 0.0
        for name in ("W1", "W2", "W3"):
            reg_loss += 0.5 * self.reg * np.sum(p[name] ** 2)
            grads[name] += self.reg * p[name]  # d(0.5 reg W^2)/dW = reg W
        return data_loss + reg_loss, grads
