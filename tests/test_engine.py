"""The scalar autograd engine: every op checked numerically and against torch autograd."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lab.engine import Value

finite = st.floats(min_value=-5, max_value=5, allow_nan=False)
positive = st.floats(min_value=0.1, max_value=5)


def numeric_grad(f, xs, h=1e-6):
    """Centred differences of a function of plain floats."""
    grads = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        grads.append((f(*up) - f(*down)) / (2 * h))
    return grads


def value_grad(f, xs):
    vs = [Value(x) for x in xs]
    out = f(*vs)
    out.backward()
    return out.data, [v.grad for v in vs]


def torch_grad(f, xs):
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = f(*ts)
    out.backward()
    return out.item(), [t.grad.item() for t in ts]


# (name, our function, torch function, input strategy per argument)
BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, (finite, finite)),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, (finite, finite)),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, (finite, finite)),
    ("div", lambda a, b: a / b, lambda a, b: a / b, (finite, positive)),
    ("rdiv", lambda a, b: 2.0 / b + a, lambda a, b: 2.0 / b + a, (finite, positive)),
    ("rsub", lambda a, b: 3.0 - a * b, lambda a, b: 3.0 - a * b, (finite, finite)),
]
UNARY = [
    ("pow3", lambda a: a ** 3, lambda a: a ** 3, finite),
    ("pow-half", lambda a: a ** -0.5, lambda a: a ** -0.5, positive),
    ("exp", lambda a: a.exp(), torch.exp, finite),
    ("log", lambda a: a.log(), torch.log, positive),
    ("tanh", lambda a: a.tanh(), torch.tanh, finite),
    ("sigmoid", lambda a: a.sigmoid(), torch.sigmoid, finite),
    ("relu", lambda a: a.relu(), torch.relu, finite),
    ("neg", lambda a: -a, lambda a: -a, finite),
]


@pytest.mark.parametrize("name,ours,theirs,strategies", BINARY, ids=[b[0] for b in BINARY])
def test_binary_ops_match_torch_and_numeric(name, ours, theirs, strategies):
    @settings(max_examples=40, deadline=None)
    @given(*strategies)
    def check(a, b):
        val, grads = value_grad(ours, [a, b])
        tval, tgrads = torch_grad(theirs, [a, b])
        assert val == pytest.approx(tval, rel=1e-12, abs=1e-12)
        assert grads == pytest.approx(tgrads, rel=1e-9, abs=1e-12)
        assert grads == pytest.approx(numeric_grad(lambda x, y: ours(Value(x), Value(y)).data, [a, b]),
                                      rel=1e-5, abs=1e-6)
    check()


@pytest.mark.parametrize("name,ours,theirs,strategy", UNARY, ids=[u[0] for u in UNARY])
def test_unary_ops_match_torch_and_numeric(name, ours, theirs, strategy):
    @settings(max_examples=40, deadline=None)
    @given(strategy)
    def check(a):
        if name == "relu" and abs(a) < 1e-5:
            return  # the kink: numerical differences straddle it
        val, grads = value_grad(ours, [a])
        tval, tgrads = torch_grad(theirs, [a])
        assert val == pytest.approx(tval, rel=1e-12, abs=1e-12)
        assert grads == pytest.approx(tgrads, rel=1e-9, abs=1e-12)
        assert grads == pytest.approx(numeric_grad(lambda x: ours(Value(x)).data, [a]), rel=1e-5, abs=1e-6)
    check()


@settings(max_examples=40, deadline=None)
@given(finite, finite)
def test_max_matches_torch_maximum_away_from_ties(a, b):
    if abs(a - b) < 1e-6:
        return
    val, grads = value_grad(lambda x, y: x.max(y), [a, b])
    tval, tgrads = torch_grad(torch.maximum, [a, b])
    assert val == tval and grads == tgrads


def test_max_tie_sends_whole_gradient_to_first_argument():
    a, b = Value(2.0), Value(2.0)
    a.max(b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)


def test_lecture_example_x_plus_y_times_z():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_lecture_sigmoid_neuron_matches_torch():
    w_vals, x_vals = [2.0, -3.0, -3.0], [-1.0, -2.0]
    w = [Value(v) for v in w_vals]
    x = [Value(v) for v in x_vals]
    f = 1 / (1 + (-(w[0] * x[0] + w[1] * x[1] + w[2])).exp())
    f.backward()
    wt = torch.tensor(w_vals, dtype=torch.float64, requires_grad=True)
    xt = torch.tensor(x_vals, dtype=torch.float64, requires_grad=True)
    ft = torch.sigmoid(wt[0] * xt[0] + wt[1] * xt[1] + wt[2])
    ft.backward()
    assert f.data == pytest.approx(ft.item(), rel=1e-12)
    assert [v.grad for v in w] == pytest.approx(wt.grad.tolist(), rel=1e-12)
    assert [v.grad for v in x] == pytest.approx(xt.grad.tolist(), rel=1e-12)


def test_sigmoid_node_equals_expanded_subgraph():
    """The lecture's claim: the whole sigmoid sub-graph can be one node with gradient s(1-s)."""
    for v in (-3.0, -0.5, 0.0, 1.0, 4.0):
        a = Value(v)
        a.sigmoid().backward()
        b = Value(v)
        (1 / (1 + (-b).exp())).backward()
        s = 1 / (1 + math.exp(-v))
        assert a.grad == pytest.approx(b.grad, rel=1e-12)
        assert a.grad == pytest.approx(s * (1 - s), rel=1e-12)


def test_fan_out_gradients_add():
    x = Value(3.0)
    f = x * x + x  # x used three times
    f.backward()
    assert x.grad == 2 * 3.0 + 1


def test_backward_twice_gives_same_gradients():
    x, y = Value(1.5), Value(-2.0)
    f = (x * y + x).tanh()
    f.backward()
    first = (x.grad, y.grad)
    f.backward()
    assert (x.grad, y.grad) == first


def test_backward_accumulates_into_leaves_when_asked():
    x = Value(1.5)
    f = x * x
    f.backward()
    f.backward(zero_grad=False)
    assert x.grad == pytest.approx(2 * 3.0)
    g = x * 3
    g.backward(zero_grad=False)  # a second graph sharing the leaf, like summing two losses
    assert x.grad == pytest.approx(2 * 3.0 + 3)


def test_zero_grad_clears_the_whole_graph():
    x = Value(2.0)
    h = x.exp()
    f = h * x
    f.backward()
    f.zero_grad()
    assert x.grad == h.grad == f.grad == 0.0


def test_deep_graph_does_not_hit_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == pytest.approx(1.0)


@pytest.mark.parametrize("bad", ["3", None, [1.0], True, 1 + 2j])
def test_non_numbers_are_rejected_with_type_error(bad):
    with pytest.raises(TypeError, match="real number"):
        Value(bad)
    with pytest.raises(TypeError, match="operand of \\+"):
        Value(1.0) + bad


def test_domain_errors_are_clear():
    with pytest.raises(ValueError, match="positive input"):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        Value(1.0) / 0
    with pytest.raises(ValueError, match="integer exponent"):
        Value(-2.0) ** 0.5
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(OverflowError, match="overflows"):
        Value(1000.0).exp()


def test_sigmoid_is_stable_for_large_inputs():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
