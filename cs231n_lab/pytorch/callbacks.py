"""Tier C - callbacks: small objects whose hooks ``fit`` calls at named points (Lecture 7-8).

Hooks, in the order ``fit`` calls them::

    on_fit_start(state)
    per epoch:  on_epoch_start(state) -> on_step_end(state) after every step -> on_epoch_end(state, metrics)
    on_fit_end(state)

``state`` is the loop's ``LoopState`` (model, optimizer, epoch, step, history, ...); a
callback stops training by setting ``state.stop = True``. A callback that carries state
across steps returns it from ``state_dict()`` so checkpoints can resume it exactly.

- ``EarlyStopping`` - keep the weights with the best validation score; stop after
  ``patience`` epochs without improvement (Lecture 7).
- ``Checkpoint`` - save the run every ``every`` steps and at each epoch end (resume with
  ``fit(..., resume=path)``).
- ``EMA`` - an exponential moving average of the weights (Polyak averaging, Lecture 7).
- ``MetricLogger`` - write the history as CSV (one row per epoch) and JSON (every step).
"""

import copy
import csv
import io
import json
import math

import torch

from cs231n_lab.pytorch import checkpoint as ckpt

__all__ = ["Callback", "EarlyStopping", "Checkpoint", "EMA", "MetricLogger"]


class Callback:
    """Base class: every hook does nothing. Override the ones you need."""

    def on_fit_start(self, state):
        pass

    def on_epoch_start(self, state):
        pass

    def on_step_end(self, state):
        pass

    def on_epoch_end(self, state, metrics):
        pass

    def on_fit_end(self, state):
        pass

    def state_dict(self):
        return {}

    def load_state_dict(self, d):
        pass


class EarlyStopping(Callback):
    """Keep the best weights by ``monitor`` (a key of the epoch metrics); stop when it stalls.

    mode: "max" (accuracy) or "min" (loss). patience: epochs without improvement before
    stopping (None = never stop, just keep the best). restore_best: load the best weights
    into the model at the end of fit. ``best``, ``best_epoch`` tell what was kept.
    """

    def __init__(self, monitor="val_acc", mode="max", patience=None, restore_best=True):
        if mode not in ("max", "min"):
            raise ValueError(f"EarlyStopping: mode must be 'max' or 'min', got {mode!r}")
        if patience is not None and (not isinstance(patience, int) or patience < 1):
            raise ValueError(f"EarlyStopping: patience must be an int >= 1 or None, got {patience!r}")
        self.monitor, self.mode, self.patience, self.restore_best = monitor, mode, patience, restore_best
        self.best, self.best_epoch, self.best_weights = None, None, None

    def _better(self, value):
        if self.best is None:
            return True
        return value > self.best if self.mode == "max" else value < self.best

    def on_epoch_end(self, state, metrics):
        if self.monitor not in metrics:
            raise ValueError(f"EarlyStopping: monitor={self.monitor!r} is not among the epoch metrics "
                             f"{sorted(metrics)} (did you pass val data to fit?)")
        value = metrics[self.monitor]
        if self._better(value):
            self.best, self.best_epoch = value, metrics["epoch"]
            self.best_weights = {k: v.detach().clone() for k, v in ckpt.unwrap(state.model).state_dict().items()}
        elif self.patience is not None and metrics["epoch"] - self.best_epoch >= self.patience:
            state.stop = True

    def on_fit_end(self, state):
        if self.restore_best and self.best_weights is not None:
            ckpt.unwrap(state.model).load_state_dict(self.best_weights)

    def state_dict(self):
        return {"best": self.best, "best_epoch": self.best_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, d):
        self.best, self.best_epoch, self.best_weights = d["best"], d["best_epoch"], d["best_weights"]


class Checkpoint(Callback):
    """Save the whole run to ``path`` every ``every`` steps (None = only at epoch ends).

    The previous checkpoint is kept as ``path.prev`` (see ``checkpoint.save``). Put this
    callback *last* in the list, so that the others have finished their epoch-end work
    when their state is saved.
    """

    def __init__(self, path, every=None):
        if every is not None and (not isinstance(every, int) or every < 1):
            raise ValueError(f"Checkpoint: every must be an int >= 1 or None, got {every!r}")
        self.path, self.every = path, every

    def on_step_end(self, state):
        # the last step of an epoch is saved by on_epoch_end, after evaluation
        if self.every is not None and state.step % self.every == 0 and state.batch < state.steps_per_epoch:
            ckpt.save(self.path, state)

    def on_epoch_end(self, state, metrics):
        ckpt.save(self.path, state)


class EMA(Callback):
    """Exponential moving average of the weights: w_ema <- decay * w_ema + (1 - decay) * w.

    Updated after every step; ``model`` holds the averaged copy (buffers such as batch-norm
    running averages are copied, not averaged). Adds ``ema_val_acc``/``ema_val_loss`` to
    the epoch metrics when fit has validation data. The first steps use
    min(decay, (1 + t) / (10 + t)) so early weights do not dominate.
    """

    def __init__(self, decay=0.999):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"EMA: decay must be in (0, 1), got {decay!r}")
        self.decay, self.model, self.updates, self._resumed = decay, None, 0, None

    def on_fit_start(self, state):
        if self.model is None:
            self.model = copy.deepcopy(ckpt.unwrap(state.model)).eval()
            for p in self.model.parameters():
                p.requires_grad_(False)
        if self._resumed is not None:  # fit(resume=...) restored our state before this hook
            self.model.load_state_dict(self._resumed)
            self._resumed = None

    @torch.no_grad()
    def on_step_end(self, state):
        self.updates += 1
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        src = ckpt.unwrap(state.model)
        for p_ema, p in zip(self.model.parameters(), src.parameters()):
            p_ema.lerp_(p.detach(), 1.0 - d)
        for b_ema, b in zip(self.model.buffers(), src.buffers()):
            b_ema.copy_(b)

    def on_epoch_end(self, state, metrics):
        for k, v in state.evaluate(self.model).items():
            metrics[f"ema_val_{k}"] = v

    def state_dict(self):
        return {"updates": self.updates, "weights": None if self.model is None else self.model.state_dict()}

    def load_state_dict(self, d):
        self.updates, self._resumed = d["updates"], d["weights"]


class MetricLogger(Callback):
    """Write the history after every epoch: ``csv_path`` (one row per epoch) and/or ``json_path``.

    The JSON file holds the full history (per-step loss and lr, per-epoch metrics) and is
    what ``cs231n_lab.viz.training.plot_history`` reads. Files are rewritten atomically from
    the history each epoch, so a resumed run continues them correctly.
    """

    def __init__(self, csv_path=None, json_path=None):
        if csv_path is None and json_path is None:
            raise ValueError("MetricLogger: give csv_path and/or json_path")
        self.csv_path, self.json_path = csv_path, json_path

    def on_epoch_end(self, state, metrics):
        history = state.history
        if self.csv_path is not None:
            rows = history["epochs"]
            keys = list(dict.fromkeys(k for row in rows for k in row))
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=keys)
            writer.writeheader()
            writer.writerows(rows)
            ckpt.atomic_write_bytes(self.csv_path, out.getvalue().encode())
        if self.json_path is not None:
            clean = {k: [None if isinstance(v, float) and not math.isfinite(v) else v for v in history[k]]
                     for k in ("loss", "lr")}
            clean["epochs"] = history["epochs"]
            ckpt.atomic_write_bytes(self.json_path, json.dumps(clean).encode())
