"""Tier D - the initialisation explorer (Lecture 6): activation and init -> 10-layer histograms."""

import ipywidgets as widgets

from cs231n_lab.activations import ACTIVATIONS
from cs231n_lab.viz.weight_init import compute_init_statistics, plot_layer_histograms
from cs231n_lab.widgets.common import show_figure
from cs231n_lab.weight_init import INITS

__all__ = ["make_init_widget"]


def make_init_widget(activation="tanh", init="xavier", num_examples=300):
    """Dropdowns for the activation and the scheme ("std slider" uses the log-scale slider);
    the per-layer statistics and histograms are recomputed on every change. num_examples is
    kept small so that a redraw takes about a second."""
    act = widgets.Dropdown(options=sorted(ACTIVATIONS), value=activation, description="activation")
    scheme = widgets.Dropdown(options=list(INITS) + ["std slider"], value=init, description="init")
    std = widgets.FloatLogSlider(value=0.05, base=10, min=-3, max=1, step=0.1, description="std",
                                 continuous_update=False)
    which = widgets.ToggleButtons(options=[("activations", "act"), ("gradients", "grad")], value="act")
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox([act, scheme, std]), which, out])

    def redraw(_=None):
        chosen = std.value if scheme.value == "std slider" else scheme.value
        box.result = compute_init_statistics(chosen, act.value, num_examples=num_examples)
        show_figure(out, plot_layer_histograms(box.result, which=which.value))

    for control in (act, scheme, std, which):
        control.observe(redraw, names="value")
    redraw()
    return box
