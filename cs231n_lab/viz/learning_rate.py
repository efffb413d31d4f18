"""Tier D - the learning-rate widget's numbers and figures (Lecture 6): train a small net on a
subset of the bundled data for a few hundred steps and read the loss and accuracy curves."""

import matplotlib.pyplot as plt
import numpy as np

from cs231n_lab.babysitting import diagnose_loss_curve
from cs231n_lab.hyperparameter_search import train_trial

__all__ = ["compute_learning_curves", "plot_learning_curves", "plot_runs"]


def compute_learning_curves(data, learning_rate, reg=0.0, num_steps=300, num_train=500, batch_size=50,
                            hidden_dims=(50,), weight_scale=1e-2, seed=0, **model_kwargs):
    """Train FullyConnectedNet(hidden_dims) with SGD for about num_steps steps on the first
    num_train training examples (accuracies measured on them and on the validation set every
    epoch); a run whose loss passes 3x its start is aborted, as in the lecture.

    Returns dict: learning_rate, reg, loss (per step), train_acc, val_acc (per check),
    aborted, diagnosis (babysitting.diagnose_loss_curve) and the solver.
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    iterations_per_epoch = max(num_train // batch_size, 1)
    num_epochs = max(1, int(round(num_steps / iterations_per_epoch)))
    trial = train_trial(data, learning_rate, reg, hidden_dims=hidden_dims, num_epochs=num_epochs,
                        batch_size=batch_size, weight_scale=weight_scale, num_train=num_train, seed=seed,
                        **model_kwargs)
    s = trial["solver"]
    loss = np.array(s.loss_history)
    diagnosis = diagnose_loss_curve(loss, s.train_acc_history, s.val_acc_history) if loss.size >= 5 else \
        {"learning_rate": "too high", "bad_init_plateau": False, "gap": None,
         "messages": ["The loss exploded within a few steps: the learning rate is too high."]}
    return {"learning_rate": learning_rate, "reg": reg, "loss": loss, "train_acc": np.array(s.train_acc_history),
            "val_acc": np.array(s.val_acc_history), "aborted": s.aborted, "diagnosis": diagnosis, "solver": s}


def plot_learning_curves(curves, figsize=(11, 3.6)):
    """Loss per step (left) and train/val accuracy per epoch (right) of one run."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=figsize)
    ax_loss.plot(curves["loss"], lw=0.8)
    if curves["aborted"] or np.nanmax(curves["loss"]) > 10 * curves["loss"][0]:
        ax_loss.set_yscale("log")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("loss")
    ax_acc.plot(curves["train_acc"], "o-", label="train")
    ax_acc.plot(curves["val_acc"], "s-", label="val")
    ax_acc.set_ylim(0, 1)
    ax_acc.set_xlabel("check (start, then every epoch)")
    ax_acc.set_ylabel("accuracy")
    ax_acc.legend()
    status = " (aborted: loss > 3x initial)" if curves["aborted"] else ""
    fig.suptitle(f"lr {curves['learning_rate']:.1e}, reg {curves['reg']:.1e}: "
                 f"learning rate {curves['diagnosis']['learning_rate']}{status}")
    fig.tight_layout()
    return fig


def plot_runs(runs, labels, title=None, figsize=(11, 3.6)):
    """Several runs' losses (left) and validation accuracies (right) on shared axes."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=figsize)
    for curves, label in zip(runs, labels):
        loss = np.where(np.isfinite(curves["loss"]), curves["loss"], np.nan)
        ax_loss.plot(loss, lw=0.8, label=label)
        ax_acc.plot(curves["val_acc"], "o-", ms=3, label=label)
    top = max(float(np.nanmax(r["loss"][np.isfinite(r["loss"])])) for r in runs)
    if top > 10 * min(float(r["loss"][0]) for r in runs):
        ax_loss.set_yscale("log")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("loss")
    ax_acc.set_xlabel("check (start, then every epoch)")
    ax_acc.set_ylabel("validation accuracy")
    ax_acc.set_ylim(0, 1)
    ax_loss.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
