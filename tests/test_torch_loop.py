"""The torch training loop: it learns, calls its hooks in order, follows the schedule, stops on NaN."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from cs231n_lab.pytorch.callbacks import Callback
from cs231n_lab.pytorch.data import DeviceData, LoaderData, make_loader
from cs231n_lab.pytorch.loop import TrainingDiverged, evaluate, fit
from cs231n_lab.pytorch.models import ConvNet

from conftest import requires_gpu


def tiny_data(n=64, classes=4, seed=0):
    g = np.random.default_rng(seed)
    X = g.normal(size=(n, 1, 8, 8)).astype(np.float32)
    y = g.integers(0, classes, size=n)
    return X, y


def small_model(classes=4, seed=0, batchnorm=True):
    torch.manual_seed(seed)
    return ConvNet(in_channels=1, num_classes=classes, widths=(8, 16), batchnorm=batchnorm)


class Recorder(Callback):
    def __init__(self):
        self.calls = []

    def on_fit_start(self, state):
        self.calls.append(("fit_start",))

    def on_epoch_start(self, state):
        self.calls.append(("epoch_start", state.epoch))

    def on_step_end(self, state):
        self.calls.append(("step_end", state.epoch, state.step))

    def on_epoch_end(self, state, metrics):
        self.calls.append(("epoch_end", metrics["epoch"]))

    def on_fit_end(self, state):
        self.calls.append(("fit_end",))


def test_fit_overfits_a_tiny_set_of_random_labels():
    X, y = tiny_data(n=32)
    train = DeviceData(X, y, batch_size=16, seed=1)
    model = small_model()
    before = evaluate(model, DeviceData(X, y, 32, shuffle=False))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    history = fit(model, train, DeviceData(X, y, 32, shuffle=False), optimizer=opt, epochs=60, progress=False)
    after = evaluate(model, DeviceData(X, y, 32, shuffle=False))
    assert before["acc"] < 0.6
    assert after["acc"] == 1.0  # random labels can only be memorised: capacity is there
    assert history["epochs"][-1]["val_acc"] == 1.0
    assert len(history["loss"]) == 60 * 2 and np.mean(history["loss"][-4:]) < 0.1 * history["loss"][0]


def test_hooks_fire_in_order_with_the_right_positions():
    X, y = tiny_data(n=40)
    rec = Recorder()
    model = small_model()
    fit(model, DeviceData(X, y, batch_size=16), optimizer=torch.optim.SGD(model.parameters(), lr=0.01),
        epochs=2, callbacks=[rec], progress=False, log_every=2)
    expected = [("fit_start",)]
    step = 0
    for epoch in range(2):
        expected.append(("epoch_start", epoch))
        for _ in range(3):  # ceil(40 / 16) batches
            step += 1
            expected.append(("step_end", epoch, step))
        expected.append(("epoch_end", epoch))
    expected.append(("fit_end",))
    assert rec.calls == expected


def test_a_callback_can_stop_training():
    class StopAt(Callback):
        def on_step_end(self, state):
            if state.step == 4:
                state.stop = True

    X, y = tiny_data(n=64)
    model = small_model()
    history = fit(model, DeviceData(X, y, 8), optimizer=torch.optim.SGD(model.parameters(), lr=0.01),
                  epochs=5, callbacks=[StopAt()], progress=False)
    assert len(history["loss"]) == 4 and len(history["epochs"]) == 1


def test_schedule_sets_every_groups_lr_each_step_with_its_scale():
    X, y = tiny_data(n=48)
    model = small_model()
    seen = []

    class Spy(Callback):
        def on_step_end(self, state):
            seen.append([g["lr"] for g in state.optimizer.param_groups])

    opt = torch.optim.SGD([{"params": model.features.parameters(), "lr_scale": 0.1},
                           {"params": model.head.parameters()}], lr=1.0)
    schedule = lambda t: 0.5 / (1 + t)  # noqa: E731
    history = fit(model, DeviceData(X, y, 16), optimizer=opt, schedule=schedule, epochs=2,
                  callbacks=[Spy()], progress=False)
    assert history["lr"] == [schedule(t) for t in range(6)]
    assert seen == [[pytest.approx(0.1 * schedule(t)), pytest.approx(schedule(t))] for t in range(6)]


def test_loop_takes_the_same_steps_as_a_hand_written_loop():
    X, y = tiny_data(n=48)
    a, b = small_model(seed=3), small_model(seed=3)
    fit(a, DeviceData(X, y, 16, shuffle=False), optimizer=torch.optim.SGD(a.parameters(), lr=0.1, momentum=0.9),
        epochs=2, progress=False)
    opt = torch.optim.SGD(b.parameters(), lr=0.1, momentum=0.9)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _epoch in range(2):
        b.train()
        for i in range(3):
            loss = nn.functional.cross_entropy(b(Xt[16 * i:16 * (i + 1)]), yt[16 * i:16 * (i + 1)])
            opt.zero_grad()
            loss.backward()
            opt.step()
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(pa, pb), name


def test_nan_loss_stops_training_naming_the_step():
    X, y = tiny_data(n=64)
    model = small_model()
    calls = []

    def loss_fn(scores, y):
        loss = nn.functional.cross_entropy(scores, y)
        calls.append(1)
        if len(calls) == 6:  # step 5 (0-based) blows up
            return loss * float("nan")
        return loss

    with pytest.raises(TrainingDiverged, match=r"at step 5 \(epoch 0, batch 5\)") as info:
        fit(model, DeviceData(X, y, 8), optimizer=torch.optim.SGD(model.parameters(), lr=0.01),
            epochs=3, loss_fn=loss_fn, progress=False, log_every=4)
    assert info.value.step == 5
    assert math.isnan(info.value.history["loss"][5]) and len(info.value.history["loss"]) == 6


def test_huge_learning_rate_diverges_with_a_clear_message():
    X, y = tiny_data(n=64)
    model = small_model(batchnorm=False)
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        fit(model, DeviceData(X, y, 16), optimizer=torch.optim.SGD(model.parameters(), lr=1e12),
            epochs=20, progress=False)


def test_gradient_clipping_bounds_the_step():
    X, y = tiny_data(n=16)
    model = small_model(batchnorm=False)
    before = [p.detach().clone() for p in model.parameters()]
    lr, max_norm = 0.5, 1e-3
    fit(model, DeviceData(X, y, 16), optimizer=torch.optim.SGD(model.parameters(), lr=lr), epochs=1,
        clip_grad_norm=max_norm, progress=False)
    step = torch.sqrt(sum(((p.detach() - b) ** 2).sum() for p, b in zip(model.parameters(), before)))
    assert step.item() == pytest.approx(lr * max_norm, rel=1e-3)


def test_augment_runs_on_training_batches_only_with_the_loop_generator():
    X, y = tiny_data(n=32)
    seen = []

    def augment(xb, generator):
        seen.append((tuple(xb.shape), generator.device.type))
        return torch.flip(xb, dims=(3,))

    model = small_model()
    fit(model, DeviceData(X, y, 16), DeviceData(X, y, 32, shuffle=False),
        optimizer=torch.optim.SGD(model.parameters(), lr=0.01), epochs=2, augment=augment, progress=False)
    assert seen == [((16, 1, 8, 8), "cpu")] * 4


def test_same_seed_same_run_and_loader_path_matches_device_path():
    X, y = tiny_data(n=48)
    runs = []
    for data in (DeviceData(X, y, 16, shuffle=False), LoaderData(make_loader(X, y, 16, shuffle=False))):
        model = small_model(seed=5)
        fit(model, data, optimizer=torch.optim.SGD(model.parameters(), lr=0.05), epochs=2, progress=False)
        runs.append(model.state_dict())
    for k in runs[0]:
        assert torch.equal(runs[0][k], runs[1][k]), k


def test_history_records_epoch_metrics_that_match_evaluate():
    X, y = tiny_data(n=48)
    model = small_model()
    val = DeviceData(X[:20], y[:20], 8, shuffle=False)
    h = fit(model, DeviceData(X, y, 16), val, optimizer=torch.optim.SGD(model.parameters(), lr=0.05),
            epochs=2, progress=False)
    assert [e["epoch"] for e in h["epochs"]] == [0, 1]
    final = evaluate(model, val)
    assert h["epochs"][-1]["val_acc"] == pytest.approx(final["acc"])
    assert h["epochs"][-1]["val_loss"] == pytest.approx(final["loss"], rel=1e-5)
    assert h["epochs"][0]["train_loss"] == pytest.approx(np.mean(h["loss"][:3]), rel=1e-5)


def test_evaluate_matches_a_direct_computation():
    X, y = tiny_data(n=30)
    model = small_model().eval()
    with torch.no_grad():
        scores = model(torch.from_numpy(X))
    expected_acc = (scores.argmax(1).numpy() == y).mean()
    expected_loss = nn.functional.cross_entropy(scores, torch.from_numpy(y)).item()
    got = evaluate(model, DeviceData(X, y, 7, shuffle=False))
    assert got["acc"] == pytest.approx(expected_acc)
    assert got["loss"] == pytest.approx(expected_loss, rel=1e-5)


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs"), ({"epochs": 1, "clip_grad_norm": -1.0}, "clip_grad_norm"),
    ({"epochs": 1, "schedule": 0.1}, "schedule")])
def test_fit_rejects_bad_arguments(kwargs, match):
    X, y = tiny_data(n=16)
    model = small_model()
    with pytest.raises((ValueError, TypeError), match=match):
        fit(model, DeviceData(X, y, 8), optimizer=torch.optim.SGD(model.parameters(), lr=0.1), progress=False,
            **kwargs)


def test_fit_rejects_data_of_the_wrong_kind():
    model = small_model()
    with pytest.raises(TypeError, match="DeviceData"):
        fit(model, [(torch.zeros(2, 1, 8, 8), torch.zeros(2))], optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
            epochs=1, progress=False)


def test_progress_bar_shows_loss_accuracy_and_rate(capsys):
    X, y = tiny_data(n=32)
    model = small_model()
    fit(model, DeviceData(X, y, 16), optimizer=torch.optim.SGD(model.parameters(), lr=0.01), epochs=1,
        progress=True)
    err = capsys.readouterr().err
    assert "epoch 1/1" in err and "loss=" in err and "acc=" in err and "samples_per_s=" in err


@requires_gpu
def test_fit_on_cuda_with_bf16_autocast_learns():
    X, y = tiny_data(n=32)
    model = small_model().cuda()
    train = DeviceData(X, y, 16, device="cuda")
    fit(model, train, optimizer=torch.optim.Adam(model.parameters(), lr=1e-2), epochs=60, progress=False)
    assert evaluate(model, DeviceData(X, y, 32, shuffle=False, device="cuda"))["acc"] > 0.9
