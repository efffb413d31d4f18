"""Checkpoints: a run killed anywhere and resumed ends bitwise equal to an uninterrupted run;
corrupt or truncated files raise a clear error and the previous checkpoint survives."""

import os

import numpy as np
import pytest
import torch

from cs231n_lab.pytorch import checkpoint as ckpt
from cs231n_lab.pytorch.callbacks import EMA, Callback, Checkpoint, EarlyStopping
from cs231n_lab.pytorch.data import DeviceData
from cs231n_lab.pytorch.loop import fit
from cs231n_lab.pytorch.models import ConvNet


class Killed(Exception):
    pass


class KillAt(Callback):
    """Simulates the process dying right after step ``step`` (before anything else runs)."""

    def __init__(self, step):
        self.step = step

    def on_step_end(self, state):
        if state.step == self.step:
            raise Killed


def make_run(seed):
    """A run that uses every source of state: BN, dropout, augmentation RNG, Adam, schedule, EMA, ES."""
    g = np.random.default_rng(0)
    X = g.normal(size=(52, 1, 8, 8)).astype(np.float32)
    y = g.integers(0, 3, size=52)
    torch.manual_seed(seed)  # a resumed run starts from *different* weights: all must come from the file
    model = ConvNet(in_channels=1, num_classes=3, widths=(4, 8), dropout=0.3)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    train = DeviceData(X, y, 10, seed=7)
    val = DeviceData(X[:20], y[:20], 10, shuffle=False)
    aug = lambda x, g: x + 0.1 * torch.randn(x.shape, generator=g)  # noqa: E731
    kwargs = dict(optimizer=opt, epochs=3, schedule=lambda t: 1e-2 / (1 + 0.1 * t), augment=aug, progress=False,
                  log_every=4, seed=11)
    return model, train, val, kwargs


def assert_same_weights(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for k in sa:
        assert torch.equal(sa[k], sb[k]), k


@pytest.mark.parametrize("kill_step", [4, 6, 11, 16])  # mid-epoch, right after a save, epoch edge, last epoch
def test_kill_and_resume_equals_uninterrupted_bitwise(tmp_path, kill_step):
    model, train, val, kw = make_run(seed=0)
    ema_a = EMA(decay=0.9)
    ref = fit(model, train, val, callbacks=[ema_a, EarlyStopping()], **kw)

    path = tmp_path / "run.ckpt"
    model_b, train, val, kw = make_run(seed=0)
    with pytest.raises(Killed):
        fit(model_b, train, val, callbacks=[EMA(decay=0.9), EarlyStopping(), Checkpoint(path, every=3),
                                            KillAt(kill_step)], **kw)
    model_c, train, val, kw = make_run(seed=99)
    ema_c = EMA(decay=0.9)
    got = fit(model_c, train, val, callbacks=[ema_c, EarlyStopping(), Checkpoint(path, every=3), KillAt(-1)],
              resume=path, **kw)

    assert_same_weights(model, model_c)
    assert_same_weights(ema_a.model, ema_c.model)
    assert got["loss"] == ref["loss"] and got["lr"] == ref["lr"]
    for e_ref, e_got in zip(ref["epochs"], got["epochs"], strict=True):
        for key in ("train_loss", "train_acc", "val_loss", "val_acc", "ema_val_acc"):
            assert e_ref[key] == e_got[key], key


def test_checkpoint_holds_position_schedule_and_rng(tmp_path):
    model, train, val, kw = make_run(seed=0)
    path = tmp_path / "c.ckpt"
    with pytest.raises(Killed):
        fit(model, train, val, callbacks=[Checkpoint(path, every=4), KillAt(9)], **kw)
    payload = ckpt.read(path)
    assert (payload["epoch"], payload["batch"], payload["step"]) == (1, 2, 8)  # 6 batches per epoch (52 / 10)
    assert len(payload["history"]["loss"]) == 8 and len(payload["history"]["epochs"]) == 1
    assert set(payload["rng"]) == {"torch", "cuda", "generator", "numpy", "python"}


def test_truncated_checkpoint_raises_and_previous_survives(tmp_path):
    model, train, val, kw = make_run(seed=0)
    path = tmp_path / "c.ckpt"
    fit(model, train, val, callbacks=[Checkpoint(path, every=2)], **kw)
    prev = ckpt.read(str(path) + ".prev")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ckpt.CheckpointError, match=r"truncated or corrupted.*\.prev exists"):
        ckpt.read(path)
    assert ckpt.latest(path) == str(path) + ".prev"
    assert ckpt.read(ckpt.latest(path))["step"] == prev["step"]
    model2, train, val, kw = make_run(seed=1)
    with pytest.raises(ckpt.CheckpointError):
        fit(model2, train, val, resume=path, **kw)


def test_flipped_byte_and_foreign_file_are_rejected(tmp_path):
    model, train, val, kw = make_run(seed=0)
    path = tmp_path / "c.ckpt"
    fit(model, train, val, callbacks=[Checkpoint(path)], **kw)
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ckpt.CheckpointError, match="truncated or corrupted"):
        ckpt.read(path)
    other = tmp_path / "weights.pt"
    torch.save(model.state_dict(), other)
    with pytest.raises(ckpt.CheckpointError, match="not a cs231n-lab checkpoint"):
        ckpt.read(other)
    with pytest.raises(ckpt.CheckpointError, match="does not exist"):
        ckpt.read(tmp_path / "missing.ckpt")


def test_crash_while_writing_keeps_the_old_checkpoint_and_no_temp_file(tmp_path, monkeypatch):
    model, train, val, kw = make_run(seed=0)
    path = tmp_path / "c.ckpt"
    fit(model, train, val, callbacks=[Checkpoint(path)], **kw)
    before = path.read_bytes()
    real_replace = os.replace

    def crash(src, dst):
        if str(src).endswith(".tmp"):
            raise OSError("disk full (simulated)")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    model2, train, val, kw = make_run(seed=0)
    with pytest.raises(OSError, match="disk full"):
        fit(model2, train, val, callbacks=[Checkpoint(path)], **kw)
    assert path.read_bytes() == before  # the last good checkpoint is untouched
    assert ckpt.read(path)["epoch"] == 3
    assert not [p for p in os.listdir(tmp_path) if ".tmp" in p]


def test_resume_with_other_callbacks_is_refused(tmp_path):
    model, train, val, kw = make_run(seed=0)
    path = tmp_path / "c.ckpt"
    fit(model, train, val, callbacks=[Checkpoint(path)], **kw)
    model2, train, val, kw = make_run(seed=0)
    with pytest.raises(ckpt.CheckpointError, match="same callbacks"):
        fit(model2, train, val, callbacks=[EMA(), Checkpoint(path)], resume=path, **kw)
