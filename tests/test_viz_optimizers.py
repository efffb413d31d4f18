"""The optimizer race and schedule plotter: numbers tested without a browser, figures drawn headless.

The lecture's observations must show at the widget's default slider values; these tests
pin them on the numbers the figures are drawn from.
"""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from cs231n_lab import optim, schedules  # noqa: E402
from cs231n_lab.loss_surfaces import get_surface  # noqa: E402
from cs231n_lab.viz import optimizers as vo  # noqa: E402


@pytest.fixture(scope="module")
def taco():
    return vo.compute_race("taco_shell")


@pytest.fixture(scope="module")
def saddle():
    return vo.compute_race("saddle")


def test_race_paths_are_the_update_rules(taco):
    surf = get_surface("taco_shell")
    d = vo.RACE_DEFAULTS["taco_shell"]
    w, config = surf.start.copy(), {"learning_rate": d["lr_momentum"], "momentum": d["momentum"]}
    for t in range(d["steps"]):
        w, config = optim.sgd_momentum(w, surf.gradient(w), config)
    np.testing.assert_allclose(taco["runs"]["SGD+Momentum"]["path"][-1], w, rtol=1e-12)
    for r in taco["runs"].values():
        assert r["path"].shape == (d["steps"] + 1, 2)
        np.testing.assert_allclose(r["losses"], surf.value(r["path"]))


def test_defaults_show_sgd_zigzag_and_momentum_overshoot(taco):
    obs = vo.race_observations(taco)
    assert obs["sgd_zigzag"] >= 0.9, "SGD's step across the valley flips sign almost every step"
    assert obs["momentum_overshoot"] > 0.5 and obs["momentum_came_back"]
    # SGD crawls along the shallow direction: the momentum methods arrive first
    arrive = obs["arrival_step"]
    assert arrive["SGD+Momentum"] < arrive["SGD"] and arrive["Nesterov"] < arrive["SGD"]


def test_defaults_show_adagrad_shrinking_and_adam_first_step(taco):
    obs = vo.race_observations(taco)
    assert obs["adagrad_step_shrink"] < 0.1
    assert obs["arrival_step"]["AdaGrad"] is None, "AdaGrad stalls before reaching the minimum"
    assert obs["adam_first_step_ratio"] == pytest.approx(0.1 / np.sqrt(0.001), rel=1e-3)
    assert obs["final_gap"]["RMSProp"] < obs["final_gap"]["AdaGrad"] / 100


def test_defaults_show_sgd_stalling_at_the_saddle(saddle):
    obs = vo.race_observations(saddle)
    assert obs["final_gap"]["SGD"] > 0.2, "SGD still sits near the saddle (f = 0, gap 0.25)"
    assert abs(saddle["runs"]["SGD"]["path"][-1, 1]) < 0.1
    assert obs["final_gap"]["SGD+Momentum"] < 1e-2 and obs["final_gap"]["Nesterov"] < 1e-2


def test_local_minimum_traps_sgd_but_not_momentum():
    obs = vo.race_observations(vo.compute_race("local_minimum"))
    assert obs["arrival_step"]["SGD"] is None and obs["arrival_step"]["SGD+Momentum"] is not None


def test_noise_is_shared_seeded_and_changes_the_paths():
    a = vo.compute_race("taco_shell", noise=0.5, seed=1, steps=20)
    b = vo.compute_race("taco_shell", noise=0.5, seed=1, steps=20)
    c = vo.compute_race("taco_shell", noise=0.5, seed=2, steps=20)
    clean = vo.compute_race("taco_shell", steps=20)
    np.testing.assert_array_equal(a["runs"]["SGD"]["path"], b["runs"]["SGD"]["path"])
    assert not np.allclose(a["runs"]["SGD"]["path"], c["runs"]["SGD"]["path"])
    assert not np.allclose(a["runs"]["SGD"]["path"], clean["runs"]["SGD"]["path"])
    # every racer sees the same first noisy gradient
    g0 = -(a["runs"]["SGD"]["path"][1] - a["runs"]["SGD"]["path"][0]) / a["settings"]["lr_sgd"]
    g0_mom = -(a["runs"]["SGD+Momentum"]["path"][1] - a["start"]) / a["settings"]["lr_momentum"]
    np.testing.assert_allclose(g0, g0_mom, rtol=1e-10)


def test_divergence_is_reported_not_plotted_as_garbage():
    race = vo.compute_race("taco_shell", lr_sgd=3.0, steps=200, racers=["SGD"])
    r = race["runs"]["SGD"]
    assert r["diverged_at"] is not None
    assert np.isnan(r["path"][-1]).all() and np.isfinite(r["path"][0]).all()


def test_bad_race_settings():
    with pytest.raises(ValueError, match="unknown setting"):
        vo.compute_race("taco_shell", lr=0.1)
    with pytest.raises(ValueError, match="unknown surface"):
        vo.compute_race("bowl")
    with pytest.raises(ValueError, match="racer"):
        vo.compute_race("saddle", racers=["LBFGS"])
    with pytest.raises(ValueError, match="beta2"):
        vo.compute_race("saddle", beta2=1.0)


def test_plot_race_draws_every_racer(taco):
    fig = vo.plot_race(taco)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    for name in taco["runs"]:
        assert name in labels
    assert len(fig.axes) == 3
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("kind", vo.SCHEDULE_KINDS)
def test_make_schedule_kinds_with_and_without_warmup(kind):
    s = vo.make_schedule(kind, base_lr=0.2, total_steps=400, warmup_steps=0, gamma=0.5)
    w = vo.make_schedule(kind, base_lr=0.2, total_steps=400, warmup_steps=40, gamma=0.5)
    assert s(0) == pytest.approx(0.2) or kind == "one_cycle"
    assert w(0) == 0.0 and w(20) == pytest.approx(0.5 * w(40))
    curve = vo.compute_schedule(w, 400)
    assert curve["lr"].shape == (400,) and np.all(curve["lr"] >= 0)
    assert curve["description"].startswith("warmup(")


def test_make_schedule_matches_the_factories():
    np.testing.assert_allclose(schedules.evaluate(vo.make_schedule("cosine", 0.1, 500, 50), 500),
                               schedules.evaluate(schedules.warmup(schedules.cosine(0.1, 450), 50), 500))
    with pytest.raises(ValueError, match="unknown schedule"):
        vo.make_schedule("sawtooth")


def test_plot_schedules():
    curves = [vo.compute_schedule(vo.make_schedule(k, 0.1, 300, 30), 300) for k in ("cosine", "step")]
    fig = vo.plot_schedules(curves, log=True)
    assert len(fig.axes[0].get_lines()) == 2
    matplotlib.pyplot.close(fig)


def test_widgets_build_and_react():
    pytest.importorskip("ipywidgets")
    from cs231n_lab.widgets.optimizers import make_race_widget, make_schedule_widget
    w = make_race_widget("saddle")
    assert w.result["surface"] == "saddle"
    controls = w.children[0]
    surf_dropdown = controls.children[0].children[0]
    surf_dropdown.value = "taco_shell"
    assert w.result["surface"] == "taco_shell"
    assert w.result["settings"] == vo.RACE_DEFAULTS["taco_shell"]
    lr_slider = controls.children[1].children[0]
    lr_slider.value = 0.5
    assert w.result["settings"]["lr_sgd"] == pytest.approx(0.5, rel=0.01)
    s = make_schedule_widget()
    assert len(s.result) == 3
