"""Tier D - the learning-rate widget (Lecture 6): log-scale learning-rate and regularisation
sliders that retrain a small net on the bundled data and redraw its curves."""

import ipywidgets as widgets

from cs231n_lab.viz.learning_rate import compute_learning_curves, plot_learning_curves
from cs231n_lab.widgets.common import show_figure

__all__ = ["make_learning_rate_widget"]


def make_learning_rate_widget(data=None, learning_rate=1e-1, reg=1e-4, num_steps=300, num_train=500):
    """Each slider release trains FullyConnectedNet([50]) for ~num_steps SGD steps on
    num_train examples (about a second on a laptop CPU) and shows the loss and accuracies with
    the babysitting diagnosis. data: a get_split_data() dict; by default the bundled set."""
    if data is None:
        from cs231n_lab.datasets import get_split_data
        data = get_split_data(num_training=num_train, num_validation=500, num_test=1)
    lr = widgets.FloatLogSlider(value=learning_rate, base=10, min=-5, max=1, step=0.25,
                                description="learning rate", continuous_update=False, readout_format=".1e")
    rg = widgets.FloatLogSlider(value=reg, base=10, min=-6, max=1, step=0.5,
                                description="reg", continuous_update=False, readout_format=".1e")
    text = widgets.HTML()
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox([lr, rg]), text, out])

    def redraw(_=None):
        box.result = compute_learning_curves(data, lr.value, rg.value, num_steps=num_steps, num_train=num_train)
        text.value = " ".join(box.result["diagnosis"]["messages"])
        show_figure(out, plot_learning_curves(box.result))

    for control in (lr, rg):
        control.observe(redraw, names="value")
    redraw()
    return box
