"""Callbacks: early stopping keeps the best weights, EMA follows its formula, the logger's files."""

import csv
import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from cs231n_lab.pytorch.callbacks import EMA, EarlyStopping, MetricLogger
from cs231n_lab.pytorch.data import DeviceData
from cs231n_lab.pytorch.loop import fit
from cs231n_lab.pytorch.models import ConvNet


def fake_state(model):
    return SimpleNamespace(model=model, stop=False)


def test_early_stopping_keeps_best_and_stops_after_patience():
    model = torch.nn.Linear(2, 1)
    es = EarlyStopping(monitor="val_acc", patience=2)
    state = fake_state(model)
    scores = [0.5, 0.7, 0.6, 0.65]
    for epoch, acc in enumerate(scores):
        with torch.no_grad():
            model.weight.fill_(epoch)
        es.on_epoch_end(state, {"epoch": epoch, "val_acc": acc})
        assert state.stop == (epoch == 3)
    assert es.best == 0.7 and es.best_epoch == 1
    es.on_fit_end(state)
    assert torch.all(model.weight == 1)  # the weights of the best epoch are back


def test_early_stopping_min_mode_and_errors():
    es = EarlyStopping(monitor="val_loss", mode="min", restore_best=False)
    state = fake_state(torch.nn.Linear(2, 1))
    for epoch, loss in enumerate([1.0, 0.5, 0.7]):
        es.on_epoch_end(state, {"epoch": epoch, "val_loss": loss})
    assert es.best == 0.5 and not state.stop
    with pytest.raises(ValueError, match="monitor='val_acc' is not among"):
        EarlyStopping().on_epoch_end(state, {"epoch": 0, "train_loss": 1.0})
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="biggest")
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)


def test_ema_follows_its_formula():
    model = torch.nn.Linear(3, 2)
    ema = EMA(decay=0.8)
    state = fake_state(model)
    ema.on_fit_start(state)
    expected = [p.detach().clone() for p in model.parameters()]
    g = torch.Generator().manual_seed(0)
    for t in range(1, 30):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn(p.shape, generator=g))
        ema.on_step_end(state)
        d = min(0.8, (1 + t) / (10 + t))
        expected = [d * e + (1 - d) * p.detach() for e, p in zip(expected, model.parameters())]
    for e, p in zip(expected, ema.model.parameters()):
        torch.testing.assert_close(p, e)
    with pytest.raises(ValueError, match="decay"):
        EMA(decay=1.0)


def test_metric_logger_writes_csv_and_json(tmp_path):
    g = np.random.default_rng(0)
    X, y = g.normal(size=(40, 1, 8, 8)).astype(np.float32), g.integers(0, 3, 40)
    torch.manual_seed(0)
    model = ConvNet(1, 3, widths=(4,))
    logger = MetricLogger(tmp_path / "m.csv", tmp_path / "m.json")
    h = fit(model, DeviceData(X, y, 10), DeviceData(X, y, 20, shuffle=False),
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1), epochs=3, callbacks=[logger], progress=False)
    rows = list(csv.DictReader(open(tmp_path / "m.csv")))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    assert [float(r["val_acc"]) for r in rows] == pytest.approx([e["val_acc"] for e in h["epochs"]])
    saved = json.loads((tmp_path / "m.json").read_text())
    assert saved["loss"] == pytest.approx(h["loss"]) and len(saved["epochs"]) == 3
    with pytest.raises(ValueError, match="csv_path"):
        MetricLogger()
