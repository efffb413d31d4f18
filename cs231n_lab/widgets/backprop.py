"""Tier D - the Lecture 4 backprop widget: sliders for the inputs, the graph redrawn live."""

import ipywidgets as widgets

from cs231n_lab.viz.backprop import EXAMPLES, compute_example, plot_example
from cs231n_lab.widgets.common import show_figure

__all__ = ["make_backprop_widget"]


def make_backprop_widget(example="add_mul"):
    """Sliders for every input of ``example``; the computational graph with forward values
    (green) and gradients (red) is recomputed and redrawn whenever a slider moves."""
    description, defaults = EXAMPLES[example]
    sliders = {k: widgets.FloatSlider(value=v, min=-6.0, max=6.0, step=0.5, description=k,
                                      continuous_update=False) for k, v in defaults.items()}
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox(list(sliders.values()), layout=widgets.Layout(flex_flow="row wrap")), out])

    def redraw(_=None):
        result = compute_example(example, **{k: s.value for k, s in sliders.items()})
        box.result = result  # the numbers behind the figure, for tests and curious students
        show_figure(out, plot_example(result, title=description))

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    return box
