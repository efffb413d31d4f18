"""Tier C - many GPUs or machines with PyTorch's own runtime: DistributedDataParallel (Lecture 8).

Data parallelism: every process holds a full copy of the model and takes 1/W of every
global batch of B samples (``DeviceData(..., rank=, world_size=)``). After ``backward``
DDP *averages* the gradients over the W processes (an all-reduce), so every copy takes
the same step - the step a single process would take on the whole batch of B:

    (1/W) * sum_r  (1/(B/W)) * sum_{i in shard r} dL_i/dw  =  (1/B) * sum_{i in batch} dL_i/dw

The same script runs alone or under ``torchrun``::

    python -m cs231n_lab.train ...                             # one process
    torchrun --standalone --nproc_per_node 2 -m cs231n_lab.train ...   # two processes

``torchrun`` sets RANK, LOCAL_RANK and WORLD_SIZE; ``setup()`` reads them (backend NCCL
on GPUs, gloo on CPUs). Batch norm computes its statistics per process; on GPUs
``wrap(..., sync_bn=True)`` converts it to ``SyncBatchNorm`` (which has no CPU kernel).
"""

import os

import torch
import torch.distributed as dist

__all__ = ["launched_by_torchrun", "setup", "cleanup", "wrap", "get_rank", "get_world_size",
           "is_main_process"]


def launched_by_torchrun():
    """True when this process was started by ``torchrun`` (it sets WORLD_SIZE and LOCAL_RANK)."""
    return "WORLD_SIZE" in os.environ and "LOCAL_RANK" in os.environ


def get_rank():
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def get_world_size():
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def is_main_process():
    """Rank 0 (or not distributed): the process that prints and writes files."""
    return get_rank() == 0


def setup(device=None, backend=None):
    """Join the process group started by torchrun; return (rank, world_size, device).

    device: "cpu", "cuda" or None (CUDA if present). On CUDA each process takes the GPU
    numbered LOCAL_RANK. backend: None picks "nccl" for CUDA and "gloo" for the CPU.
    """
    if not launched_by_torchrun():
        raise RuntimeError("distributed.setup: WORLD_SIZE/LOCAL_RANK are not set; start the script with "
                           "torchrun --nproc_per_node N ...")
    local_rank = int(os.environ["LOCAL_RANK"])
    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(device)
    if device.type == "cuda":
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    if backend is None:
        backend = "nccl" if device.type == "cuda" else "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    return dist.get_rank(), dist.get_world_size(), device


def cleanup():
    """Leave the process group (call at the end of the script)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def wrap(model, device, sync_bn=None):
    """Wrap ``model`` (already on ``device``) in DistributedDataParallel.

    sync_bn: convert BatchNorm to SyncBatchNorm (None = on CUDA only, where it exists).
    """
    device = torch.device(device)
    if sync_bn is None:
        sync_bn = device.type == "cuda"
    if sync_bn:
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
    ids = [device.index] if device.type == "cuda" else None
    return torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
