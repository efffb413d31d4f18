"""Tier D - the Lecture 5 conv-geometry widget: output size and receptive field, live."""

import ipywidgets as widgets

from cs231n_lab.viz.convnets import compute_conv_geometry, plot_conv_geometry
from cs231n_lab.widgets.common import show_figure

__all__ = ["make_conv_geometry_widget"]


def make_conv_geometry_widget(image, input_size=28, filter_size=5, stride=1, pad=2, num_layers=1):
    """Sliders for input size N, filter size F, stride S, padding P and the number of stacked
    layers; shows the output size (or why the stride does not fit) and draws the filter
    positions and the receptive field on ``image`` (a 2-D array, e.g. a bundled picture)."""
    def slider(value, lo, hi, description):
        return widgets.IntSlider(value=value, min=lo, max=hi, description=description, continuous_update=False)

    sliders = {"input_size": slider(input_size, 4, 40, "input N"),
               "filter_size": slider(filter_size, 1, 11, "filter F"),
               "stride": slider(stride, 1, 4, "stride S"),
               "pad": slider(pad, 0, 5, "pad P"),
               "num_layers": slider(num_layers, 1, 4, "layers L")}
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox(list(sliders.values()), layout=widgets.Layout(flex_flow="row wrap")), out])

    def redraw(_=None):
        geom = compute_conv_geometry(**{k: s.value for k, s in sliders.items()})
        box.result = geom  # the numbers behind the figure, for tests and curious students
        show_figure(out, plot_conv_geometry(geom, image))

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    return box
