"""Tier D - the optimizer race and the schedule plotter (Lecture 7): numbers and figures.

``compute_race`` runs every update rule of ``cs231n_lab.optim`` from the same start on a
surface of ``cs231n_lab.loss_surfaces`` (with the same gradient noise for all) and returns
the paths, losses and step lengths; ``race_observations`` measures the lecture's
observations on that data; ``plot_race`` draws contour + trajectories, loss vs step and
step length vs step. ``compute_schedule`` / ``plot_schedules`` do the same for
learning-rate schedules. The widgets in ``widgets.optimizers`` only wire sliders to them.
"""

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.colors import LogNorm

from cs231n_lab import optim, schedules
from cs231n_lab.loss_surfaces import get_surface

__all__ = ["RACERS", "RACE_DEFAULTS", "compute_trajectory", "compute_race", "race_observations", "plot_race",
           "SCHEDULE_KINDS", "make_schedule", "compute_schedule", "plot_schedules"]

# name -> (rule, config keys taken from the race settings, plot colour)
RACERS = {
    "SGD": (optim.sgd, {"learning_rate": "lr_sgd"}, "tab:red"),
    "SGD+Momentum": (optim.sgd_momentum, {"learning_rate": "lr_momentum", "momentum": "momentum"}, "tab:blue"),
    "Nesterov": (optim.nesterov_momentum, {"learning_rate": "lr_momentum", "momentum": "momentum"}, "tab:cyan"),
    "AdaGrad": (optim.adagrad, {"learning_rate": "lr_adaptive"}, "tab:olive"),
    "RMSProp": (optim.rmsprop, {"learning_rate": "lr_adaptive", "decay_rate": "decay"}, "tab:purple"),
    "Adam": (optim.adam, {"learning_rate": "lr_adaptive", "beta1": "momentum", "beta2": "beta2"}, "tab:green"),
    "Adam (no bias corr.)": (optim.adam, {"learning_rate": "lr_adaptive", "beta1": "momentum",
                                          "beta2": "beta2", "bias_correction": False}, "tab:orange"),
    "Adadelta": (optim.adadelta, {"decay_rate": "decay"}, "tab:brown"),
}

# Per surface: the slider values at which the lecture's observations show (tests pin them).
RACE_DEFAULTS = {
    "taco_shell": dict(lr_sgd=1.8, lr_momentum=0.6, lr_adaptive=0.3, momentum=0.9, beta2=0.999, decay=0.99,
                       noise=0.0, steps=80),
    "saddle": dict(lr_sgd=0.05, lr_momentum=0.05, lr_adaptive=0.05, momentum=0.9, beta2=0.999, decay=0.99,
                   noise=0.0, steps=80),
    "local_minimum": dict(lr_sgd=0.05, lr_momentum=0.05, lr_adaptive=0.1, momentum=0.9, beta2=0.999, decay=0.99,
                          noise=0.0, steps=150),
    "rosenbrock": dict(lr_sgd=1e-3, lr_momentum=1e-3, lr_adaptive=0.05, momentum=0.9, beta2=0.999, decay=0.99,
                       noise=0.0, steps=300),
}
_DEFAULT_RACERS = [n for n in RACERS if n != "Adadelta"]


def compute_trajectory(rule, config, grad_fn, w0, steps, value_fn=None, schedule=None):
    """Run ``rule`` for ``steps`` steps from w0 with gradients from ``grad_fn(w)``; with a
    ``schedule`` (step -> lr), config["learning_rate"] is set from it before every step.

    Returns {"path": (steps + 1, D), "losses": (steps + 1,) or None, "step_sizes": (steps,),
    "diverged_at": step index or None}. If the gradient becomes NaN/inf (the rule raises)
    or w leaves +-1e6, the rest of the path is NaN.
    """
    w = np.array(w0, dtype=np.float64)
    path = np.full((steps + 1,) + w.shape, np.nan)
    path[0] = w
    diverged = None
    config = dict(config)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            if schedule is not None:
                config["learning_rate"] = schedule(t)
            try:
                w, config = rule(w, grad_fn(w), config)
            except FloatingPointError:
                diverged = t
                break
            if not np.all(np.abs(w) < 1e6):
                diverged = t
                break
            path[t + 1] = w
        losses = None if value_fn is None else value_fn(np.nan_to_num(path, nan=0.0))
    if losses is not None:
        losses = np.where(np.isnan(path).any(axis=-1), np.nan, losses)
    return {"path": path, "losses": losses, "step_sizes": np.linalg.norm(np.diff(path, axis=0), axis=-1),
            "diverged_at": diverged}


def compute_race(surface="taco_shell", racers=None, seed=0, start=None, **settings):
    """Race the update rules on ``surface`` (a name from loss_surfaces.SURFACES).

    settings (defaults from RACE_DEFAULTS[surface]): lr_sgd (SGD), lr_momentum (SGD+Momentum,
    Nesterov: their velocity adds up about 1/(1 - rho) steps, so they usually want a smaller
    rate than plain SGD), lr_adaptive (AdaGrad, RMSProp, Adam), momentum (also Adam's beta1), beta2 (Adam),
    decay (RMSProp's and Adadelta's decay rate), noise (std of the gradient noise, the same
    draws for every racer), steps. Returns {"surface", "settings", "grid": (X, Y, Z),
    "f_min", "runs": {name: compute_trajectory(...) + "colour"}}.
    """
    if surface not in RACE_DEFAULTS:
        raise ValueError(f"unknown surface {surface!r}; expected one of {sorted(RACE_DEFAULTS)}")
    unknown = sorted(set(settings) - set(RACE_DEFAULTS[surface]))
    if unknown:
        raise ValueError(f"compute_race: unknown setting(s) {unknown}; expected some of "
                         f"{sorted(RACE_DEFAULTS[surface])}")
    s = dict(RACE_DEFAULTS[surface], **settings)
    racers = _DEFAULT_RACERS if racers is None else list(racers)
    bad = [r for r in racers if r not in RACERS]
    if bad:
        raise ValueError(f"compute_race: unknown racer(s) {bad}; expected some of {list(RACERS)}")
    steps = int(s["steps"])
    if steps < 1:
        raise ValueError(f"compute_race: steps must be >= 1, got {s['steps']!r}")
    surf = get_surface(surface)
    w0 = surf.start if start is None else np.asarray(start, dtype=np.float64)
    runs = {}
    for name in racers:
        rule, keys, colour = RACERS[name]
        config = {k: (s[v] if isinstance(v, str) else v) for k, v in keys.items()}
        grad_fn = surf.gradient_fn(noise=float(s["noise"]), seed=seed)  # same noise for every racer
        runs[name] = dict(compute_trajectory(rule, config, grad_fn, w0, steps, surf.value), colour=colour)
    xs = np.linspace(*surf.xlim, 200)
    ys = np.linspace(*surf.ylim, 160)
    X, Y = np.meshgrid(xs, ys)
    Z = surf.value(np.stack([X, Y], axis=-1))
    return {"surface": surface, "description": surf.description, "settings": s, "grid": (X, Y, Z),
            "f_min": float(surf.value(surf.minimum)), "minimum": surf.minimum, "start": w0, "runs": runs}


def race_observations(race):
    """The lecture's observations, measured on a race (missing racers are skipped):

    sgd_zigzag: fraction of SGD's first 20 steps whose y-step flips sign;
    momentum_overshoot: how far SGD+Momentum went past the minimum in x (in x units) before
        coming back, and momentum_came_back: its final distance to the minimum < 10% of that;
    adagrad_step_shrink: AdaGrad's last step length / its largest;
    adam_first_step_ratio: Adam without / with bias correction, first step length;
    final_gap: f(w_T) - f_min for every racer;
    arrival_step: the first step with f(w_t) - f_min < 1e-2 for every racer (None: never).
    """
    runs, obs = race["runs"], {}
    if "SGD" in runs:
        dy = np.diff(runs["SGD"]["path"][:21, 1])
        obs["sgd_zigzag"] = float(np.mean(np.sign(dy[1:]) != np.sign(dy[:-1])))
    if "SGD+Momentum" in runs:
        p, m, s = runs["SGD+Momentum"]["path"], race["minimum"], race["start"]
        past = (p[:, 0] - m[0]) * np.sign(m[0] - s[0])  # > 0 once it is past the minimum
        obs["momentum_overshoot"] = float(np.nanmax(past))
        obs["momentum_came_back"] = bool(np.linalg.norm(p[-1] - m) < 0.1 * max(obs["momentum_overshoot"], 1e-12))
    if "AdaGrad" in runs:
        st = runs["AdaGrad"]["step_sizes"]
        obs["adagrad_step_shrink"] = float(st[-1] / np.nanmax(st))
    if "Adam" in runs and "Adam (no bias corr.)" in runs:
        obs["adam_first_step_ratio"] = float(runs["Adam (no bias corr.)"]["step_sizes"][0]
                                             / runs["Adam"]["step_sizes"][0])
    obs["final_gap"] = {n: float(r["losses"][-1] - race["f_min"]) for n, r in runs.items()}
    obs["arrival_step"] = {}
    for n, r in runs.items():
        hit = np.nonzero(r["losses"] - race["f_min"] < 1e-2)[0]
        obs["arrival_step"][n] = int(hit[0]) if hit.size else None
    return obs


def plot_race(race, figsize=(15, 4.6)):
    """Contour plot with every trajectory, loss gap f(w_t) - f_min vs step (log), step length vs step (log)."""
    fig, (ax, ax_loss, ax_step) = plt.subplots(1, 3, figsize=figsize, gridspec_kw={"width_ratios": [1.5, 1, 1]})
    X, Y, Z = race["grid"]
    levels = np.quantile(Z, np.linspace(0.0, 0.95, 25)) if race["surface"] != "rosenbrock" else \
        np.logspace(-1, 3.3, 20)
    ax.contour(X, Y, Z, levels=np.unique(levels), colors="0.75", linewidths=0.7)
    ax.plot(*race["minimum"][:2], marker="*", color="k", ms=12, ls="none", label="minimum")
    ax.plot(*race["start"][:2], marker="o", color="k", ms=6, ls="none")
    floor = 1e-12
    for name, r in race["runs"].items():
        p = r["path"]
        ax.plot(p[:, 0], p[:, 1], ".-", color=r["colour"], lw=1.2, ms=3, label=name, alpha=0.85)
        # a ring where each optimizer lands after its first step (Adam's bias-correction lesson)
        ax.plot(p[1, 0], p[1, 1], "o", ms=9, mfc="none", mew=1.8, color=r["colour"])
        steps = np.arange(len(p))
        ax_loss.plot(steps, np.maximum(r["losses"] - race["f_min"], floor), color=r["colour"], lw=1.4)
        ax_step.plot(steps[1:], np.maximum(r["step_sizes"], floor), color=r["colour"], lw=1.2)
    ax.set_xlim(*X[0, [0, -1]])
    ax.set_ylim(*Y[[0, -1], 0])
    ax.set_title(f"{race['surface']}: {race['description']}\n(rings: position after the first step)", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step")
    ax_loss.set_title("loss gap  f(w_t) - f(w*)", fontsize=9)
    ax_step.set_yscale("log")
    ax_step.set_xlabel("step")
    ax_step.set_title("step length  ||w_t - w_(t-1)||", fontsize=9)
    s = race["settings"]
    fig.suptitle(f"lr SGD {s['lr_sgd']:g}, lr momentum {s['lr_momentum']:g}, lr adaptive {s['lr_adaptive']:g}, momentum/beta1 "
                 f"{s['momentum']:g}, beta2 {s['beta2']:g}, decay {s['decay']:g}, noise {s['noise']:g}",
                 fontsize=9)
    fig.tight_layout()
    return fig


# ---- schedules ---------------------------------------------------------------------------
SCHEDULE_KINDS = ("constant", "step", "exponential", "1/t", "cosine", "linear", "inverse_sqrt",
                  "cyclic_cosine", "one_cycle")


def make_schedule(kind, base_lr=0.1, total_steps=1000, warmup_steps=0, gamma=0.1, cycles=4):
    """A schedule from plotter settings: ``kind`` from SCHEDULE_KINDS, then linear warmup
    over ``warmup_steps`` (0 = none). gamma is the step/exponential factor; step drops
    every total/4 steps, exponential reaches base_lr*gamma at total_steps, 1/t halves the
    rate after total/10 steps, inverse_sqrt uses offset total/100; cyclic_cosine restarts
    ``cycles`` times within total_steps."""
    T = int(total_steps)
    makers = {
        "constant": lambda: schedules.constant(base_lr),
        "step": lambda: schedules.step_decay(base_lr, max(1, T // 4), gamma),
        "exponential": lambda: schedules.exponential(base_lr, gamma ** (1.0 / T)),
        "1/t": lambda: schedules.inverse_time(base_lr, 10.0 / T),
        "cosine": lambda: schedules.cosine(base_lr, max(1, T - warmup_steps)),
        "linear": lambda: schedules.linear(base_lr, max(1, T - warmup_steps)),
        "inverse_sqrt": lambda: schedules.inverse_sqrt(base_lr, max(1, T // 100)),
        "cyclic_cosine": lambda: schedules.cyclic_cosine(base_lr, max(1, (T - warmup_steps) // cycles)),
        "one_cycle": lambda: schedules.one_cycle(base_lr, max(2, T - warmup_steps)),
    }
    if kind not in makers:
        raise ValueError(f"unknown schedule kind {kind!r}; expected one of {list(SCHEDULE_KINDS)}")
    s = makers[kind]()
    return schedules.warmup(s, int(warmup_steps)) if warmup_steps else s


def compute_schedule(schedule, steps):
    """{"steps": 0..steps-1, "lr": the values, "description"} for any schedule callable."""
    return {"steps": np.arange(steps), "lr": np.array(schedules.evaluate(schedule, steps)),
            "description": getattr(schedule, "description", getattr(schedule, "__name__", "schedule"))}


def plot_schedules(curves, log=False, ax=None, figsize=(8, 3.6)):
    """Overlay the learning-rate curves from compute_schedule; returns the Figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    for c in curves:
        ax.plot(c["steps"], c["lr"], lw=1.6, label=c["description"])
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
