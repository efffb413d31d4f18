"""Tier D - the Lecture 4 worked examples as computational graphs (numbers for the widget).

``compute_example(name, **inputs)`` builds the graph with the engine, runs backward and
returns the graph data (see ``viz.graph.compute_graph``) plus the input gradients;
``plot_example`` draws it. The widget in ``widgets.backprop`` only wires sliders to them.
"""

from cs231n_lab.engine import Value
from cs231n_lab.viz.graph import compute_graph, plot_graph

__all__ = ["EXAMPLES", "build_example", "compute_example", "plot_example"]

# name -> (description, default inputs)
EXAMPLES = {
    "add_mul": ("f(x, y, z) = (x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0}),
    "sigmoid_neuron": ("f(w, x) = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))",
                       {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}),
    "sigmoid_neuron_one_node": ("the same neuron with the sigmoid as one node",
                                {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}),
}


def build_example(name, **inputs):
    """Build example ``name`` from its inputs; returns (output Value, {input name: Value})."""
    if name not in EXAMPLES:
        raise ValueError(f"unknown example {name!r}; expected one of {sorted(EXAMPLES)}")
    defaults = EXAMPLES[name][1]
    unknown = sorted(set(inputs) - set(defaults))
    if unknown:
        raise ValueError(f"example {name!r} has no input(s) {unknown}; its inputs are {sorted(defaults)}")
    v = {k: Value(inputs.get(k, d), label=k) for k, d in defaults.items()}
    if name == "add_mul":
        q = v["x"] + v["y"]
        q.label = "q"
        f = q * v["z"]
    else:
        a = v["w0"] * v["x0"]
        b = v["w1"] * v["x1"]
        s = a + b + v["w2"]
        s.label = "s"
        if name == "sigmoid_neuron_one_node":
            f = s.sigmoid()
        else:
            # -1 * s, exp, +1, 1/x: the four gates of the lecture's slide
            f = 1 / (1 + (s * -1).exp())
    f.label = "f"
    return f, v


def compute_example(name, **inputs):
    """Forward and backward through example ``name``.

    Returns {"output": f, "grads": {input: df/dinput}, "graph": compute_graph(f)}.
    """
    f, leaves = build_example(name, **inputs)
    f.backward()
    return {"output": f.data, "grads": {k: leaf.grad for k, leaf in leaves.items()},
            "graph": compute_graph(f)}


def plot_example(result, title=None, ax=None):
    """Draw the graph of a ``compute_example`` result with values and gradients on every node."""
    grads = ", ".join(f"df/d{k} = {g:.3g}" for k, g in result["grads"].items())
    return plot_graph(result["graph"], ax=ax, title=title or f"f = {result['output']:.4g};  {grads}")
