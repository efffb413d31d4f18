"""Tier D - the Lecture 7 widgets: the optimizer race and the schedule plotter (wiring only)."""

import ipywidgets as widgets

from cs231n_lab.viz.optimizers import (RACE_DEFAULTS, RACERS, SCHEDULE_KINDS, compute_race, compute_schedule,
                                       make_schedule, plot_race, plot_schedules)
from cs231n_lab.widgets.common import show_figure

__all__ = ["make_race_widget", "make_schedule_widget"]

_DEFAULT_RACERS = [n for n in RACERS if n != "Adadelta"]


def _log_slider(value, description, lo=-4, hi=1):
    return widgets.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=0.05, description=description,
                                  readout_format=".2g", continuous_update=False,
                                  style={"description_width": "110px"})


def make_race_widget(surface="taco_shell", racers=None):
    """Choose a surface and the racers; sliders for the three learning rates (log scale),
    momentum/beta1, beta2, the RMSProp/Adadelta decay, gradient noise and steps. Every
    optimizer's path is drawn on one contour plot, with loss and step length vs step.
    Changing the surface resets the sliders to that surface's defaults (RACE_DEFAULTS)."""
    d = RACE_DEFAULTS[surface]
    surf = widgets.Dropdown(options=list(RACE_DEFAULTS), value=surface, description="surface")
    who = widgets.SelectMultiple(options=list(RACERS), value=tuple(racers or _DEFAULT_RACERS),
                                 description="optimizers", rows=len(RACERS))
    style = {"description_width": "110px"}
    sliders = {
        "lr_sgd": _log_slider(d["lr_sgd"], "lr SGD"),
        "lr_momentum": _log_slider(d["lr_momentum"], "lr momentum"),
        "lr_adaptive": _log_slider(d["lr_adaptive"], "lr adaptive"),
        "momentum": widgets.FloatSlider(value=d["momentum"], min=0.0, max=0.99, step=0.01,
                                        description="momentum / beta1", style=style, continuous_update=False),
        "beta2": widgets.FloatSlider(value=d["beta2"], min=0.9, max=0.9999, step=0.0001, readout_format=".4f",
                                     description="beta2 (Adam)", style=style, continuous_update=False),
        "decay": widgets.FloatSlider(value=d["decay"], min=0.5, max=0.999, step=0.001, readout_format=".3f",
                                     description="decay (RMSProp)", style=style, continuous_update=False),
        "noise": widgets.FloatSlider(value=d["noise"], min=0.0, max=2.0, step=0.05, description="gradient noise",
                                     style=style, continuous_update=False),
        "steps": widgets.IntSlider(value=d["steps"], min=5, max=500, step=5, description="steps", style=style,
                                   continuous_update=False),
    }
    out = widgets.Output()
    controls = widgets.HBox([widgets.VBox([surf, who]), widgets.VBox(list(sliders.values())[:4]),
                             widgets.VBox(list(sliders.values())[4:])])
    box = widgets.VBox([controls, out])
    state = {"resetting": False}

    def redraw(_=None):
        if state["resetting"]:
            return
        race = compute_race(surf.value, racers=list(who.value) or _DEFAULT_RACERS,
                            **{k: s.value for k, s in sliders.items()})
        box.result = race  # the numbers behind the figure
        show_figure(out, plot_race(race))

    def reset(_=None):
        state["resetting"] = True
        for k, s in sliders.items():
            s.value = RACE_DEFAULTS[surf.value][k]
        state["resetting"] = False
        redraw()

    surf.observe(reset, names="value")
    who.observe(redraw, names="value")
    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    return box


def make_schedule_widget(kind="cosine", compare=("constant", "step")):
    """Pick a schedule kind, base learning rate, total steps, linear warmup steps and gamma;
    the chosen schedule (with warmup) is drawn over the ``compare`` kinds (same settings)."""
    style = {"description_width": "110px"}
    pick = widgets.Dropdown(options=list(SCHEDULE_KINDS), value=kind, description="schedule")
    others = widgets.SelectMultiple(options=list(SCHEDULE_KINDS), value=tuple(compare), description="compare with",
                                    rows=5, style=style)
    base = _log_slider(0.1, "base lr", lo=-4, hi=0)
    total = widgets.IntSlider(value=1000, min=50, max=5000, step=50, description="total steps", style=style,
                              continuous_update=False)
    warm = widgets.IntSlider(value=100, min=0, max=1000, step=10, description="warmup steps", style=style,
                             continuous_update=False)
    gamma = widgets.FloatSlider(value=0.1, min=0.01, max=0.9, step=0.01, description="gamma", style=style,
                                continuous_update=False)
    log = widgets.Checkbox(value=False, description="log scale")
    out = widgets.Output()
    box = widgets.VBox([widgets.HBox([widgets.VBox([pick, others]), widgets.VBox([base, total, warm, gamma, log])]),
                        out])

    def redraw(_=None):
        kinds = [pick.value] + [k for k in others.value if k != pick.value]
        curves = [compute_schedule(make_schedule(k, base.value, total.value, warm.value, gamma.value), total.value)
                  for k in kinds]
        box.result = curves
        show_figure(out, plot_schedules(curves, log=log.value))

    for w in (pick, others, base, total, warm, gamma, log):
        w.observe(redraw, names="value")
    redraw()
    return box
