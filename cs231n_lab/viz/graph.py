"""Tier D - drawing a computational graph of ``Value`` nodes with matplotlib (Lecture 4).

No graphviz binary is needed. ``compute_graph`` turns a graph into plain data (nodes,
edges, positions) that tests can check; ``plot_graph`` draws that data; ``draw_graph``
does both. Like the lecture's slides, every node shows its forward value (green) and,
after ``backward()``, its gradient (red).
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from cs231n_lab.engine import Value

__all__ = ["compute_graph", "plot_graph", "draw_graph"]


def compute_graph(root):
    """The graph ending at ``root`` as data.

    Returns a dict with
      nodes: list of {id, label, op, data, grad, x, y} - one per Value, inputs first;
             x is the node's depth (longest path from an input), y its row in that column;
      edges: list of (from_id, to_id) - from each input of an op to the op's output.
    """
    if not isinstance(root, Value):
        raise TypeError(f"compute_graph: root must be a Value, got {type(root).__name__}")
    order = root.topological_order()
    index = {id(v): i for i, v in enumerate(order)}
    depth = {}
    for v in order:  # inputs come before the nodes that use them
        depth[id(v)] = 1 + max((depth[id(c)] for c in v._prev), default=-1)
    # Unnamed leaves are constants (the 1 in 1 + e^x): draw each just left of the node
    # that uses it rather than in the inputs' column, so no edge crosses the whole graph.
    users = {}
    for v in order:
        for c in v._prev:
            users.setdefault(id(c), []).append(depth[id(v)])
    for v in order:
        if not v._prev and not v.label and id(v) in users:
            depth[id(v)] = min(users[id(v)]) - 1
    rows = {}
    nodes, edges = [], []
    for v in order:
        d = depth[id(v)]
        row = rows.get(d, 0)
        rows[d] = row + 1
        nodes.append({"id": index[id(v)], "label": v.label, "op": v._op, "data": v.data,
                      "grad": v.grad, "x": d, "y": row})
        for c in v._prev:
            edges.append((index[id(c)], index[id(v)]))
    # centre each column vertically
    for n in nodes:
        n["y"] = n["y"] - (rows[n["x"]] - 1) / 2.0
    return {"nodes": nodes, "edges": edges}


def plot_graph(graph, ax=None, title=None):
    """Draw the data from ``compute_graph``; returns the matplotlib Figure."""
    nodes = graph["nodes"]
    if ax is None:
        width = 2.2 * (1 + max((n["x"] for n in nodes), default=0))
        height = 1.4 * (1 + max((abs(n["y"]) for n in nodes), default=0)) + 0.8
        fig, ax = plt.subplots(figsize=(max(4.0, width), max(2.5, height)))
    else:
        fig = ax.figure
    pos = {n["id"]: (2.2 * n["x"], -1.4 * n["y"]) for n in nodes}
    for a, b in graph["edges"]:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.annotate("", xy=(x1 - 0.7, y1), xytext=(x0 + 0.7, y0),
                    arrowprops=dict(arrowstyle="->", color="0.4", lw=1.2))
    for n in nodes:
        x, y = pos[n["id"]]
        box = FancyBboxPatch((x - 0.7, y - 0.45), 1.4, 0.9, boxstyle="round,pad=0.03",
                             fc="#eef3fb" if n["op"] else "#fdf6e3", ec="0.3")
        ax.add_patch(box)
        name = n["label"] or ""
        head = f"{name} = {n['op']}" if (name and n["op"]) else (name or n["op"] or "const")
        ax.text(x, y + 0.22, head, ha="center", va="center", fontsize=9, weight="bold")
        ax.text(x, y - 0.02, f"{n['data']:.3g}", ha="center", va="center", fontsize=9, color="green")
        ax.text(x, y - 0.25, f"grad {n['grad']:.3g}", ha="center", va="center", fontsize=8, color="red")
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    ax.set_xlim(min(xs) - 1.0, max(xs) + 1.0)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig


def draw_graph(root, ax=None, title=None):
    """Draw the computational graph ending at ``root``; returns the Figure.

    The graph data is attached as ``fig.graph_data`` (see ``compute_graph``).
    """
    graph = compute_graph(root)
    fig = plot_graph(graph, ax=ax, title=title)
    fig.graph_data = graph
    return fig
