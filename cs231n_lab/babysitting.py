"""Tier B - babysitting the learning process (Lecture 6): the checks to run before and while training.

1. Initial loss: with small random weights a softmax classifier is guessing uniformly, so the
   loss should be log(C) (2.303 for 10 classes); adding regularisation makes it go up.
2. Overfit a tiny subset (~20 examples, no regularisation): the net must reach 100%
   training accuracy, or something is broken.
3. While training: the ratio ||update|| / ||W|| should be around 1e-3 per step - much
   lower and the learning rate is too low, much higher and it is too high.
4. Abort a hyperparameter trial early when the loss exceeds 3x its initial value (or is NaN).
5. Read the loss curve: barely moving -> learning rate too low; exploding -> too high;
   flat then suddenly dropping -> bad initialisation; big train/val gap -> overfitting;
   no gap -> increase model capacity.
"""

import numpy as np

__all__ = ["initial_loss_check", "overfit_small_subset", "update_weight_ratios", "loss_exploded",
           "dead_relu_fraction", "diagnose_loss_curve"]


def initial_loss_check(model, X, y):
    """The loss of a freshly initialised model against log(C).

    Returns dict(loss, expected=log C, ratio=loss / log C); ratio ~1 is healthy.
    """
    loss, _ = model.loss(X, y)
    C = model.loss(X[:1]).shape[1]
    return {"loss": float(loss), "expected": float(np.log(C)), "ratio": float(loss / np.log(C))}


def overfit_small_subset(model, data, num_examples=20, **solver_kwargs):
    """Train on the first ``num_examples`` training examples only (validated on the same ones).

    Returns the Solver after training; ``solver.train_acc_history[-1]`` should be 1.0.
    """
    from cs231n_lab.solver import Solver  # the solver imports this module for loss_exploded

    small = {"X_train": data["X_train"][:num_examples], "y_train": data["y_train"][:num_examples],
             "X_val": data["X_train"][:num_examples], "y_val": data["y_train"][:num_examples]}
    solver = Solver(model, small, **{"verbose": False, **solver_kwargs})
    solver.train()
    return solver


def update_weight_ratios(solver, num_steps):
    """Take ``num_steps`` solver steps, recording ||W_new - W_old|| / ||W_old|| for every weight.

    Returns dict name -> array (num_steps,) of ratios (biases and norm parameters are skipped:
    they start at 0 or 1 and their ratio says little). The lecture's rule: about 1e-3.
    """
    if not isinstance(num_steps, (int, np.integer)) or num_steps < 1:
        raise ValueError(f"update_weight_ratios: num_steps must be a positive integer, got {num_steps!r}")
    names = [k for k in solver.model.params if k.startswith("W")]
    ratios = {k: [] for k in names}
    for _ in range(num_steps):
        before = {k: solver.model.params[k].copy() for k in names}
        solver._step()
        for k in names:
            norm = np.linalg.norm(before[k])
            ratios[k].append(np.linalg.norm(solver.model.params[k] - before[k]) / norm if norm else np.inf)
    return {k: np.array(v) for k, v in ratios.items()}


def loss_exploded(loss, initial_loss, factor=3.0):
    """True when loss is NaN/inf or above factor * initial_loss (the lecture's abort rule)."""
    return not np.isfinite(loss) or loss > factor * initial_loss


def dead_relu_fraction(model, X):
    """Fraction of units in each hidden layer that output 0 for *every* example of X.

    model: needs ``hidden_activations(X)`` (FullyConnectedNet has it). Returns a list of floats.
    A dead unit gets no gradient from any of these examples, so training cannot revive it.
    """
    return [float(np.mean(np.all(h <= 0, axis=0))) for h in model.hidden_activations(X)]


def diagnose_loss_curve(loss_history, train_acc_history=None, val_acc_history=None,
                        explode_factor=3.0, flat_tol=0.05, gap_tol=0.15):
    """Name the lecture's patterns in a training run.

    loss_history: per-iteration losses.  *_acc_history: per-epoch accuracies (optional).
    Returns a dict:
      learning_rate: "too high" (loss NaN or > explode_factor x initial, or it ends more than
          flat_tol above where it started), "too low" (the smoothed loss fell by less than flat_tol of its start),
          or "good";
      bad_init_plateau: True when the first fifth of the run is flat and the loss then drops;
      gap: "overfitting" (train - val > gap_tol), "no gap: increase capacity" (< 0.02), "ok",
          or None without accuracies;
      messages: one sentence per finding.
    """
    losses = np.asarray(loss_history, dtype=np.float64)
    if losses.ndim != 1 or losses.size < 5:
        raise ValueError(f"diagnose_loss_curve: need a 1-D loss history of at least 5 values, got shape {losses.shape}")
    first = losses[0]
    k = max(1, losses.size // 10)  # smooth the noisy minibatch losses over a tenth of the run
    start = float(np.mean(losses[:k]))
    end = float(np.mean(losses[-k:])) if np.all(np.isfinite(losses[-k:])) else np.inf
    messages = []
    if not np.all(np.isfinite(losses)) or np.any(losses > explode_factor * first) or end > (1 + flat_tol) * start:
        lr = "too high"
        messages.append("The loss explodes (NaN or far above its start): the learning rate is too high.")
    elif (start - end) < flat_tol * start:
        lr = "too low"
        messages.append("The loss barely moves: the learning rate is too low.")
    else:
        lr = "good"
        messages.append("The loss falls steadily: the learning rate looks good.")

    fifth = max(2, losses.size // 5)
    early_drop = start - float(np.mean(losses[fifth - k:fifth]))
    plateau = bool(lr == "good" and early_drop < flat_tol * (start - end))
    if plateau:
        messages.append("Flat at first, then a sudden drop: a sign of bad initialisation.")

    gap = None
    if train_acc_history is not None and val_acc_history is not None and len(train_acc_history):
        diff = float(train_acc_history[-1] - val_acc_history[-1])
        if diff > gap_tol:
            gap = "overfitting"
            messages.append(f"Training accuracy is {diff:.0%} above validation: overfitting - "
                            "increase regularisation or get more data.")
        elif diff < 0.02:
            gap = "no gap: increase capacity"
            messages.append("No gap between training and validation accuracy: increase model capacity?")
        else:
            gap = "ok"
    return {"learning_rate": lr, "bad_init_plateau": plateau, "gap": gap, "messages": messages}
