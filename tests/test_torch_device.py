"""The device helper: choosing CPU/CUDA/MPS, autocast only where supported, layouts, seeds."""

import random

import numpy as np
import pytest
import torch

from cs231n_lab.pytorch.device import (amp_dtype, autocast, describe_device, pick_device, prepare_model,
                                       seed_everything, to_device_layout)

from conftest import requires_gpu


def test_pick_device_auto_and_by_name():
    auto = pick_device()
    expected = "cuda" if torch.cuda.is_available() else (
        "mps" if torch.backends.mps.is_available() else "cpu")
    assert auto.type == expected
    assert pick_device("cpu") == torch.device("cpu") == pick_device(torch.device("cpu"))
    with pytest.raises(ValueError, match="not a device name"):
        pick_device("tpu-ish")
    with pytest.raises(TypeError, match="device must be"):
        pick_device(3)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised where CUDA is absent")
def test_asking_for_missing_cuda_is_a_clear_error():
    with pytest.raises(ValueError, match="CUDA is not available"):
        pick_device("cuda")


def test_cpu_runs_in_float32_without_autocast():
    cpu = torch.device("cpu")
    assert amp_dtype(cpu) is None
    with autocast(cpu):
        out = torch.nn.Linear(4, 3)(torch.randn(2, 4))
    assert out.dtype == torch.float32
    with pytest.raises(ValueError, match="no bf16 autocast"):
        autocast(cpu, enabled=True)


def test_prepare_model_keeps_the_cpu_layout_and_compiles_on_request():
    model = prepare_model(torch.nn.Conv2d(1, 2, 3), "cpu")
    assert model.weight.is_contiguous()
    x = to_device_layout(torch.randn(2, 1, 5, 5), "cpu")
    assert x.is_contiguous()
    cl = prepare_model(torch.nn.Conv2d(1, 2, 3), "cpu", channels_last=True)
    assert cl.weight.is_contiguous(memory_format=torch.channels_last)
    with pytest.raises(TypeError, match="nn.Module"):
        prepare_model("model", "cpu")


@pytest.fixture
def restore_determinism():
    yield
    torch.use_deterministic_algorithms(False)  # seed_everything sets it process-wide


def test_seed_everything_reproduces_all_generators(restore_determinism):
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    seed_everything(5)
    a = draw()
    seed_everything(5)
    assert draw() == a
    seed_everything(6)
    assert draw() != a
    with pytest.raises(ValueError, match="seed"):
        seed_everything(-1)


def test_describe_device_names_the_cpu_threads():
    assert describe_device("cpu") == f"cpu ({torch.get_num_threads()} threads)"


@requires_gpu
def test_cuda_uses_bf16_autocast_and_channels_last():
    dev = pick_device("cuda")
    assert amp_dtype(dev) in (torch.bfloat16, None)
    model = prepare_model(torch.nn.Conv2d(3, 8, 3), dev)
    assert model.weight.is_contiguous(memory_format=torch.channels_last)
    if amp_dtype(dev) is not None:
        with autocast(dev):
            assert model(torch.randn(2, 3, 8, 8, device=dev)).dtype == torch.bfloat16
