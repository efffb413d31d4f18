"""Tier B - a fully connected network of any depth (Lecture 6), CS231n's ``FullyConnectedNet``.

    {affine - [batch/layer norm] - ReLU - [dropout]} x (L - 1) - affine - softmax

Parameters live in ``self.params`` under CS231n's names: ``W1, b1, ..., WL, bL`` for the
L affine layers and ``gamma1, beta1, ..., gamma{L-1}, beta{L-1}`` for the normalisation
after each hidden layer (none after the last affine layer).
"""

import numpy as np

from cs231n_lab.activations import relu_backward, relu_forward
from cs231n_lab.batchnorm import batchnorm_backward_alt, batchnorm_forward
from cs231n_lab.dropout import dropout_backward, dropout_forward
from cs231n_lab.fully_connected import affine_backward, affine_forward
from cs231n_lab.layernorm import layernorm_backward, layernorm_forward
from cs231n_lab.losses import softmax_loss

__all__ = ["FullyConnectedNet"]

_NORMS = {
    None: None,
    "batchnorm": (batchnorm_forward, batchnorm_backward_alt),
    "layernorm": (layernorm_forward, layernorm_backward),
}


class FullyConnectedNet:
    """A multi-layer fully connected network with the ``loss(X, y=None)`` contract.

    hidden_dims: list of hidden layer sizes, e.g. [100, 100] for L = 3 affine layers.
    input_dim: D, the size of one flattened input.  num_classes: C.
    dropout_keep_ratio: probability of *keeping* a unit in dropout; 1 means no dropout.
    normalization: None, "batchnorm" or "layernorm" after every hidden affine layer.
    reg: L2 strength; the loss adds 0.5 * reg * sum_l sum W_l^2 (biases, gammas and betas
    are not regularised).  weight_scale: std of the initial weights.
    dtype: the dtype of parameters and computation (float64 for gradient checks).
    seed: fixes the dropout masks (for gradient checks).
    rng: optional numpy Generator or int for the weights; by default they are drawn layer by
    layer as ``weight_scale * np.random.randn(...)`` from NumPy's global random state, so that
    ``np.random.seed`` before construction reproduces CS231n's numbers.
    Biases start at 0, gamma at 1, beta at 0.
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None, rng=None):
        hidden_dims = list(hidden_dims)
        for name, v in [("input_dim", input_dim), ("num_classes", num_classes)] + \
                [(f"hidden_dims[{i}]", h) for i, h in enumerate(hidden_dims)]:
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"FullyConnectedNet: {name} must be a positive integer, got {v!r}")
        if normalization not in _NORMS:
            raise ValueError(f"FullyConnectedNet: normalization must be None, 'batchnorm' or 'layernorm', "
                             f"got {normalization!r}")
        if not 0 < dropout_keep_ratio <= 1:
            raise ValueError(f"FullyConnectedNet: dropout_keep_ratio is the probability of keeping a unit "
                             f"and must be in (0, 1], got {dropout_keep_ratio!r}")
        if not reg >= 0:
            raise ValueError(f"FullyConnectedNet: reg must be >= 0, got {reg!r}")
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        gen = None if rng is None else np.random.default_rng(rng)
        randn = np.random.randn if gen is None else (lambda *shape: gen.standard_normal(shape))

        self.params = {}
        dims = [input_dim] + hidden_dims + [num_classes]
        for i in range(self.num_layers):
            self.params[f"W{i + 1}"] = weight_scale * randn(dims[i], dims[i + 1])
            self.params[f"b{i + 1}"] = np.zeros(dims[i + 1])
            if normalization is not None and i < self.num_layers - 1:
                self.params[f"gamma{i + 1}"] = np.ones(dims[i + 1])
                self.params[f"beta{i + 1}"] = np.zeros(dims[i + 1])

        # Dropout and batch norm behave differently at train and test time; loss() sets "mode".
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
            if seed is not None:
                self.dropout_param["seed"] = seed
        # One dict per normalisation layer: batch norm keeps its running statistics in it.
        self.bn_params = []
        if normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
        elif normalization == "layernorm":
            self.bn_params = [{} for _ in range(self.num_layers - 1)]

        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def hidden_activations(self, X):
        """The ReLU outputs of every hidden layer in test mode: a list of (N, H_l) arrays
        (for babysitting: dead units, activation histograms)."""
        _, caches, _ = self._forward(X, "test")
        return [np.maximum(0, relu_cache) for (_, _, relu_cache, _) in caches]

    def _forward(self, X, mode):
        """Forward pass in "train" or "test" mode: returns scores (N, C), the hidden-block caches
        and the last affine layer's cache."""
        X = np.asarray(X).astype(self.dtype, copy=False)
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        if self.normalization == "batchnorm":
            for bn_param in self.bn_params:
                bn_param["mode"] = mode
        p, L = self.params, self.num_layers
        h, caches = X, []
        for i in range(1, L):
            h, fc_cache = affine_forward(h, p[f"W{i}"], p[f"b{i}"])
            norm_cache = drop_cache = None
            if self.normalization is not None:
                forward = _NORMS[self.normalization][0]
                h, norm_cache = forward(h, p[f"gamma{i}"], p[f"beta{i}"], self.bn_params[i - 1])
            h, relu_cache = relu_forward(h)
            if self.use_dropout:
                h, drop_cache = dropout_forward(h, self.dropout_param)
            caches.append((fc_cache, norm_cache, relu_cache, drop_cache))
        scores, last_cache = affine_forward(h, p[f"W{L}"], p[f"b{L}"])
        return scores, caches, last_cache

    def loss(self, X, y=None):
        """Class scores (N, C) when y is None (test mode); otherwise (loss, grads) in train mode,
        grads[name] shaped like params[name]."""
        mode = "test" if y is None else "train"
        scores, caches, last_cache = self._forward(X, mode)
        if mode == "test":
            return scores
        p, L = self.params, self.num_layers

        data_loss, dscores = softmax_loss(scores, y)
        reg_loss = 0.5 * self.reg * sum(np.sum(p[f"W{i}"] ** 2) for i in range(1, L + 1))
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, last_cache)
        for i in range(L - 1, 0, -1):  # backprop through the hidden blocks in reverse order
            fc_cache, norm_cache, relu_cache, drop_cache = caches[i - 1]
            if self.use_dropout:
                dh = dropout_backward(dh, drop_cache)
            dh = relu_backward(dh, relu_cache)
            if self.normalization is not None:
                backward = _NORMS[self.normalization][1]
                dh, grads[f"gamma{i}"], grads[f"beta{i}"] = backward(dh, norm_cache)
            dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, fc_cache)
        for i in range(1, L + 1):
            grads[f"W{i}"] += self.reg * p[f"W{i}"]  # d(0.5 reg W^2)/dW = reg W
        return data_loss + reg_loss, grads
