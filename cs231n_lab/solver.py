"""Tier B - the NumPy ``Solver``: minibatch training of any model with the ``loss(X, y=None)``
contract (Lectures 6-7), with CS231n's constructor and attributes.

    solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95, batch_size=100, num_epochs=10, print_every=100)
    solver.train()
    solver.loss_history, solver.train_acc_history, solver.val_acc_history

``data`` holds ``X_train, y_train, X_val, y_val`` (more keys, e.g. ``X_test``, are ignored).
Each iteration samples a minibatch, computes loss and gradients with ``model.loss(X, y)``
and updates every parameter with the update rule; each parameter keeps its own copy of
``optim_config`` because the rule stores its state (velocity, moments) there. At the end of
every epoch the solver measures training and validation accuracy and remembers the
parameters with the best validation accuracy; ``train()`` leaves those in ``model.params``.

Keyword arguments (unknown ones raise ValueError naming them):
- ``update_rule``: a name from ``cs231n_lab.optim`` ("sgd", "adam", ...) or a callable
  ``rule(w, dw, config) -> (next_w, config)``.   ``optim_config``: dict for the rule.
- ``lr_decay``: multiply the learning rate by this after every epoch (CS231n).
- ``lr_schedule``: instead of lr_decay, any callable ``step -> lr`` (cs231n_lab.schedules),
  called once per iteration starting at step 0.
- ``batch_size``, ``num_epochs``; ``num_train_samples`` (1000) and ``num_val_samples`` (all):
  how many examples the accuracy checks use.
- ``patience``: early stopping - stop after this many epochs without a better validation
  accuracy (None: never).  ``abort_factor``: stop the run when the loss exceeds this many
  times its first value or is not finite (the lecture's babysitting rule uses 3); the
  solver then sets ``aborted = True`` instead of raising.
- ``checkpoint_name``: write ``{name}_epoch_{e}.pkl`` after every epoch, atomically.
- ``print_every``, ``verbose``: progress lines and a progress bar (tqdm.auto; a widget in
  Jupyter); ``verbose=False`` is silent.
- ``rng``: a numpy Generator or seed for the minibatch and accuracy sampling; by default
  NumPy's global random state, as in CS231n.
"""

import os
import pickle
import tempfile

import numpy as np

from cs231n_lab import optim
from cs231n_lab.babysitting import loss_exploded

__all__ = ["Solver", "load_checkpoint", "accuracy"]

_DEFAULTS = {
    "update_rule": "sgd", "optim_config": None, "lr_decay": 1.0, "batch_size": 100, "num_epochs": 10,
    "num_train_samples": 1000, "num_val_samples": None, "checkpoint_name": None, "print_every": 10,
    "verbose": True, "lr_schedule": None, "patience": None, "abort_factor": None, "rng": None,
}


def _positive_int(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"Solver: {name} must be a positive integer{' or None' if allow_none else ''}, got {value!r}")
    return int(value)


def _lookup_rule(update_rule):
    if callable(update_rule):
        return update_rule
    rules = [name for name in optim.__all__ if name != "check_config"]
    if update_rule not in rules:
        raise ValueError(f"Solver: update_rule must be a callable or one of {rules}, got {update_rule!r}")
    return getattr(optim, update_rule)


def accuracy(model, X, y, batch_size=500):
    """Fraction of X that model.loss(X) (test mode: scores) classifies as y, batch_size at a time."""
    y_pred = [np.argmax(model.loss(X[i:i + batch_size]), axis=1) for i in range(0, X.shape[0], batch_size)]
    return float(np.mean(np.concatenate(y_pred) == y))


class Solver:
    """Trains ``model`` on ``data``; see the module docstring for the keyword arguments."""

    def __init__(self, model, data, **kwargs):
        unknown = sorted(set(kwargs) - set(_DEFAULTS))
        if unknown:
            raise ValueError(f"Solver: unknown keyword argument(s) {unknown}; expected some of {sorted(_DEFAULTS)}")
        missing = [k for k in ("X_train", "y_train", "X_val", "y_val") if k not in data]
        if missing:
            raise ValueError(f"Solver: data is missing {missing}; it needs X_train, y_train, X_val, y_val")
        if not hasattr(model, "loss") or not isinstance(getattr(model, "params", None), dict):
            raise TypeError("Solver: model must have a params dict and a loss(X, y=None) method")
        self.model = model
        self.X_train, self.y_train = np.asarray(data["X_train"]), np.asarray(data["y_train"])
        self.X_val, self.y_val = np.asarray(data["X_val"]), np.asarray(data["y_val"])
        for split, X, y in (("train", self.X_train, self.y_train), ("val", self.X_val, self.y_val)):
            if X.shape[:1] != y.shape or X.shape[0] == 0:
                raise ValueError(f"Solver: X_{split} has {X.shape[:1]} examples but y_{split} has shape {y.shape}")

        o = {**_DEFAULTS, **kwargs}
        self.update_rule = _lookup_rule(o["update_rule"])
        self.optim_config = {} if o["optim_config"] is None else dict(o["optim_config"])
        if not np.isfinite(o["lr_decay"]) or o["lr_decay"] <= 0:
            raise ValueError(f"Solver: lr_decay must be a positive number, got {o['lr_decay']!r}")
        if o["lr_schedule"] is not None and not callable(o["lr_schedule"]):
            raise TypeError(f"Solver: lr_schedule must be a callable step -> lr, got {type(o['lr_schedule']).__name__}")
        if o["lr_schedule"] is not None and o["lr_decay"] != 1.0:
            raise ValueError("Solver: pass either lr_schedule or lr_decay, not both "
                             f"(got lr_decay={o['lr_decay']!r} with a schedule)")
        if o["abort_factor"] is not None and not o["abort_factor"] > 1:
            raise ValueError(f"Solver: abort_factor must be > 1 or None, got {o['abort_factor']!r}")
        self.lr_decay, self.lr_schedule = o["lr_decay"], o["lr_schedule"]
        self.batch_size = _positive_int("batch_size", o["batch_size"])
        self.num_epochs = _positive_int("num_epochs", o["num_epochs"])
        self.num_train_samples = _positive_int("num_train_samples", o["num_train_samples"], allow_none=True)
        self.num_val_samples = _positive_int("num_val_samples", o["num_val_samples"], allow_none=True)
        self.print_every = _positive_int("print_every", o["print_every"])
        self.patience = _positive_int("patience", o["patience"], allow_none=True)
        self.abort_factor = o["abort_factor"]
        self.checkpoint_name, self.verbose = o["checkpoint_name"], bool(o["verbose"])
        self._rng = np.random if o["rng"] is None else np.random.default_rng(o["rng"])
        self._reset()

    def _reset(self):
        """Book-keeping: histories, best parameters, and one optim config per parameter."""
        self.epoch = 0
        self.t = 0  # optimisation steps taken; the argument of lr_schedule
        self.best_val_acc = -1.0
        self.best_params = {}
        self.loss_history, self.train_acc_history, self.val_acc_history, self.lr_history = [], [], [], []
        self.aborted = self.stopped_early = False
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}

    def _step(self):
        """One gradient update on a random minibatch (called by train(); babysitting calls it too)."""
        num_train = self.X_train.shape[0]
        batch_mask = self._rng.choice(num_train, self.batch_size)
        loss, grads = self.model.loss(self.X_train[batch_mask], self.y_train[batch_mask])
        self.loss_history.append(float(loss))
        if self.abort_factor is not None and loss_exploded(loss, self.loss_history[0], self.abort_factor):
            self.aborted = True  # babysitting: the loss blew up, this run is hopeless
            return
        if self.lr_schedule is not None:
            lr = float(self.lr_schedule(self.t))
            for config in self.optim_configs.values():
                config["learning_rate"] = lr
        for p, w in self.model.params.items():
            next_w, self.optim_configs[p] = self.update_rule(w, grads[p], self.optim_configs[p])
            self.model.params[p] = next_w
        self.lr_history.append(next(iter(self.optim_configs.values())).get("learning_rate"))
        self.t += 1

    def _save_checkpoint(self):
        if self.checkpoint_name is None:
            return None
        checkpoint = {
            "model": self.model, "update_rule": getattr(self.update_rule, "__name__", repr(self.update_rule)),
            "lr_decay": self.lr_decay, "optim_config": self.optim_config, "batch_size": self.batch_size,
            "num_train_samples": self.num_train_samples, "num_val_samples": self.num_val_samples,
            "epoch": self.epoch, "loss_history": self.loss_history, "train_acc_history": self.train_acc_history,
            "val_acc_history": self.val_acc_history, "best_val_acc": self.best_val_acc,
            "best_params": self.best_params,
        }
        filename = f"{self.checkpoint_name}_epoch_{self.epoch}.pkl"
        folder = os.path.dirname(os.path.abspath(filename))
        fd, tmp = tempfile.mkstemp(suffix=".pkl.tmp", dir=folder)
        try:  # temp file in the same folder, then an atomic rename: never half a checkpoint
            with os.fdopen(fd, "wb") as f:
                pickle.dump(checkpoint, f)
            os.replace(tmp, filename)
        except BaseException:
            os.unlink(tmp)
            raise
        if self.verbose:
            print(f'Saving checkpoint to "{filename}"')
        return filename

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of examples whose highest score is the true label.

        X: (N, ...) inputs, y: (N,) labels.  num_samples: evaluate a random subset of this size
        (None: all N).  batch_size: examples per forward pass (keeps memory small).
        """
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = self._rng.choice(N, num_samples)
            X, y = X[mask], y[mask]
            N = num_samples
        return accuracy(self.model, X, y, batch_size)

    def train(self):
        """Run the optimisation; leaves the best-validation parameters in model.params."""
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        bar = None
        if self.verbose:
            from tqdm.auto import tqdm  # imported here: the NumPy tier imports nothing beyond numpy
            bar = tqdm(total=num_iterations, desc="training", leave=False)
        say = bar.write if bar is not None else print
        epochs_without_improvement = 0

        for t in range(num_iterations):
            self._step()
            if bar is not None:
                bar.update(1)
            if self.aborted:
                if self.verbose:
                    say(f"(Iteration {t + 1}) loss {self.loss_history[-1]:.3g} > {self.abort_factor} x initial "
                        f"{self.loss_history[0]:.3g}: aborting")
                break
            if self.verbose and t % self.print_every == 0:
                say(f"(Iteration {t + 1} / {num_iterations}) loss: {self.loss_history[-1]:f}")

            epoch_end = (t + 1) % iterations_per_epoch == 0
            if epoch_end:
                self.epoch += 1
                if self.lr_schedule is None:
                    for config in self.optim_configs.values():
                        config["learning_rate"] = config.get("learning_rate", 1e-2) * self.lr_decay

            if t == 0 or t == num_iterations - 1 or epoch_end:
                train_acc = self.check_accuracy(self.X_train, self.y_train, num_samples=self.num_train_samples)
                val_acc = self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)
                self.train_acc_history.append(train_acc)
                self.val_acc_history.append(val_acc)
                if self.verbose:
                    say(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}")
                if val_acc > self.best_val_acc:
                    self.best_val_acc = val_acc
                    self.best_params = {k: v.copy() for k, v in self.model.params.items()}
                    epochs_without_improvement = 0
                elif epoch_end:
                    epochs_without_improvement += 1
                self._save_checkpoint()
                if self.patience is not None and epochs_without_improvement >= self.patience:
                    self.stopped_early = True
                    if self.verbose:
                        say(f"No better validation accuracy for {self.patience} epochs: stopping early")
                    break

        if bar is not None:
            bar.close()
        if self.best_params:  # keep the parameters that did best on the validation set
            self.model.params = self.best_params


def load_checkpoint(filename):
    """Read a checkpoint written by the Solver (a pickle: only open files you trust)."""
    with open(filename, "rb") as f:
        return pickle.load(f)
