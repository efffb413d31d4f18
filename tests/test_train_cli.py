"""The command line (python -m cs231n_lab.train): runs, resumes from its checkpoint, writes weights and logs."""

import json

import pytest
import torch

from cs231n_lab import train
from cs231n_lab.pytorch.callbacks import Callback

SMALL = train.Settings(limit=320, widths=(4, 8), epochs=2, batch_size=64, lr=0.05, flip=True, device="cpu")


class Kill(Callback):
    def on_step_end(self, state):
        if state.step == 7:
            raise KeyboardInterrupt


def test_run_killed_and_restarted_with_the_same_command_equals_uninterrupted(tmp_path):
    ref = train.run(SMALL, progress=False)
    path = str(tmp_path / "run.ckpt")
    with pytest.raises(KeyboardInterrupt):
        train.run(SMALL, checkpoint=path, every=3, progress=False, callbacks=[Kill()])
    resumed = train.run(SMALL, checkpoint=path, every=3, progress=False, callbacks=[Callback()])
    for (k, a), b in zip(ref["model"].state_dict().items(), resumed["model"].state_dict().values()):
        assert torch.equal(a, b), k
    assert resumed["test_acc"] == ref["test_acc"]
    assert resumed["history"]["loss"] == ref["history"]["loss"]


def test_main_writes_weights_and_history(tmp_path, capsys):
    weights, log = tmp_path / "w.pt", tmp_path / "h.json"
    rc = train.main(["--limit", "192", "--widths", "4", "--epochs", "1", "--batch-size", "32", "--device", "cpu",
                     "--quiet", "--save-weights", str(weights), "--log-json", str(log)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "test accuracy" in out and "1 process(es)" in out
    state = torch.load(weights, weights_only=True)
    assert state["head.weight"].shape == (10, 4)
    history = json.loads(log.read_text())
    assert len(history["loss"]) == 6 and len(history["epochs"]) == 1


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="schedule"):
        train.build(train.Settings(schedule="sometimes"), 10, 5, torch.device("cpu"))
    with pytest.raises(ValueError, match="optimizer"):
        train.build(train.Settings(optimizer="lbfgs"), 10, 5, torch.device("cpu"))
    with pytest.raises(ValueError, match="data"):
        train.load_data(train.Settings(data="imagenet"))
    with pytest.raises(SystemExit):
        train.main(["--model", "resnet"])


def test_pretrain_settings_match_the_shipped_record():
    from cs231n_lab.pytorch.transfer import load_pretrained

    record = load_pretrained().pretrained_info["settings"]
    for key, value in vars(train.PRETRAIN_SETTINGS).items():
        expected = list(value) if isinstance(value, tuple) else value
        assert record[key] == expected, key
