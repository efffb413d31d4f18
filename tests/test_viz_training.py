"""Training curves (compute_* / plot_*) and the learning-rate widget of the torch loop."""

import json

import matplotlib
import numpy as np
import pytest
import torch

from cs231n_lab.pytorch.callbacks import MetricLogger
from cs231n_lab.pytorch.data import DeviceData
from cs231n_lab.pytorch.loop import fit
from cs231n_lab.pytorch.models import ConvNet
from cs231n_lab.viz.training import compute_curves, load_history, plot_history, smooth

matplotlib.use("Agg")


def tiny(n=40, seed=0):
    g = np.random.default_rng(seed)
    return g.normal(size=(n, 1, 8, 8)).astype(np.float32), g.integers(0, 3, n)


def test_smooth_is_a_trailing_moving_average():
    v = [1.0, 3.0, 5.0, 7.0]
    np.testing.assert_allclose(smooth(v, window=2), [1.0, 2.0, 4.0, 6.0])
    assert smooth([], 5).size == 0


def test_compute_curves_reads_fit_history_and_logger_files(tmp_path):
    X, y = tiny()
    torch.manual_seed(0)
    model = ConvNet(1, 3, widths=(4,))
    logger = MetricLogger(tmp_path / "h.csv", tmp_path / "h.json")
    h = fit(model, DeviceData(X, y, 10), DeviceData(X, y, 40, shuffle=False),
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1), epochs=2, schedule=lambda t: 0.1 / (1 + t),
            callbacks=[logger], progress=False)
    c = compute_curves(h, window=3)
    assert c["step"].tolist() == list(range(8)) and c["lr"][3] == pytest.approx(0.025)
    np.testing.assert_allclose(c["loss_smooth"][2], np.mean(h["loss"][:3]))
    assert c["epoch"].tolist() == [1, 2] and c["val_acc"][1] == h["epochs"][1]["val_acc"]
    from_json = compute_curves(tmp_path / "h.json")
    np.testing.assert_allclose(from_json["loss"], c["loss"])
    from_csv = load_history(tmp_path / "h.csv")
    assert [e["val_acc"] for e in from_csv["epochs"]] == pytest.approx([e["val_acc"] for e in h["epochs"]])
    fig = plot_history(h, runs={"other": tmp_path / "h.json"})
    assert len(fig.axes) == 3 and len(fig.axes[0].lines) == 4
    with pytest.raises(ValueError, match=".json or .csv"):
        load_history(tmp_path / "h.txt")
    with pytest.raises(TypeError, match="history"):
        compute_curves([1, 2, 3])


def test_nan_losses_from_json_are_read_back_as_nan(tmp_path):
    path = tmp_path / "h.json"
    path.write_text(json.dumps({"loss": [1.0, None], "lr": [0.1, 0.1], "epochs": []}))
    assert np.isnan(load_history(path)["loss"][1])


def test_lr_widget_trains_runs_and_reports_divergence():
    from cs231n_lab.widgets.training import make_lr_widget

    X, y = tiny()
    box = make_lr_widget(lambda: ConvNet(1, 3, widths=(4,), batchnorm=False), DeviceData(X, y, 10),
                         DeviceData(X, y, 40, shuffle=False), epochs=1, every=2)
    runs = box.train(0.01)
    assert list(runs) == ["lr=1.0e-02"] and len(runs["lr=1.0e-02"]["loss"]) == 4
    box.train(1e9)
    assert "lr=1.0e+09 (diverged)" in box.runs
    assert "diverged at step" in box.children[0].children[-1].value
