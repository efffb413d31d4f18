"""Tier B - the NumPy models of the course, with CS231n names and the ``loss(X, y=None)`` contract.

Each model lives in its own module; this package gathers them:
``from cs231n_lab.models import TwoLayerNet``.
"""

from cs231n_lab.models.cnn import ThreeLayerConvNet
from cs231n_lab.models.fc_net import FullyConnectedNet
from cs231n_lab.models.two_layer_net import TwoLayerNet

__all__ = ["TwoLayerNet", "ThreeLayerConvNet", "FullyConnectedNet"]
