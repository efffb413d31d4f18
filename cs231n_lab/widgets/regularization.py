"""Tier D - the Lecture 7 regularisation widgets: dropout explorer and augmentation explorer."""

import ipywidgets as widgets

from cs231n_lab.viz.regularization import (AUGMENTATIONS, compute_augmentation_grid, compute_dropout_view,
                                           plot_augmentation_grid, plot_dropout_view)
from cs231n_lab.widgets.common import show_figure

__all__ = ["make_dropout_widget", "make_augmentation_widget"]


def make_dropout_widget(keep_prob=0.5, num_masks=200, seed=0):
    """Slider for the keep probability p (and the number of masks): one layer's activations,
    one train-time mask, the mean over masks, and the running "ensemble of masks" readout
    against the test-time output."""
    p = widgets.FloatSlider(value=keep_prob, min=0.05, max=1.0, step=0.05, description="keep p",
                            continuous_update=False)
    k = widgets.IntSlider(value=num_masks, min=10, max=2000, step=10, description="masks",
                          continuous_update=False)
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox([p, k]), out])

    def redraw(_=None):
        box.result = compute_dropout_view(p.value, num_masks=k.value, seed=seed)
        show_figure(out, plot_dropout_view(box.result))

    p.observe(redraw, names="value")
    k.observe(redraw, names="value")
    redraw()
    return box


_DEFAULTS = {"flip": 0.5, "crop": 0.1, "resized_crop": 0.5, "color_jitter": 0.4, "pca_color": 0.5,
             "cutout": 0.3, "mixup": 0.4}


def make_augmentation_widget(images, row_labels=None, num_samples=6, seed=0, selected=("flip", "crop")):
    """A checkbox and a strength slider per operation; a grid of augmented copies of ``images``
    (M, C, H, W), first column the original, redrawn on every change."""
    checks = {name: widgets.Checkbox(value=name in selected, description=name, indent=False,
                                     layout=widgets.Layout(width="120px")) for name in AUGMENTATIONS}
    sliders = {name: widgets.FloatSlider(value=_DEFAULTS[name], min=0.0, max=1.0, step=0.05,
                                         description="strength", continuous_update=False,
                                         tooltip=AUGMENTATIONS[name][0]) for name in AUGMENTATIONS}
    seed_box = widgets.IntText(value=seed, description="seed", layout=widgets.Layout(width="160px"))
    out = widgets.Output()
    rows = [widgets.HBox([checks[n], sliders[n], widgets.Label(AUGMENTATIONS[n][0])]) for n in AUGMENTATIONS]
    box = widgets.VBox(rows + [seed_box, out])

    def redraw(_=None):
        ops = {n: sliders[n].value for n in AUGMENTATIONS if checks[n].value}
        box.result = compute_augmentation_grid(images, ops, num_samples=num_samples, seed=seed_box.value)
        show_figure(out, plot_augmentation_grid(box.result, title=", ".join(ops) or "no augmentation",
                                                row_labels=row_labels))

    for w in list(checks.values()) + list(sliders.values()) + [seed_box]:
        w.observe(redraw, names="value")
    redraw()
    return box
