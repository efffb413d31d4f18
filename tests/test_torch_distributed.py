"""DistributedDataParallel: two CPU processes on gloo under torchrun take the same steps as one
process with the same global batch (the averaged gradient of the two halves is the batch's gradient)."""

import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from cs231n_lab.pytorch.data import DeviceData

ARGS = ["--data", "fashion-mnist", "--limit", "384", "--widths", "4,8", "--no-batchnorm", "--epochs", "2",
        "--batch-size", "64", "--lr", "0.05", "--device", "cpu", "--threads", "1", "--quiet"]


def _env():
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("WORLD_SIZE", None)
    env.pop("LOCAL_RANK", None)
    return env


@pytest.mark.slow
def test_ddp_two_gloo_processes_equal_single_process(tmp_path):
    single, double = tmp_path / "single.pt", tmp_path / "ddp.pt"
    subprocess.run([sys.executable, "-m", "cs231n_lab.train", *ARGS, "--save-weights", str(single)],
                   check=True, env=_env(), timeout=300, capture_output=True)
    out = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                          "-m", "cs231n_lab.train", *ARGS, "--save-weights", str(double)],
                         env=_env(), timeout=300, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "2 process(es)" in out.stdout
    a = torch.load(single, weights_only=True)
    b = torch.load(double, weights_only=True)
    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(b[k], a[k], rtol=1e-4, atol=1e-5, msg=k)


def test_device_data_shards_every_global_batch_between_ranks():
    X = np.arange(20, dtype=np.float32).reshape(20, 1, 1, 1)
    y = np.arange(20)
    whole = DeviceData(X, y, 8, seed=3, drop_last=True)
    parts = [DeviceData(X, y, 8, seed=3, rank=r, world_size=2) for r in range(2)]
    assert len(whole) == len(parts[0]) == len(parts[1]) == 2
    for epoch in range(3):
        for (_, yw), (_, y0), (_, y1) in zip(whole.batches(epoch), parts[0].batches(epoch), parts[1].batches(epoch)):
            assert torch.equal(torch.cat([y0, y1]), yw)
    with pytest.raises(ValueError, match="divisible by world_size"):
        DeviceData(X, y, 7, rank=0, world_size=2)
    with pytest.raises(ValueError, match="rank"):
        DeviceData(X, y, 8, rank=2, world_size=2)
