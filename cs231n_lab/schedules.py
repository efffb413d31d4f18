"""Tier B - learning-rate schedules (Lecture 7).

**A schedule is any callable ``step:int -> lr:float``.** The factories below return such
callables; the NumPy ``Solver`` (``lr_schedule=``) and the torch loop (``schedule=``) call
one once per optimisation step, starting at step 0. Because a schedule is just a
function, schedules compose: ``warmup(cosine(0.1, 1000), 100)`` warms up linearly for
100 steps and then runs the cosine over the next 1000.

Each factory matches a ``torch.optim.lr_scheduler`` class step for step (tests/
test_schedules.py): constant (ConstantLR with factor 1), step_decay (StepLR),
exponential (ExponentialLR), cosine (CosineAnnealingLR), linear (LinearLR),
inverse_time and inverse_sqrt (LambdaLR), warmup (SequentialLR with a LinearLR first),
cyclic_cosine (CosineAnnealingWarmRestarts) and one_cycle (OneCycleLR).
"""

import math
import numbers

__all__ = ["constant", "step_decay", "exponential", "inverse_time", "cosine", "linear", "inverse_sqrt",
           "warmup", "cyclic_cosine", "one_cycle", "evaluate"]


def _number(name, value, low=0.0, low_inclusive=True, high=None):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite real number, got {value!r}")
    if (value < low) if low_inclusive else (value <= low):
        raise ValueError(f"{name} must be {'>=' if low_inclusive else '>'} {low}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}")
    return float(value)


def _count(name, value, low=1):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value!r}")
    return int(value)


def _schedule(fn, description):
    """Wrap ``fn(step) -> lr`` so that a bad step raises a clear error; keep a readable repr."""
    def schedule(step):
        return float(fn(_count("step", step, low=0)))
    schedule.__name__ = schedule.__qualname__ = description
    schedule.description = description
    return schedule


def constant(lr):
    """lr_t = lr."""
    lr = _number("lr", lr)
    return _schedule(lambda t: lr, f"constant({lr:g})")


def step_decay(base_lr, step_size, gamma=0.1):
    """Drop by gamma every step_size steps:  lr_t = base_lr * gamma ** (t // step_size)."""
    base_lr, gamma = _number("base_lr", base_lr), _number("gamma", gamma)
    step_size = _count("step_size", step_size)
    return _schedule(lambda t: base_lr * gamma ** (t // step_size),
                     f"step_decay({base_lr:g}, step_size={step_size}, gamma={gamma:g})")


def exponential(base_lr, gamma):
    """lr_t = base_lr * gamma ** t."""
    base_lr, gamma = _number("base_lr", base_lr), _number("gamma", gamma)
    return _schedule(lambda t: base_lr * gamma ** t, f"exponential({base_lr:g}, gamma={gamma:g})")


def inverse_time(base_lr, decay_rate):
    """The '1/t' schedule:  lr_t = base_lr / (1 + decay_rate * t)."""
    base_lr, k = _number("base_lr", base_lr), _number("decay_rate", decay_rate)
    return _schedule(lambda t: base_lr / (1.0 + k * t), f"inverse_time({base_lr:g}, decay_rate={k:g})")


def cosine(base_lr, total_steps, min_lr=0.0):
    """Cosine annealing:  lr_t = min_lr + (base_lr - min_lr) * (1 + cos(pi * t / T)) / 2, T = total_steps.

    After T steps it stays at min_lr (torch's CosineAnnealingLR would rise again: it is
    one half of a cosine *period* 2T; use cyclic_cosine for restarts).
    """
    base_lr, min_lr = _number("base_lr", base_lr), _number("min_lr", min_lr)
    T = _count("total_steps", total_steps)
    return _schedule(lambda t: min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * min(t, T) / T)) / 2,
                     f"cosine({base_lr:g}, total_steps={T}, min_lr={min_lr:g})")


def linear(base_lr, total_steps, end_lr=0.0):
    """Linear decay from base_lr to end_lr over total_steps, then constant:
    lr_t = base_lr + (end_lr - base_lr) * min(t, T) / T."""
    base_lr, end_lr = _number("base_lr", base_lr), _number("end_lr", end_lr)
    T = _count("total_steps", total_steps)
    return _schedule(lambda t: base_lr + (end_lr - base_lr) * min(t, T) / T,
                     f"linear({base_lr:g}, total_steps={T}, end_lr={end_lr:g})")


def inverse_sqrt(base_lr, offset=1):
    """Inverse square root (the Transformer's decay):  lr_t = base_lr * sqrt(offset / (t + offset))."""
    base_lr = _number("base_lr", base_lr)
    offset = _count("offset", offset)
    return _schedule(lambda t: base_lr * math.sqrt(offset / (t + offset)),
                     f"inverse_sqrt({base_lr:g}, offset={offset})")


def warmup(schedule, warmup_steps, start_factor=0.0):
    """Linear warmup in front of any schedule:

        t <  W:  lr_t = schedule(0) * (start_factor + (1 - start_factor) * t / W)
        t >= W:  lr_t = schedule(t - W)        (the wrapped schedule starts after the warmup)

    Matches torch's SequentialLR([LinearLR(start_factor, 1.0, W), main], milestones=[W]).
    """
    if not callable(schedule):
        raise TypeError(f"schedule must be a callable step -> lr, got {type(schedule).__name__}")
    W = _count("warmup_steps", warmup_steps, low=0)
    s0 = _number("start_factor", start_factor, high=1.0)

    def fn(t):
        if t >= W:
            return schedule(t - W)
        return schedule(0) * (s0 + (1.0 - s0) * t / W)
    inner = getattr(schedule, "description", getattr(schedule, "__name__", "schedule"))
    return _schedule(fn, f"warmup({inner}, warmup_steps={W}, start_factor={s0:g})")


def cyclic_cosine(base_lr, cycle_steps, cycle_mult=1, min_lr=0.0):
    """Cosine annealing with warm restarts (SGDR), the schedule behind snapshot ensembles.

    Cycle i lasts T_i = cycle_steps * cycle_mult**i steps; inside a cycle at position c,
    lr = min_lr + (base_lr - min_lr) * (1 + cos(pi * c / T_i)) / 2, then it jumps back to
    base_lr. Take a snapshot of the model at the end of every cycle (lowest lr).
    """
    base_lr, min_lr = _number("base_lr", base_lr), _number("min_lr", min_lr)
    T0 = _count("cycle_steps", cycle_steps)
    mult = _count("cycle_mult", cycle_mult)

    def fn(t):
        c, T = t, T0
        while c >= T:      # walk through the finished cycles
            c -= T
            T *= mult
        return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * c / T)) / 2
    return _schedule(fn, f"cyclic_cosine({base_lr:g}, cycle_steps={T0}, cycle_mult={mult}, min_lr={min_lr:g})")


def one_cycle(max_lr, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4):
    """One-cycle policy (Smith): cosine up from max_lr/div_factor to max_lr over the first
    pct_start of the steps, then cosine down to max_lr/(div_factor*final_div_factor).

    Phase boundaries as torch's OneCycleLR(anneal_strategy='cos', three_phase=False): the
    peak is at step pct_start*T - 1, the end at step T - 1. torch also cycles the momentum
    inversely; this is only the learning rate (use cycle_momentum=False to compare).
    """
    max_lr = _number("max_lr", max_lr)
    T = _count("total_steps", total_steps, low=2)
    pct = _number("pct_start", pct_start, low=0.0, low_inclusive=False, high=1.0)
    div = _number("div_factor", div_factor, low=0.0, low_inclusive=False)
    final = _number("final_div_factor", final_div_factor, low=0.0, low_inclusive=False)
    start_lr, end_lr = max_lr / div, max_lr / div / final
    peak = pct * T - 1.0
    if peak <= 0 or peak >= T - 1:
        raise ValueError(f"pct_start * total_steps must leave room for both phases, got "
                         f"pct_start={pct_start!r}, total_steps={T}")

    def anneal(a, b, frac):
        return b + (a - b) * (1 + math.cos(math.pi * frac)) / 2

    def fn(t):
        if t <= peak:
            return anneal(start_lr, max_lr, t / peak)
        return anneal(max_lr, end_lr, min(1.0, (t - peak) / (T - 1 - peak)))
    return _schedule(fn, f"one_cycle({max_lr:g}, total_steps={T}, pct_start={pct:g})")


def evaluate(schedule, steps):
    """[schedule(0), ..., schedule(steps - 1)] as a list of floats (for plots and tests)."""
    if not callable(schedule):
        raise TypeError(f"schedule must be a callable step -> lr, got {type(schedule).__name__}")
    return [float(schedule(t)) for t in range(_count("steps", steps, low=0))]
