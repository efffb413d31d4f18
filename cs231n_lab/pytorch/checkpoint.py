"""Tier C - checkpoints: save a run at any step and resume it exactly (Lecture 8).

A checkpoint holds everything the next step depends on:
  the weights (and batch-norm running averages), the optimizer's state (momentum, Adam's
  moments), the position (epoch, batch within the epoch, global step - which is also the
  schedule's position), this epoch's running sums, the history so far, the callbacks'
  state (EMA weights, best score), and every random number generator (torch CPU/CUDA,
  the augmentation generator, NumPy, Python). The shuffle needs none: it is a function of
  (seed, epoch). So a run killed anywhere and resumed from its last checkpoint ends with
  the same weights as a run that was never stopped - bitwise on the CPU.

File format: one header line ``cs231n-lab-checkpoint v1 sha256=<hex>\\n`` and then the
``torch.save`` bytes. The checksum catches truncated or corrupted files with a clear
``CheckpointError`` instead of a cryptic unpickling error or, worse, silently wrong weights.

Writes are atomic: the bytes go to a temporary file in the same folder, are flushed to
disk, and only then renamed over the target; the checkpoint they replace is kept as
``PATH.prev``. A crash while writing never destroys the last good checkpoint.
"""

import hashlib
import io
import os
import random
import shutil
import tempfile

import numpy as np
import torch

__all__ = ["CheckpointError", "save", "load", "read", "latest", "atomic_write_bytes", "unwrap"]

_MAGIC = b"cs231n-lab-checkpoint v1 sha256="


class CheckpointError(ValueError):
    """A checkpoint file is missing, truncated, corrupted or from another program."""


def unwrap(model):
    """The plain module inside a DistributedDataParallel and/or ``torch.compile`` wrapper."""
    model = getattr(model, "module", model)
    return getattr(model, "_orig_mod", model)


def atomic_write_bytes(path, data, keep_previous=False):
    """Write ``data`` to ``path`` via a temp file in the same folder + fsync + ``os.replace``."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    prev_tmp = tmp + ".prev"
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a checkpoint or weights file is not secret
        if keep_previous and os.path.exists(path):
            # a second name for the old file (hard link, or a copy), so PATH never goes missing
            try:
                os.link(path, prev_tmp)
            except OSError:
                shutil.copyfile(path, prev_tmp)
            os.replace(prev_tmp, path + ".prev")
        os.replace(tmp, path)
    except BaseException:
        for leftover in (tmp, prev_tmp):
            if os.path.exists(leftover):
                os.unlink(leftover)
        raise


def _rng_state(generator):
    np_state = np.random.get_state()
    py_state = random.getstate()
    return {"torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
            "generator": generator.get_state(),
            "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), *np_state[2:]],
            "python": [py_state[0], list(py_state[1]), py_state[2]]}


def _set_rng_state(rng, generator):
    torch.set_rng_state(rng["torch"])
    if rng["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(rng["cuda"])
    generator.set_state(rng["generator"])
    name, keys, *rest = rng["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), *rest))
    version, internal, gauss = rng["python"]
    random.setstate((version, tuple(internal), gauss))


def save(path, state):
    """Write the loop state (``loop.LoopState``, with its callbacks' state) to ``path`` atomically."""
    state.flush()  # the history must hold every finished step's loss
    payload = {"model": unwrap(state.model).state_dict(), "optimizer": state.optimizer.state_dict(),
               "epoch": state.epoch, "batch": state.batch, "step": state.step,
               "train_time": state.train_time, "history": state.history, "sums": state.sums.cpu(),
               "rng": _rng_state(state.generator),
               "callbacks": [cb.state_dict() for cb in state.callbacks], "stop": state.stop}
    buf = io.BytesIO()
    torch.save(payload, buf)
    body = buf.getvalue()
    header = _MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n"
    atomic_write_bytes(path, header + body, keep_previous=True)


def read(path):
    """Read and verify a checkpoint; return its payload dict. Raises CheckpointError if bad."""
    path = os.fspath(path)
    hint = f" (the previous checkpoint {path}.prev exists: resume from it)" if os.path.exists(path + ".prev") else ""
    if not os.path.isfile(path):
        raise CheckpointError(f"checkpoint {path!r} does not exist{hint}")
    with open(path, "rb") as f:
        header, body = f.readline(), f.read()
    if not header.startswith(_MAGIC):
        raise CheckpointError(f"checkpoint {path!r} is not a cs231n-lab checkpoint (bad header){hint}")
    expected = header[len(_MAGIC):].strip().decode("ascii", "replace")
    actual = hashlib.sha256(body).hexdigest()
    if actual != expected:
        raise CheckpointError(f"checkpoint {path!r} is truncated or corrupted: SHA-256 of its {len(body)} "
                              f"bytes is {actual[:12]}..., the header says {expected[:12]}...{hint}")
    return torch.load(io.BytesIO(body), map_location="cpu", weights_only=True)


def latest(path):
    """``path`` if it is a valid checkpoint, else ``path.prev`` if that one is; else None."""
    for candidate in (os.fspath(path), os.fspath(path) + ".prev"):
        try:
            read(candidate)
            return candidate
        except CheckpointError:
            continue
    return None


def load(path, state):
    """Restore a ``LoopState`` (model, optimizer, position, history, RNGs) and callbacks from ``path``."""
    payload = read(path)
    callbacks = state.callbacks
    if len(payload["callbacks"]) != len(callbacks):
        raise CheckpointError(f"checkpoint {path!r} was written with {len(payload['callbacks'])} callbacks, "
                              f"this run has {len(callbacks)}; resume with the same callbacks")
    unwrap(state.model).load_state_dict(payload["model"])
    state.optimizer.load_state_dict(payload["optimizer"])
    state.epoch, state.batch, state.step = payload["epoch"], payload["batch"], payload["step"]
    state.train_time, state.history, state.stop = payload["train_time"], payload["history"], payload["stop"]
    state.sums = payload["sums"].to(state.device)
    _set_rng_state(payload["rng"], state.generator)
    for cb, cb_state in zip(callbacks, payload["callbacks"]):
        cb.load_state_dict(cb_state)
    return state
