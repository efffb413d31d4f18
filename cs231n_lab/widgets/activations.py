"""Tier D - the activation explorer (Lecture 6): pick an activation and an input distribution."""

import ipywidgets as widgets

from cs231n_lab.activations import ACTIVATIONS
from cs231n_lab.viz.activations import compute_activation_curve, plot_activation
from cs231n_lab.widgets.common import show_figure

__all__ = ["make_activation_widget"]


def make_activation_widget(name="sigmoid", input_mean=0.0, input_std=1.0):
    """A dropdown of activations and sliders for the inputs' mean and std; redraws f, f' and the
    fraction of saturated / dead units whenever a control moves."""
    choice = widgets.Dropdown(options=sorted(ACTIVATIONS), value=name, description="activation")
    mean = widgets.FloatSlider(value=input_mean, min=-8, max=8, step=0.5, description="input mean",
                               continuous_update=False)
    std = widgets.FloatSlider(value=input_std, min=0.1, max=8, step=0.1, description="input std",
                              continuous_update=False)
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox([choice, mean, std]), out])

    def redraw(_=None):
        box.result = compute_activation_curve(choice.value, input_mean=mean.value, input_std=std.value)
        show_figure(out, plot_activation(box.result))

    for control in (choice, mean, std):
        control.observe(redraw, names="value")
    redraw()
    return box
