"""Tier D - assignment A2 (Lectures 6-7): batch normalisation, dropout and update rules.

Graded items: batchnorm_forward, batchnorm_backward, dropout_forward, dropout_backward,
sgd_momentum, rmsprop, adam. Dropout is random by design, so its training-mode cases are
judged on properties - the kept fraction is about p, kept units are scaled by 1/p, the
backward pass multiplies by the *same* mask the forward drew - rather than on one mask.
Update rules are run for several steps, feeding each step's config into the next.
"""

import numpy as np

from cs231n_lab.gradcheck import rel_error
from cs231n_lab.grading.compare import compare_arrays
from cs231n_lab.grading.spec import Assignment, Item
from cs231n_lab.grading.spec import make_cases as cases

__all__ = ["ASSIGNMENT"]


# ---- drivers (student's process) -------------------------------------------------------------

def drive_batchnorm_forward(f, x, gamma, beta, bn_param):
    out, _ = f.batchnorm_forward(x, gamma, beta, bn_param)
    return {"out": out, "running_mean": bn_param["running_mean"], "running_var": bn_param["running_var"]}


def drive_batchnorm_backward(f, x, gamma, beta, bn_param, dout):
    _, cache = f.batchnorm_forward(x, gamma, beta, bn_param)
    dx, dgamma, dbeta = f.batchnorm_backward(dout, cache)
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def drive_dropout_forward(f, x, dropout_param):
    out, _ = f.dropout_forward(x, dropout_param)
    return {"out": out}


def drive_dropout_backward(f, x, dropout_param, dout):
    out, cache = f.dropout_forward(x, dropout_param)
    return {"out": out, "dx": f.dropout_backward(dout, cache)}


def drive_sgd_momentum(f, w, dws, config):
    for dw in dws:
        w, config = f.sgd_momentum(w, dw, config)
    return {"next_w": w, "velocity": config["velocity"]}


def drive_rmsprop(f, w, dws, config):
    for dw in dws:
        w, config = f.rmsprop(w, dw, config)
    return {"next_w": w, "cache": config["cache"]}


def drive_adam(f, w, dws, config):
    for dw in dws:
        w, config = f.adam(w, dw, config)
    return {"next_w": w, "m": config["m"], "v": config["v"]}


# ---- judges for dropout (grader side) ----------------------------------------------------------

def judge_dropout_forward(inputs, got, expected, reveal):
    x, p, out = inputs["x"], inputs["dropout_param"]["p"], got["out"]
    if inputs["dropout_param"]["mode"] == "test":
        return {"out": compare_arrays("out", out, expected["out"], 1e-9, reveal)}
    kept = out != 0
    frac = float(kept.mean())
    if abs(frac - p) > 0.012:  # x has 5*10^4 entries: the kept fraction's std is at most 0.0023
        return {"out": (False, f"out: {frac:.3f} of units kept, expected about p = {p}" if reveal
                        else "out: the fraction of kept units is not about p")}
    err = rel_error(out[kept], x[kept] / p)
    ok = err <= 1e-9
    return {"out": (ok, "out: kept units are x / p" if ok else
                    (f"out: kept units are not x / p (relative error {err:.1e}); inverted dropout scales by 1/p"
                     if reveal else "out: kept units are not scaled by 1/p"))}


def judge_dropout_backward(inputs, got, expected, reveal):
    mask = got["out"] / inputs["x"]  # the mask the student's forward drew (x has no zeros)
    err = rel_error(got["dx"], inputs["dout"] * mask)
    ok = err <= 1e-9
    return {"dx": (ok, "dx: dout times the forward's mask" if ok else
                   (f"dx: not dout times the mask your forward used (relative error {err:.1e})" if reveal
                    else "dx: not dout times the mask your forward used"))}


# ---- input generators ------------------------------------------------------------------------

def bn_inputs(N, D, mode, momentum=0.9, offset=0.0):
    def make(rng):
        return {"x": offset + 3.0 * rng.standard_normal((N, D)) + 1.0, "gamma": rng.standard_normal(D),
                "beta": rng.standard_normal(D), "dout": rng.standard_normal((N, D)),
                "bn_param": {"mode": mode, "eps": 1e-5, "momentum": momentum,
                             "running_mean": rng.standard_normal(D), "running_var": rng.random(D) + 0.5}}
    return make


def only(make, *keys):
    return lambda rng: {k: v for k, v in make(rng).items() if k in keys}


def dropout_inputs(p, mode, shape=(200, 250)):
    def make(rng):
        x = rng.standard_normal(shape)
        x[x == 0] = 1.0  # no exact zeros: a zero in out then means "dropped"
        return {"x": x, "dout": rng.standard_normal(shape),
                "dropout_param": {"p": p, "mode": mode, "seed": int(rng.integers(1000))}}
    return make


def optim_inputs(shape, steps, config, state=()):
    def make(rng):
        cfg = dict(config)
        for key in state:
            cfg[key] = rng.random(shape) if key != "velocity" else rng.standard_normal(shape)
        return {"w": rng.standard_normal(shape), "dws": [rng.standard_normal(shape) for _ in range(steps)],
                "config": cfg}
    return make


BN_PUBLIC = [bn_inputs(4, 5, "train"), bn_inputs(6, 3, "test")]
BN_HIDDEN = [bn_inputs(2, 7, "train", momentum=0.5), bn_inputs(50, 4, "train", offset=100.0),
             bn_inputs(5, 6, "test", momentum=0.1)]
MOMENTUM, RMS = {"learning_rate": 1e-2, "momentum": 0.9}, {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8}
ADAM = {"learning_rate": 1e-2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}

ITEMS = [
    Item("batchnorm_forward", 15, drive_batchnorm_forward,
         cases([only(m, "x", "gamma", "beta", "bn_param") for m in BN_PUBLIC],
               [only(m, "x", "gamma", "beta", "bn_param") for m in BN_HIDDEN], 2100),
         hint="train: normalise with the batch mean and (biased) variance over axis 0, update "
              "running = momentum * running + (1 - momentum) * batch stat; test: use the running stats"),
    Item("batchnorm_backward", 20, drive_batchnorm_backward,
         cases(BN_PUBLIC[:1] + [bn_inputs(8, 3, "train")], BN_HIDDEN[:2] + [bn_inputs(3, 9, "train")], 2200),
         hint="dbeta = sum(dout), dgamma = sum(dout * xhat); dx = (1/N) * inv_std * "
              "(N * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)) with dxhat = dout * gamma",
         uses=("batchnorm_forward",)),
    Item("dropout_forward", 10, drive_dropout_forward,
         cases([only(dropout_inputs(0.5, "train"), "x", "dropout_param"),
                only(dropout_inputs(0.5, "test", (3, 4)), "x", "dropout_param")],
               [only(dropout_inputs(0.3, "train"), "x", "dropout_param"),
                only(dropout_inputs(0.8, "train", (50, 1000)), "x", "dropout_param"),
                only(dropout_inputs(0.6, "test", (5, 2, 3)), "x", "dropout_param")], 2300),
         hint="p is the probability of KEEPING a unit: mask = (rand(*x.shape) < p) / p, out = x * mask; "
              "test mode returns x unchanged", judge=judge_dropout_forward),
    Item("dropout_backward", 10, drive_dropout_backward,
         cases([dropout_inputs(0.5, "train"), dropout_inputs(0.5, "test", (3, 4))],
               [dropout_inputs(0.3, "train"), dropout_inputs(0.8, "train", (50, 1000)),
                dropout_inputs(0.6, "test", (5, 2, 3))], 2400),
         hint="keep the mask in the cache: dx = dout * mask in training mode, dout in test mode",
         uses=("dropout_forward",), judge=judge_dropout_backward),
    Item("sgd_momentum", 15, drive_sgd_momentum,
         cases([optim_inputs((4, 5), 1, MOMENTUM, ("velocity",)), optim_inputs((3, 3), 3, MOMENTUM)],
               [optim_inputs((7,), 5, {"learning_rate": 0.1, "momentum": 0.99}),
                optim_inputs((2, 3, 4), 2, MOMENTUM, ("velocity",)), optim_inputs((1, 1), 10, MOMENTUM)], 2500),
         hint="v = momentum * v - learning_rate * dw; next_w = w + v; keep v in config['velocity'] "
              "(zeros the first time)"),
    Item("rmsprop", 15, drive_rmsprop,
         cases([optim_inputs((4, 5), 1, RMS, ("cache",)), optim_inputs((3, 3), 3, RMS)],
               [optim_inputs((7,), 5, dict(RMS, decay_rate=0.9)), optim_inputs((2, 3, 4), 2, RMS, ("cache",)),
                optim_inputs((1, 1), 10, dict(RMS, learning_rate=1e-3))], 2600),
         hint="cache = decay_rate * cache + (1 - decay_rate) * dw**2; next_w = w - learning_rate * dw / "
              "(sqrt(cache) + epsilon)"),
    Item("adam", 15, drive_adam,
         cases([optim_inputs((4, 5), 1, dict(ADAM, t=5), ("m", "v")), optim_inputs((3, 3), 3, dict(ADAM, t=0))],
               [optim_inputs((7,), 5, dict(ADAM, t=0, beta1=0.5)), optim_inputs((2, 3, 4), 2, dict(ADAM, t=3), ("m", "v")),
                optim_inputs((1, 1), 10, dict(ADAM, t=0, learning_rate=1e-3))], 2700),
         hint="t += 1 first; m and v are moving averages of dw and dw**2; divide by (1 - beta**t) for "
              "bias correction; next_w = w - learning_rate * mt / (sqrt(vt) + epsilon)"),
]

ASSIGNMENT = Assignment(
    name="A2", title="Batch normalisation, dropout and update rules", notebook="A2_training.ipynb",
    items=ITEMS,
    references={"batchnorm_forward": "cs231n_lab.layers:batchnorm_forward",
                "batchnorm_backward": "cs231n_lab.layers:batchnorm_backward",
                "dropout_forward": "cs231n_lab.layers:dropout_forward",
                "dropout_backward": "cs231n_lab.layers:dropout_backward",
                "sgd_momentum": "cs231n_lab.optim:sgd_momentum",
                "rmsprop": "cs231n_lab.optim:rmsprop",
                "adam": "cs231n_lab.optim:adam"},
)
