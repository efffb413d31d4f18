"""Tier B - the two-layer fully connected network of Lecture 4.

    input - affine - ReLU - affine - softmax

Parameters are kept in ``self.params`` under the CS231n names W1, b1, W2, b2.
"""

import numpy as np

from cs231n_lab.fully_connected import (affine_backward, affine_forward, affine_relu_backward,
                                        affine_relu_forward)
from cs231n_lab.losses import softmax_loss

__all__ = ["TwoLayerNet"]


class TwoLayerNet:
    """Two-layer net with the ``loss(X, y=None)`` contract.

    Weights are drawn as ``weight_scale * np.random.randn(...)`` in the order W1, W2 from
    NumPy's global random state (so ``np.random.seed`` before construction reproduces
    CS231n's numbers), unless ``rng`` (a numpy Generator or a seed) is given. Biases are 0.
    """

    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0, rng=None):
        for name, v in (("input_dim", input_dim), ("hidden_dim", hidden_dim), ("num_classes", num_classes)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"TwoLayerNet: {name} must be a positive integer, got {v!r}")
        if reg < 0:
            raise ValueError(f"TwoLayerNet: reg must be >= 0, got {reg}")
        if rng is None:
            randn = np.random.randn
        else:
            gen = np.random.default_rng(rng)
            randn = lambda *shape: gen.standard_normal(shape)  # noqa: E731 - np.random.randn's signature
        self.reg = reg
        self.params = {
            "W1": weight_scale * randn(input_dim, hidden_dim),
            "b1": np.zeros(hidden_dim),
            "W2": weight_scale * randn(hidden_dim, num_classes),
            "b2": np.zeros(num_classes),
        }

    def loss(self, X, y=None):
        """Scores (N, C) when y is None; otherwise (loss, grads) with grads[name] shaped like params[name].

        The loss is the mean softmax loss plus 0.5 * reg * (sum W1^2 + sum W2^2).
        """
        p = self.params
        hidden, cache1 = affine_relu_forward(X, p["W1"], p["b1"])
        scores, cache2 = affine_forward(hidden, p["W2"], p["b2"])
        if y is None:
            return scores

        data_loss, dscores = softmax_loss(scores, y)
        reg_loss = 0.5 * self.reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
        grads = {}
        dhidden, grads["W2"], grads["b2"] = affine_backward(dscores, cache2)
        _, grads["W1"], grads["b1"] = affine_relu_backward(dhidden, cache1)
        grads["W2"] += self.reg * p["W2"]  # d(0.5 reg W^2)/dW = reg W
        grads["W1"] += self.reg * p["W1"]
        return data_loss + reg_loss, grads
