"""Tier D - the Lecture 8 learning-rate widget: train the torch loop at a chosen lr, curves live.

Pick a learning rate on a log slider and press *train*: ``fit`` runs a short training with
that constant lr while the loss curve is redrawn every few steps (a ``LiveCurves``
callback). Runs accumulate, so several learning rates can be compared on one figure -
too low: the loss barely moves; too high: it explodes to NaN (Lecture 6's babysitting).
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch

from cs231n_lab.pytorch.callbacks import Callback
from cs231n_lab.pytorch.loop import TrainingDiverged, fit
from cs231n_lab.viz.training import plot_history
from cs231n_lab.widgets.common import show_figure

__all__ = ["LiveCurves", "make_lr_widget"]


class LiveCurves(Callback):
    """Redraw ``plot_history`` into an ``Output`` every ``every`` steps and at each epoch end."""

    def __init__(self, out, runs, label, every=10):
        self.out, self.runs, self.label, self.every = out, runs, label, every

    def _draw(self, state):
        state.flush()
        self.runs[self.label] = state.history
        show_figure(self.out, plot_history(None, runs=self.runs))

    def on_step_end(self, state):
        if state.step % self.every == 0:
            self._draw(state)

    def on_epoch_end(self, state, metrics):
        self._draw(state)


def make_lr_widget(build_model, train, val, epochs=1, lr=0.01, momentum=0.9, seed=0, every=10):
    """A log-scale lr slider, a *train* button and live curves of every run so far.

    build_model: () -> nn.Module (a fresh model each run; seeded with ``seed`` first).
    train, val: DeviceData (or DataLoader) for ``fit``. Each run: SGD with momentum,
    constant lr, ``epochs`` epochs. ``box.runs`` holds the histories by label;
    ``box.train(lr)`` runs one without clicking (for tests and scripted notebooks).
    """
    slider = widgets.FloatLogSlider(value=lr, base=10, min=-4, max=1, step=0.25, description="lr",
                                    readout_format=".1e", continuous_update=False)
    button = widgets.Button(description="train", button_style="primary")
    clear = widgets.Button(description="clear runs")
    status = widgets.Label()
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox([slider, button, clear, status]), out])
    box.runs = {}

    def train_at(value):
        torch.manual_seed(seed)
        model = build_model()
        opt = torch.optim.SGD(model.parameters(), lr=value, momentum=momentum)
        label = f"lr={value:.1e}"
        status.value = f"training at {label} ..."
        try:
            fit(model, train, val, optimizer=opt, epochs=epochs, seed=seed, progress=False, log_every=every,
                callbacks=[LiveCurves(out, box.runs, label, every)])
            last = box.runs[label]["epochs"][-1]
            status.value = f"{label}: val accuracy {last.get('val_acc', float('nan')):.1%}"
        except TrainingDiverged as e:
            box.runs[label + " (diverged)"] = e.history
            box.runs.pop(label, None)
            show_figure(out, plot_history(None, runs=box.runs))
            status.value = f"{label}: diverged at step {e.step} (loss NaN/inf) - lower the learning rate"
        return box.runs

    def on_clear(_):
        box.runs.clear()
        out.clear_output()
        status.value = ""

    button.on_click(lambda _: train_at(slider.value))
    clear.on_click(on_clear)
    box.train = train_at
    plt.close("all")
    return box
