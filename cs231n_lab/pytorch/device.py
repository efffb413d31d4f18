"""Tier C - one helper that picks the device and the speed settings that go with it (Lecture 8).

The same training loop runs on a CPU, an NVIDIA GPU (CUDA) or an Apple GPU (MPS); only
*where* tensors live changes. The settings that make a GPU fast are chosen here, once:

- ``pick_device(None)`` -> CUDA if present, else MPS, else CPU (or the device you name).
- ``autocast(device)`` -> mixed precision: matmuls and convolutions in bfloat16 (same
  exponent range as float32, so no loss scaling is needed) on GPUs that support it;
  a no-op on the CPU, where bf16 is usually *slower* and would change the numbers.
- ``prepare_model(model, device)`` -> moves the model, uses the ``channels_last`` memory
  layout (N, H, W, C in memory) on CUDA where tensor cores want it, optionally
  ``torch.compile``.
- ``seed_everything(seed)`` -> seeds Python, NumPy and torch; deterministic kernels.
"""

import contextlib
import os
import random

import numpy as np
import torch

__all__ = ["pick_device", "autocast", "amp_dtype", "prepare_model", "to_device_layout",
           "seed_everything", "describe_device"]

_KINDS = ("cpu", "cuda", "mps")


def pick_device(device=None):
    """The device to train on: CUDA if available, then Apple MPS, then the CPU.

    ``device`` may be None/"auto" (choose), a string such as "cpu", "cuda", "cuda:1", "mps",
    or a ``torch.device``. Asking for a device that is not present raises ValueError.
    """
    if device is None or device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"pick_device: device must be None, 'auto', a string or a torch.device, "
                        f"got {type(device).__name__}")
    try:
        dev = torch.device(device)
    except RuntimeError as e:
        raise ValueError(f"pick_device: device={device!r} is not a device name; expected one of "
                         f"'auto', {', '.join(repr(k) for k in _KINDS)}") from e
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"pick_device: device={device!r} was asked for but CUDA is not available here")
    if dev.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError(f"pick_device: device={device!r} was asked for but MPS is not available here")
    if dev.type not in _KINDS:
        raise ValueError(f"pick_device: device type {dev.type!r} is not supported; expected one of {_KINDS}")
    return dev


def amp_dtype(device):
    """The autocast dtype used on ``device``, or None when mixed precision is off there.

    bfloat16 on CUDA GPUs that support it (Ampere and newer); None on the CPU and MPS.
    """
    device = torch.device(device)
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return None


def autocast(device, enabled=None):
    """A context manager for the forward pass: bf16 autocast where supported, else nothing.

    ``enabled=None`` means "where supported" (see ``amp_dtype``); ``False`` forces full
    float32; ``True`` on a device without bf16 support raises ValueError.
    """
    device = torch.device(device)
    dtype = amp_dtype(device)
    if enabled is None:
        enabled = dtype is not None
    if not enabled:
        return contextlib.nullcontext()
    if dtype is None:
        raise ValueError(f"autocast: amp=True asked for, but {device} has no bf16 autocast support; "
                         "use amp=None (automatic) or amp=False")
    return torch.autocast(device_type=device.type, dtype=dtype)


def prepare_model(model, device, channels_last=None, compile=False):
    """Move ``model`` to ``device``; ``channels_last`` on CUDA (None = automatic); optional compile.

    Returns the model to train (the compiled wrapper when ``compile=True``; its weights are
    shared with ``model``, so saving ``model.state_dict()`` still works).
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"prepare_model: model must be a torch.nn.Module, got {type(model).__name__}")
    device = torch.device(device)
    if channels_last is None:
        channels_last = device.type == "cuda"
    model = model.to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    if compile:
        model = torch.compile(model)
    return model


def to_device_layout(x, device, channels_last=None):
    """Move a batch (N, C, H, W) to ``device`` in the layout ``prepare_model`` chose."""
    device = torch.device(device)
    if channels_last is None:
        channels_last = device.type == "cuda"
    x = x.to(device, non_blocking=True)
    if channels_last and x.dim() == 4:
        x = x.contiguous(memory_format=torch.channels_last)
    return x


def seed_everything(seed, deterministic=True):
    """Seed Python's ``random``, NumPy's global state and torch (CPU and all GPUs).

    ``deterministic=True`` also asks torch for deterministic kernels (``warn_only`` so an op
    without one still runs) and turns off cuDNN's benchmark auto-tuner, whose choice of
    algorithm can change between runs.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed_everything: seed must be an int >= 0, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if deterministic:
        # cuBLAS needs this workspace setting for deterministic matmuls on CUDA.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False


def describe_device(device):
    """One line naming the device, e.g. 'cpu (2 threads)' or 'cuda: NVIDIA H100 (bf16 autocast)'."""
    device = torch.device(device)
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        amp = "bf16 autocast" if amp_dtype(device) else "float32"
        return f"cuda: {name} ({amp})"
    if device.type == "mps":
        return "mps: Apple GPU (float32)"
    return f"cpu ({torch.get_num_threads()} threads)"
