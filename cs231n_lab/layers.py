"""Tier B - every layer of the course in one namespace, as in the CS231n assignments.

The functions are *defined* in modules named after the lecture's concept
(``fully_connected``, ``activations``, ``losses``, ...); this module only gathers them so
that ``from cs231n_lab.layers import affine_forward, ...`` works whatever module
defines a layer.
"""

from cs231n_lab.activations import (elu_backward, elu_forward, gelu_backward, gelu_forward,
                                    leaky_relu_backward, leaky_relu_forward, maxout_backward,
                                    maxout_forward, prelu_backward, prelu_forward, relu_backward,
                                    relu_forward, selu_backward, selu_forward, sigmoid_backward,
                                    sigmoid_forward, tanh_backward, tanh_forward)
from cs231n_lab.batchnorm import (batchnorm_backward, batchnorm_backward_alt, batchnorm_forward,
                                  spatial_batchnorm_backward, spatial_batchnorm_forward)
from cs231n_lab.conv import conv_backward_naive, conv_forward_naive
from cs231n_lab.conv_fast import conv_backward_fast, conv_forward_fast
from cs231n_lab.conv_layers import (conv_bn_relu_backward, conv_bn_relu_forward, conv_bn_relu_pool_backward,
                                    conv_bn_relu_pool_forward, conv_relu_backward, conv_relu_forward,
                                    conv_relu_pool_backward, conv_relu_pool_forward)
from cs231n_lab.dropout import dropout_backward, dropout_forward
from cs231n_lab.layernorm import (layernorm_backward, layernorm_forward, spatial_groupnorm_backward,
                                  spatial_groupnorm_forward)
from cs231n_lab.fully_connected import (affine_backward, affine_forward, affine_relu_backward,
                                        affine_relu_forward)
from cs231n_lab.losses import softmax_loss, svm_loss
from cs231n_lab.regularization import (dropconnect_backward, dropconnect_forward, gaussian_noise_backward,
                                       gaussian_noise_forward)
from cs231n_lab.pooling import (max_pool_backward_fast, max_pool_backward_naive, max_pool_forward_fast,
                                max_pool_forward_naive)

__all__ = [
    "affine_forward", "affine_backward", "affine_relu_forward", "affine_relu_backward",
    "relu_forward", "relu_backward",
    "sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward",
    "leaky_relu_forward", "leaky_relu_backward", "prelu_forward", "prelu_backward",
    "elu_forward", "elu_backward", "selu_forward", "selu_backward",
    "maxout_forward", "maxout_backward", "gelu_forward", "gelu_backward",
    "softmax_loss", "svm_loss",
    "batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt",
    "spatial_batchnorm_forward", "spatial_batchnorm_backward",
    "dropout_forward", "dropout_backward",
    "dropconnect_forward", "dropconnect_backward", "gaussian_noise_forward", "gaussian_noise_backward",
    "layernorm_forward", "layernorm_backward", "spatial_groupnorm_forward", "spatial_groupnorm_backward",
    "conv_forward_naive", "conv_backward_naive", "conv_forward_fast", "conv_backward_fast",
    "max_pool_forward_naive", "max_pool_backward_naive", "max_pool_forward_fast", "max_pool_backward_fast",
    "conv_relu_forward", "conv_relu_backward", "conv_relu_pool_forward", "conv_relu_pool_backward",
    "conv_bn_relu_forward", "conv_bn_relu_backward", "conv_bn_relu_pool_forward", "conv_bn_relu_pool_backward",
]
