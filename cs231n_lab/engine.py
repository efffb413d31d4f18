"""Tier A - a scalar reverse-mode autograd engine (Lecture 4: backpropagation).

Every operation below builds one node of a *computational graph*. Each node stores
its forward value (``data``) and, after ``backward()``, the gradient of the final
output with respect to it (``grad``). Each operation defines its *local* backward
right beside its forward: the chain rule says

    downstream gradient = local gradient x upstream gradient

and ``backward()`` applies it node by node in reverse topological order.

Example (the lecture's first worked example, f = (x + y) * z)::

    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> x.grad, y.grad, z.grad
    (-4.0, -4.0, 3.0)

Calling ``backward()`` twice
----------------------------
Gradients are *accumulated* with ``+=`` inside one backward pass - that is what makes
a value used twice (a fan-out / copy gate) receive the sum of both gradients. Engines
like micrograd also keep accumulating *across* calls, so a second ``backward()``
silently doubles every gradient. Here ``backward()`` first sets the gradient of every
node in the graph to zero, so calling it twice gives the same answer as calling it
once. If you *want* to accumulate (for example summing the gradients of several
separate losses into shared leaves, as PyTorch does), call
``backward(zero_grad=False)``: intermediate nodes are still reset, leaves keep and
add to what they had.
"""

import math
import numbers

__all__ = ["Value"]


def _check_number(x, what):
    # bool is a subclass of int in Python, but True + True is not a sensible input here.
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a real number (int or float) or a Value, "
                        f"got {type(x).__name__}: {x!r}")
    return float(x)


class Value:
    """One scalar node of a computational graph.

    Parameters
    ----------
    data : int or float
        The forward value.
    label : str, optional
        A name shown by :func:`cs231n_lab.viz.graph.draw_graph`.
    """

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = _check_number(data, "Value(data)")
        self.grad = 0.0
        self._backward = lambda: None  # the local backward of the op that made this node
        self._prev = tuple(_children)
        self._op = _op
        self.label = label

    @staticmethod
    def _wrap(other, op):
        if isinstance(other, Value):
            return other
        return Value(_check_number(other, f"the other operand of {op}"))

    # ----- binary operations ------------------------------------------------------
    def __add__(self, other):
        other = self._wrap(other, "+")
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            # add gate: a gradient *distributor* - both inputs get the upstream gradient.
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = self._wrap(other, "*")
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            # mul gate: a *swap multiplier* - each input gets the other's value x upstream.
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        if isinstance(k, Value):
            raise TypeError("Value ** Value is not supported: the exponent must be a plain "
                            "int or float (use exp(log(a) * b) for a variable exponent)")
        k = _check_number(k, "the exponent of **")
        if self.data == 0.0 and k < 0:
            raise ZeroDivisionError(f"Value(0.0) ** {k}: zero cannot be raised to a negative power")
        if self.data < 0 and not k.is_integer():
            raise ValueError(f"Value({self.data}) ** {k}: a negative base needs an integer exponent "
                             "(the result would be complex)")
        out = Value(self.data ** k, (self,), f"**{k:g}")

        def _backward():
            # d(a^k)/da = k a^(k-1)
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def max(self, other):
        """max(self, other). The gradient is *routed* to the larger input only.

        On a tie the whole gradient goes to ``self`` (as a subgradient, any split is valid).
        """
        other = self._wrap(other, "max")
        self_wins = self.data >= other.data
        out = Value(self.data if self_wins else other.data, (self, other), "max")

        def _backward():
            # max gate: a gradient *router* - the winner gets it all, the loser gets 0.
            if self_wins:
                self.grad += out.grad
            else:
                other.grad += out.grad
        out._backward = _backward
        return out

    # ----- unary operations -------------------------------------------------------
    def exp(self):
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data}) overflows a float (inputs above ~709.78 do)") from None
        out = Value(e, (self,), "exp")

        def _backward():
            self.grad += e * out.grad  # d e^x / dx = e^x
        out._backward = _backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log({self.data}): the natural log needs a positive input")
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data  # d ln x / dx = 1/x
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1.0 - t * t) * out.grad  # d tanh x / dx = 1 - tanh^2 x
        out._backward = _backward
        return out

    def sigmoid(self):
        # Computed stably for large |x|: both branches only ever call exp of a negative number.
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        out = Value(s, (self,), "sigmoid")

        def _backward():
            # The lecture's point: the whole sigmoid is one node with local gradient s(1 - s).
            self.grad += s * (1.0 - s) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    # ----- the backward pass ------------------------------------------------------
    def topological_order(self):
        """All nodes of the graph ending here, each after every node it depends on."""
        order, seen = [], set()
        stack = [(self, False)]
        # Iterative depth-first search so that deep graphs do not hit Python's recursion limit.
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for child in node._prev:
                if id(child) not in seen:
                    stack.append((child, False))
        return order

    def backward(self, zero_grad=True):
        """Backpropagate from this (scalar) node: fill ``.grad`` of every node in its graph.

        zero_grad=True (default): every node's gradient is reset first, so calling
        backward() twice gives the same gradients as calling it once.
        zero_grad=False: leaves (inputs) keep their gradients and add the new ones,
        like PyTorch's ``.grad`` accumulation; intermediate nodes are still reset.
        """
        order = self.topological_order()
        for node in order:
            if zero_grad or node._prev:
                node.grad = 0.0
        self.grad = 1.0  # df/df = 1
        for node in reversed(order):
            node._backward()

    def zero_grad(self):
        """Set the gradient of every node in this graph to zero."""
        for node in self.topological_order():
            node.grad = 0.0

    # ----- conveniences built from the ops above ----------------------------------
    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-self._wrap(other, "-"))

    def __rsub__(self, other):
        return self._wrap(other, "-") + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        other = self._wrap(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(f"{self.data} / 0.0: division by zero in a Value graph")
        return self * other ** -1

    def __rtruediv__(self, other):
        if isinstance(other, numbers.Real) and other == 1:
            return self ** -1  # 1/x is the lecture's "1/x" gate: one node, not 1 * x^-1
        return self._wrap(other, "/") / self

    def __repr__(self):
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.4g}, grad={self.grad:.4g})"
