"""Tier A - the lecture's gates as tiny objects with a forward and a backward (Lecture 4).

Each gate caches what its backward needs during forward, then turns the *upstream*
gradient dz (= dL/dz) into the gradients of its inputs. Written for plain floats so
the four patterns of gradient flow are visible at a glance:

    AddGate       distributor      dx = dz,            dy = dz
    MultiplyGate  swap multiplier  dx = y * dz,        dy = x * dz
    MaxGate       router           the larger input gets dz, the other 0
    CopyGate      adder            one value used twice: dx = dz1 + dz2

and the SigmoidGate, the lecture's example of collapsing a whole sub-graph into one
node because its local gradient has a simple form: sigma(x) * (1 - sigma(x)).
"""

import math

from cs231n_lab.engine import _check_number

__all__ = ["AddGate", "MultiplyGate", "MaxGate", "CopyGate", "SigmoidGate"]


class AddGate:
    def forward(self, x, y):
        return _check_number(x, "x") + _check_number(y, "y")

    def backward(self, dz):
        return dz, dz


class MultiplyGate:
    def forward(self, x, y):
        self.x, self.y = _check_number(x, "x"), _check_number(y, "y")
        return self.x * self.y

    def backward(self, dz):
        return self.y * dz, self.x * dz


class MaxGate:
    def forward(self, x, y):
        self.x_wins = _check_number(x, "x") >= _check_number(y, "y")
        return x if self.x_wins else y

    def backward(self, dz):
        return (dz, 0.0) if self.x_wins else (0.0, dz)


class CopyGate:
    """Fan-out: one input feeds two places; their gradients add on the way back."""

    def forward(self, x):
        x = _check_number(x, "x")
        return x, x

    def backward(self, dz1, dz2):
        return dz1 + dz2


class SigmoidGate:
    def forward(self, x):
        x = _check_number(x, "x")
        self.s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return self.s

    def backward(self, dz):
        return self.s * (1.0 - self.s) * dz
