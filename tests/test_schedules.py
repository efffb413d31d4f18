"""Learning-rate schedules (cs231n_lab.schedules) against torch.optim.lr_scheduler, step by step."""

import math

import numpy as np
import pytest

from cs231n_lab import schedules

torch = pytest.importorskip("torch")
lrs = torch.optim.lr_scheduler


def torch_lrs(base_lr, make_scheduler, steps):
    """The learning rate torch's optimizer uses at steps 0..steps-1."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_scheduler(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


def check(ours, base_lr, make_scheduler, steps, rtol=1e-10):
    values = np.array(schedules.evaluate(ours, steps))
    expected = torch_lrs(base_lr, make_scheduler, steps)
    np.testing.assert_allclose(values, expected, rtol=rtol, atol=1e-14)
    assert values.max() > values.min() or "constant" in ours.description


def test_constant():
    check(schedules.constant(0.1), 0.1, lambda o: lrs.ConstantLR(o, factor=1.0, total_iters=0), 50)


def test_step_decay():
    check(schedules.step_decay(0.1, 30, gamma=0.5), 0.1, lambda o: lrs.StepLR(o, step_size=30, gamma=0.5), 200)


def test_exponential():
    check(schedules.exponential(0.2, 0.97), 0.2, lambda o: lrs.ExponentialLR(o, gamma=0.97), 300)


def test_inverse_time():
    check(schedules.inverse_time(0.3, 0.05), 0.3, lambda o: lrs.LambdaLR(o, lambda t: 1 / (1 + 0.05 * t)), 300)


@pytest.mark.parametrize("min_lr", [0.0, 1e-3])
def test_cosine(min_lr):
    T = 250
    check(schedules.cosine(0.1, T, min_lr=min_lr), 0.1,
          lambda o: lrs.CosineAnnealingLR(o, T_max=T, eta_min=min_lr), T + 1, rtol=1e-9)
    # documented difference: after T ours stays at min_lr
    assert schedules.cosine(0.1, T, min_lr=min_lr)(T + 50) == pytest.approx(min_lr)


def test_linear():
    T = 120
    check(schedules.linear(0.1, T, end_lr=0.01), 0.1,
          lambda o: lrs.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=T), 300)


def test_inverse_sqrt():
    check(schedules.inverse_sqrt(0.5, offset=10), 0.5,
          lambda o: lrs.LambdaLR(o, lambda t: math.sqrt(10 / (t + 10))), 400)


@pytest.mark.parametrize("inner", ["cosine", "step"])
def test_warmup_composes_with_any_schedule(inner):
    W, T = 40, 200
    if inner == "cosine":
        ours_inner = schedules.cosine(0.1, T)
        make_inner = lambda o: lrs.CosineAnnealingLR(o, T_max=T)  # noqa: E731
    else:
        ours_inner = schedules.step_decay(0.1, 50, gamma=0.3)
        make_inner = lambda o: lrs.StepLR(o, step_size=50, gamma=0.3)  # noqa: E731

    def make(o):
        first = lrs.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=W)
        return lrs.SequentialLR(o, [first, make_inner(o)], milestones=[W])
    check(schedules.warmup(ours_inner, W, start_factor=0.1), 0.1, make, W + T, rtol=1e-9)


def test_warmup_from_zero_and_of_a_plain_function():
    s = schedules.warmup(lambda t: 0.5, 10)
    assert s(0) == 0.0 and s(5) == pytest.approx(0.25) and s(10) == 0.5 and s(99) == 0.5


@pytest.mark.parametrize("mult", [1, 2])
def test_cyclic_cosine(mult):
    check(schedules.cyclic_cosine(0.1, 25, cycle_mult=mult, min_lr=1e-4), 0.1,
          lambda o: lrs.CosineAnnealingWarmRestarts(o, T_0=25, T_mult=mult, eta_min=1e-4), 400)


@pytest.mark.parametrize("pct", [0.3, 0.25])
def test_one_cycle(pct):
    T = 300
    check(schedules.one_cycle(0.4, T, pct_start=pct, div_factor=20, final_div_factor=100), 0.4,
          lambda o: lrs.OneCycleLR(o, max_lr=0.4, total_steps=T, pct_start=pct, div_factor=20,
                                   final_div_factor=100, cycle_momentum=False), T)


@pytest.mark.parametrize("factory,args,match", [
    (schedules.cosine, (0.1, 0), "total_steps"),
    (schedules.cosine, (-0.1, 10), "base_lr"),
    (schedules.step_decay, (0.1, 2.5), "step_size"),
    (schedules.exponential, (0.1, float("nan")), "gamma"),
    (schedules.warmup, (0.1, 10), "schedule"),
    (schedules.warmup, (schedules.constant(0.1), 10, 1.5), "start_factor"),
    (schedules.one_cycle, (0.1, 10, 0.05), "pct_start"),
])
def test_bad_arguments_raise(factory, args, match):
    with pytest.raises((ValueError, TypeError), match=match):
        factory(*args)


def test_bad_step_raises():
    s = schedules.cosine(0.1, 10)
    with pytest.raises(ValueError, match="step"):
        s(-1)
    with pytest.raises(TypeError, match="step"):
        s(1.5)
    assert s(np.int64(3)) == s(3)


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=20, deadline=None)
@given(T=st.integers(1, 60), base=st.floats(1e-4, 1.0), min_frac=st.floats(0.0, 0.9),
       warm=st.integers(1, 30), start=st.floats(0.01, 1.0))
def test_warmup_cosine_matches_torch_for_any_lengths(T, base, min_frac, warm, start):
    ours = schedules.warmup(schedules.cosine(base, T, min_lr=min_frac * base), warm, start_factor=start)

    def make(o):
        return lrs.SequentialLR(o, [lrs.LinearLR(o, start_factor=start, end_factor=1.0, total_iters=warm),
                                    lrs.CosineAnnealingLR(o, T_max=T, eta_min=min_frac * base)], milestones=[warm])
    values = np.array(schedules.evaluate(ours, warm + T + 1))
    np.testing.assert_allclose(values, torch_lrs(base, make, warm + T + 1), rtol=1e-9, atol=1e-12)
