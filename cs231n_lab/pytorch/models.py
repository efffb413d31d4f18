"""Tier C - small convolutional networks with batch norm for the torch loop (Lectures 5-8).

``ConvNet`` is the lecture's pattern, written with ``torch.nn``:

    [conv 3x3 -> batch norm -> ReLU -> 2x2 max pool] x len(widths) -> global average pool -> FC

Input (N, C, H, W) -> ``features`` (N, widths[-1]) -> ``head`` (N, num_classes) scores.
The split into ``features`` (the *backbone*: ``features.block1``, ``block2``, ...) and
``head`` (the classifier) is what transfer learning works on (``cs231n_lab.pytorch.transfer``).
"""

from collections import OrderedDict

import torch
from torch import nn

__all__ = ["ConvNet", "conv_block"]


def conv_block(in_channels, out_channels, batchnorm=True):
    """conv 3x3 (pad 1, keeps H, W) -> batch norm -> ReLU -> max pool 2x2 (halves H, W).

    The conv has no bias when batch norm follows: BN's beta plays that role.
    """
    layers = [nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=not batchnorm)]
    if batchnorm:
        layers.append(nn.BatchNorm2d(out_channels))
    layers += [nn.ReLU(inplace=True), nn.MaxPool2d(2)]
    return nn.Sequential(*layers)


class ConvNet(nn.Module):
    """A small conv net: ``len(widths)`` conv blocks, global average pooling, a linear head.

    in_channels: C of the input images (1 for Fashion-MNIST, 3 for CIFAR-10).
    num_classes: number of scores per image.
    widths: filters F of each block; each block halves H and W (28 -> 14 -> 7 -> 3).
    batchnorm: BatchNorm2d after every conv (Lecture 6); False gives plain conv-ReLU-pool.
    dropout: probability of *dropping* a feature before the head (torch's convention,
    1 - p of CS231n's ``dropout_param['p']``).
    """

    def __init__(self, in_channels=1, num_classes=10, widths=(32, 64, 128), batchnorm=True, dropout=0.0):
        super().__init__()
        if not isinstance(in_channels, int) or in_channels < 1:
            raise ValueError(f"ConvNet: in_channels must be an int >= 1, got {in_channels!r}")
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"ConvNet: num_classes must be an int >= 1, got {num_classes!r}")
        widths = tuple(widths)
        if not widths or any(not isinstance(w, int) or w < 1 for w in widths):
            raise ValueError(f"ConvNet: widths must be a non-empty sequence of ints >= 1, got {widths!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"ConvNet: dropout must be in [0, 1), got {dropout!r}")
        self.config = {"in_channels": in_channels, "num_classes": num_classes, "widths": list(widths),
                       "batchnorm": batchnorm, "dropout": dropout}
        blocks = OrderedDict()
        c = in_channels
        for i, w in enumerate(widths):
            blocks[f"block{i + 1}"] = conv_block(c, w, batchnorm)
            c = w
        blocks["pool"] = nn.AdaptiveAvgPool2d(1)
        blocks["flatten"] = nn.Flatten()
        self.features = nn.Sequential(blocks)
        self.feature_dim = c
        self.dropout = nn.Dropout(dropout) if dropout else nn.Identity()
        self.head = nn.Linear(c, num_classes)
        for m in self.modules():  # He init for ReLU nets (Lecture 6)
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")

    def forward(self, x):
        """x: (N, C, H, W) -> scores (N, num_classes)."""
        return self.head(self.dropout(self.features(x)))

    @torch.no_grad()
    def embed(self, x):
        """The backbone's features (N, widths[-1]) for x (N, C, H, W) - no gradient."""
        return self.features(x)
