"""The four patterns of gradient flow (Lecture 4), shown on the gate objects and the engine."""

import pytest

from cs231n_lab.engine import Value
from cs231n_lab.gates import AddGate, CopyGate, MaxGate, MultiplyGate, SigmoidGate


def test_add_gate_distributes():
    g = AddGate()
    assert g.forward(3.0, -1.0) == 2.0
    assert g.backward(5.0) == (5.0, 5.0)


def test_multiply_gate_swaps_and_scales():
    g = MultiplyGate()
    assert g.forward(3.0, -4.0) == -12.0
    assert g.backward(2.0) == (-8.0, 6.0)  # dx = y*dz, dy = x*dz


@pytest.mark.parametrize("x,y,expected", [(4.0, 1.0, (2.0, 0.0)), (-1.0, 3.0, (0.0, 2.0))])
def test_max_gate_routes(x, y, expected):
    g = MaxGate()
    g.forward(x, y)
    assert g.backward(2.0) == expected


def test_copy_gate_adds():
    g = CopyGate()
    assert g.forward(7.0) == (7.0, 7.0)
    assert g.backward(1.5, -4.0) == -2.5


def test_sigmoid_gate_local_gradient():
    g = SigmoidGate()
    s = g.forward(0.0)
    assert s == 0.5
    assert g.backward(1.0) == 0.25


@pytest.mark.parametrize("x,y", [(2.0, -3.0), (-0.5, 4.0)])
def test_gates_agree_with_engine(x, y):
    """The same numbers through the gates and through Value: identical gradients."""
    a, b = Value(x), Value(y)
    (a * b).backward()
    assert MultiplyGate().forward(x, y) == x * y
    m = MultiplyGate()
    m.forward(x, y)
    assert m.backward(1.0) == (a.grad, b.grad)

    a, b = Value(x), Value(y)
    a.max(b).backward()
    mg = MaxGate()
    mg.forward(x, y)
    assert mg.backward(1.0) == (a.grad, b.grad)


def test_gates_reject_non_numbers():
    with pytest.raises(TypeError, match="x must be a real number"):
        AddGate().forward("1", 2.0)
