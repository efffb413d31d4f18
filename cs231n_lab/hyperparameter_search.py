"""Tier B - hyperparameter search (Lecture 6): random and grid search, coarse -> fine.

Learning rate and regularisation act multiplicatively, so they are sampled in log space:
``lr = 10 ** uniform(-6, -1)``. The lecture's recipe:
1. coarse: a few epochs per trial over wide ranges (abort trials whose loss explodes);
2. fine: narrow the ranges around the best trials and train longer.
Random search beats grid search when one hyperparameter matters much more than another:
a 3x3 grid tries only 3 values of the important one, 9 random trials try 9.

A search ``space`` maps a name to ``(low, high, "log")`` or ``(low, high, "linear")``; a
``train_fn(**params) -> dict`` (with at least the metric, e.g. "val_acc") runs one trial.
"""

import numpy as np

__all__ = ["sample_space", "random_search", "grid_search", "refine_space", "results_table",
           "train_trial", "grid_vs_random"]


def _check_space(space):
    if not isinstance(space, dict) or not space:
        raise ValueError(f"space must be a non-empty dict name -> (low, high, 'log'|'linear'), got {space!r}")
    for name, spec in space.items():
        if not (isinstance(spec, tuple) and len(spec) == 3 and spec[2] in ("log", "linear")):
            raise ValueError(f"space[{name!r}] must be (low, high, 'log' or 'linear'), got {spec!r}")
        low, high, scale = spec
        if not low < high or (scale == "log" and low <= 0):
            raise ValueError(f"space[{name!r}]: need low < high (and low > 0 for 'log'), got {spec!r}")


def sample_space(space, num_samples, rng=None):
    """Draw num_samples points: log-uniform for "log" entries, uniform for "linear" ones.

    Returns a list of dicts name -> value.
    """
    _check_space(space)
    rng = np.random.default_rng(rng)
    columns = {}
    for name, (low, high, scale) in space.items():
        if scale == "log":
            columns[name] = 10 ** rng.uniform(np.log10(low), np.log10(high), size=num_samples)
        else:
            columns[name] = rng.uniform(low, high, size=num_samples)
    return [{name: float(columns[name][i]) for name in space} for i in range(num_samples)]


def _run(train_fn, points, verbose):
    results = []
    for i, params in enumerate(points):
        outcome = train_fn(**params)
        if not isinstance(outcome, dict):
            raise TypeError(f"train_fn must return a dict of metrics, got {type(outcome).__name__}")
        results.append({**params, **outcome})
        if verbose:
            print(f"trial {i + 1}/{len(points)}: " + ", ".join(f"{k}={v:.3g}" for k, v in results[-1].items()
                                                              if isinstance(v, (int, float))))
    return results


def random_search(train_fn, space, num_trials, rng=None, verbose=False):
    """Run train_fn at num_trials random points of space; returns a list of result dicts
    (the sampled parameters merged with what train_fn returned)."""
    return _run(train_fn, sample_space(space, num_trials, rng), verbose)


def grid_search(train_fn, grid, verbose=False):
    """Run train_fn at every combination of grid (dict name -> list of values)."""
    if not isinstance(grid, dict) or not grid or not all(len(v) for v in grid.values()):
        raise ValueError(f"grid must be a non-empty dict name -> non-empty list of values, got {grid!r}")
    names = list(grid)
    mesh = np.meshgrid(*[np.asarray(grid[n], dtype=np.float64) for n in names], indexing="ij")
    points = [{n: float(m.flat[i]) for n, m in zip(names, mesh)} for i in range(mesh[0].size)]
    return _run(train_fn, points, verbose)


def refine_space(results, space, metric="val_acc", top_k=3, margin=2.0):
    """Coarse -> fine: a new space spanning the top_k results (by metric), widened by margin
    (a factor for "log" entries, a fraction of the span for "linear" ones) and clipped to space."""
    _check_space(space)
    good = [r for r in results if np.isfinite(r.get(metric, np.nan))]
    if not good:
        raise ValueError(f"refine_space: no result has a finite {metric!r}")
    best = sorted(good, key=lambda r: r[metric], reverse=True)[:top_k]
    new = {}
    for name, (low, high, scale) in space.items():
        values = [r[name] for r in best]
        if scale == "log":
            lo, hi = min(values) / margin, max(values) * margin
        else:
            pad = (margin - 1) * (max(values) - min(values) or (high - low) * 0.1)
            lo, hi = min(values) - pad, max(values) + pad
        new[name] = (max(lo, low), min(hi, high), scale)
    return new


def results_table(results, metric="val_acc", columns=None, top=10):
    """The best ``top`` results as a text table, best first."""
    if not results:
        return "(no results)"
    columns = columns or [k for k, v in results[0].items() if isinstance(v, (int, float, np.floating))]
    rows = sorted(results, key=lambda r: -r.get(metric, -np.inf) if np.isfinite(r.get(metric, np.nan)) else np.inf)
    lines = ["  ".join(f"{c:>12}" for c in columns)]
    for r in rows[:top]:
        lines.append("  ".join(f"{r[c]:>12.3g}" if isinstance(r[c], float) else f"{r[c]!s:>12}" for c in columns))
    return "\n".join(lines)


def train_trial(data, learning_rate, reg, hidden_dims=(100,), num_epochs=1, batch_size=100,
                update_rule="sgd", weight_scale=1e-2, num_train=None, abort_factor=3.0, seed=0, **kwargs):
    """Train a FullyConnectedNet with one learning rate and regularisation strength.

    data: a dict with X_train, y_train, X_val, y_val; num_train uses only the first examples.
    seed fixes the weights (via rng) and the minibatch order. Extra kwargs go to the model
    (e.g. normalization="batchnorm"). Returns dict(val_acc, train_acc, final_loss, aborted,
    solver) - the solver keeps the full histories.
    """
    from cs231n_lab.models import FullyConnectedNet
    from cs231n_lab.solver import Solver

    n = data["X_train"].shape[0] if num_train is None else num_train
    subset = {"X_train": data["X_train"][:n], "y_train": data["y_train"][:n],
              "X_val": data["X_val"], "y_val": data["y_val"]}
    D = int(np.prod(data["X_train"].shape[1:]))
    C = int(max(data["y_train"].max(), data["y_val"].max())) + 1
    model = FullyConnectedNet(list(hidden_dims), input_dim=D, num_classes=C, reg=reg, weight_scale=weight_scale,
                              rng=seed, **kwargs)
    solver = Solver(model, subset, update_rule=update_rule, optim_config={"learning_rate": learning_rate},
                    num_epochs=num_epochs, batch_size=min(batch_size, n), abort_factor=abort_factor,
                    verbose=False, rng=seed)
    solver.train()
    return {"val_acc": solver.val_acc_history[-1] if solver.val_acc_history and not solver.aborted else 0.0,
            "train_acc": solver.train_acc_history[-1] if solver.train_acc_history and not solver.aborted else 0.0,
            "final_loss": solver.loss_history[-1], "aborted": solver.aborted, "solver": solver}


def grid_vs_random(num_trials=9, rng=0, resolution=200):
    """The lecture's illustration: f(x, y) = g(x) + h(y) on [0, 1]^2 with an important
    parameter x (g has a narrow peak) and an unimportant y (h is nearly flat).

    Returns a dict with the curves (x, g(x), y, h(y)), the grid points and random points
    (each (num_trials, 2)), the best g(x) each found, and how many distinct x values each tried.
    """
    side = int(round(np.sqrt(num_trials)))
    if side * side != num_trials:
        raise ValueError(f"grid_vs_random: num_trials must be a perfect square (a square grid), got {num_trials}")

    def g(x):
        return np.exp(-0.5 * ((x - 0.62) / 0.06) ** 2)  # important: a narrow peak

    def h(y):
        return 0.05 * np.sin(2 * np.pi * y)  # unimportant: barely matters

    ticks = (np.arange(side) + 0.5) / side
    grid = np.array([(x, y) for x in ticks for y in ticks])
    random = np.random.default_rng(rng).uniform(size=(num_trials, 2))
    x = np.linspace(0, 1, resolution)
    return {"x": x, "g": g(x), "y": x, "h": h(x), "grid": grid, "random": random,
            "grid_best": float(np.max(g(grid[:, 0]))), "random_best": float(np.max(g(random[:, 0]))),
            "grid_distinct_x": int(np.unique(grid[:, 0]).size), "random_distinct_x": int(np.unique(random[:, 0]).size)}
