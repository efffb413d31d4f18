"""The Lecture 4 graph drawing and widget numbers, tested without a browser."""

import math

import matplotlib
import pytest

matplotlib.use("Agg")

from cs231n_lab.engine import Value  # noqa: E402
from cs231n_lab.viz.backprop import compute_example, plot_example  # noqa: E402
from cs231n_lab.viz.graph import compute_graph, draw_graph  # noqa: E402


def test_add_mul_example_gives_the_lecture_numbers():
    r = compute_example("add_mul")
    assert r["output"] == -12.0
    assert r["grads"] == {"x": -4.0, "y": -4.0, "z": 3.0}


def test_sigmoid_neuron_gives_the_lecture_numbers():
    for name in ("sigmoid_neuron", "sigmoid_neuron_one_node"):
        r = compute_example(name)
        assert r["output"] == pytest.approx(0.7311, abs=1e-4)
        g = r["grads"]
        assert [g["w0"], g["w1"], g["w2"]] == pytest.approx([-0.1966, -0.3932, 0.1966], abs=1e-4)
        assert [g["x0"], g["x1"]] == pytest.approx([0.3932, -0.5898], abs=1e-4)


def test_new_inputs_change_values_and_gradients():
    r = compute_example("add_mul", x=1.0, y=2.0, z=3.0)
    assert r["output"] == 9.0 and r["grads"] == {"x": 3.0, "y": 3.0, "z": 3.0}


def test_graph_data_has_every_node_and_edge():
    r = compute_example("add_mul")
    g = r["graph"]
    labels = {n["label"] for n in g["nodes"]}
    assert labels == {"x", "y", "z", "q", "f"}
    assert len(g["edges"]) == 4
    by_label = {n["label"]: n for n in g["nodes"]}
    assert by_label["q"]["grad"] == -4.0 and by_label["q"]["data"] == 3.0
    # inputs sit in column 0, the output in the last column
    assert by_label["x"]["x"] == 0 and by_label["f"]["x"] == max(n["x"] for n in g["nodes"])


def test_expanded_sigmoid_has_more_nodes_than_one_node_version():
    a = compute_example("sigmoid_neuron")["graph"]
    b = compute_example("sigmoid_neuron_one_node")["graph"]
    assert len(a["nodes"]) > len(b["nodes"])
    assert any(n["op"] == "sigmoid" for n in b["nodes"])


def test_draw_graph_returns_a_figure_with_the_data():
    x = Value(2.0, label="x")
    f = (x * x).tanh()
    f.backward()
    fig = draw_graph(f)
    assert fig.graph_data == compute_graph(f)
    assert len(fig.axes[0].patches) == len(fig.graph_data["nodes"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert f"grad {x.grad:.3g}" in texts
    fig2 = plot_example(compute_example("add_mul"))
    assert "df/dx = -4" in fig2.axes[0].get_title()


def test_bad_example_and_inputs():
    with pytest.raises(ValueError, match="unknown example"):
        compute_example("nope")
    with pytest.raises(ValueError, match=r"has no input\(s\) \['w'\]"):
        compute_example("add_mul", w=1.0)
    with pytest.raises(TypeError, match="root must be a Value"):
        compute_graph(3.0)


def test_widget_redraws_on_slider_change():
    from cs231n_lab.widgets.backprop import make_backprop_widget
    w = make_backprop_widget("add_mul")
    sliders = w.children[0].children
    assert [s.description for s in sliders] == ["x", "y", "z"]
    assert w.result["grads"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    sliders[2].value = 2.0  # z: the gradients on x and y follow it
    assert w.result["grads"]["x"] == 2.0 and w.result["output"] == 6.0
    assert math.isclose(sliders[2].value, 2.0)
