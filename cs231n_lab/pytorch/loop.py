"""Tier C - the PyTorch training loop (Lecture 8), readable top to bottom.

One optimisation step is the lecture's four lines::

    scores = model(X_batch)                  # forward (bf16 autocast on GPUs that have it)
    loss = cross_entropy(scores, y_batch)    # softmax loss, mean over the batch
    loss.backward()                          # backprop: dL/dw for every parameter
    optimizer.step()                         # w <- update(w, dw)

``fit`` wraps that in epochs and adds what a real run needs - a learning-rate schedule
(any callable ``step -> lr``, called once per step from step 0), on-device augmentation,
gradient clipping, a NaN check, a progress bar, evaluation after each epoch, and five
named hooks for callbacks (``cs231n_lab.pytorch.callbacks``), in this order::

    on_fit_start, then per epoch: on_epoch_start, on_step_end (each step), on_epoch_end;
    on_fit_end

Reading a number from the GPU (``loss.item()``) makes the CPU wait for the GPU, so losses
are kept on the device and copied in groups of ``log_every`` steps; that is when the
progress bar moves and when a NaN is noticed (its exact step is still reported).
"""

import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from cs231n_lab.pytorch import checkpoint as ckpt
from cs231n_lab.pytorch.data import as_batches
from cs231n_lab.pytorch.device import autocast
from cs231n_lab.pytorch.distributed import get_rank, is_main_process

__all__ = ["fit", "evaluate", "LoopState", "TrainingDiverged"]


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite. ``step`` is the first bad step, ``history`` the run so far."""

    def __init__(self, message, step, history):
        super().__init__(message)
        self.step, self.history = step, history


@dataclass
class LoopState:
    """Everything ``fit`` knows during a run; callbacks read it (and may set ``stop``).

    epoch: current epoch (0-based); batch: batches done in this epoch; step: optimisation
    steps done in total (the schedule's argument). history: ``loss`` and ``lr`` per step,
    ``epochs`` a list of per-epoch metric dicts. sums: this epoch's running
    [sum of loss * n, correct, n] on the device.
    """
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    device: torch.device
    epochs: int
    steps_per_epoch: int
    generator: torch.Generator
    evaluate: object = None
    callbacks: list = field(default_factory=list)
    epoch: int = 0
    batch: int = 0
    step: int = 0
    stop: bool = False
    loss: torch.Tensor = None
    train_time: float = 0.0
    history: dict = field(default_factory=lambda: {"loss": [], "lr": [], "epochs": []})
    sums: torch.Tensor = None
    pending: list = field(default_factory=list)

    def flush(self):
        """Copy pending step losses to ``history['loss']``; raise TrainingDiverged on NaN/inf."""
        if not self.pending:
            return
        values = torch.stack(self.pending).float().tolist()
        first = self.step - len(values)
        self.pending.clear()
        for i, v in enumerate(values):
            if v != v or v in (float("inf"), float("-inf")):
                bad = first + i
                self.history["loss"].extend(values[:i + 1])
                raise TrainingDiverged(
                    f"fit: the loss became {v} at step {bad} (epoch {bad // self.steps_per_epoch}, "
                    f"batch {bad % self.steps_per_epoch}) with learning rate "
                    f"{self.history['lr'][bad]:.3g}; training stopped - lower the learning rate "
                    "or clip gradients (clip_grad_norm=), and check the data for NaN/inf", bad, self.history)
        self.history["loss"].extend(values)


def _set_lr(optimizer, lr):
    """Per-step schedule: each parameter group gets lr * its 'lr_scale' (1 unless set)."""
    for group in optimizer.param_groups:
        group["lr"] = lr * group.get("lr_scale", 1.0)


@torch.no_grad()
def evaluate(model, data, amp=None):
    """Softmax loss and accuracy of ``model`` on ``data`` (DeviceData/LoaderData/DataLoader), eval mode.

    Returns {"loss": float, "acc": float in [0, 1]}. Batch norm uses its running averages
    and dropout is off (``model.eval()``); the model's mode is restored afterwards.
    """
    data = as_batches(data, device=next(model.parameters()).device)
    was_training = model.training
    model.eval()
    total = torch.zeros(3, device=data.device)
    for xb, yb in data.batches(0):
        with autocast(data.device, amp):
            scores = model(xb)
        total += torch.stack([F.cross_entropy(scores.float(), yb, reduction="sum"),
                              (scores.argmax(1) == yb).sum().float(), torch.tensor(float(len(yb)), device=data.device)])
    model.train(was_training)
    loss_sum, correct, n = total.tolist()
    return {"loss": loss_sum / max(n, 1), "acc": correct / max(n, 1)}


def fit(model, train, val=None, *, optimizer, epochs, schedule=None, loss_fn=None, augment=None,
        clip_grad_norm=None, amp=None, callbacks=(), seed=0, resume=None, progress=True, log_every=20):
    """Train ``model`` for ``epochs`` epochs; return the history dict.

    model: an nn.Module already on the data's device (``device.prepare_model``), or a DDP wrapper.
    train, val: ``DeviceData``, ``LoaderData`` or a ``DataLoader`` yielding (X (N,C,H,W), y (N,)).
    optimizer: a ``torch.optim`` optimizer over the model's parameters.
    schedule: callable ``step -> lr`` (``cs231n_lab.schedules``), or None for a constant lr.
    loss_fn: ``(scores, y) -> mean loss`` for training (default softmax cross-entropy;
    evaluation always reports softmax loss and accuracy).
    augment: callable ``(X_batch, generator) -> X_batch`` run on the device on training batches.
    clip_grad_norm: rescale the gradient so its global L2 norm is at most this (None = off).
    amp: bf16 autocast - None (where supported), True, or False.
    callbacks: ``Callback`` objects (their hooks run in the order given).
    seed: seeds the augmentation generator (plus the rank under DDP; the shuffle is seeded
    by the data object).
    resume: a checkpoint path written by ``callbacks.Checkpoint``: continue exactly where it stopped.
    progress: show a tqdm bar (loss, accuracy, samples/s); False silences it.
    history: {"loss": [per step], "lr": [per step], "epochs": [{"epoch", "train_loss",
    "train_acc", "val_loss", "val_acc", "samples_per_s", "train_time"}, ...]}.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be an int >= 1, got {epochs!r}")
    if clip_grad_norm is not None and not clip_grad_norm > 0:
        raise ValueError(f"fit: clip_grad_norm must be > 0 or None, got {clip_grad_norm!r}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"fit: schedule must be a callable step -> lr, got {type(schedule).__name__}")
    device = next(model.parameters()).device
    train, val = as_batches(train, device, seed), as_batches(val, device, seed)
    if train.device != device:
        raise ValueError(f"fit: the model is on {device} but the training data is on {train.device}")
    loss_fn = loss_fn or F.cross_entropy
    callbacks = list(callbacks)
    # one augmentation stream per process: under DDP each rank must draw different flips/crops
    generator = torch.Generator(device=device).manual_seed(seed + 1_000_003 * get_rank())
    state = LoopState(model, optimizer, device, epochs, len(train), generator, callbacks=callbacks,
                      evaluate=lambda m: evaluate(m, val, amp) if val is not None else {})
    state.sums = torch.zeros(3, device=device)
    if resume is not None:
        ckpt.load(resume, state)
    bar = tqdm(total=epochs * len(train), initial=state.step, disable=not (progress and is_main_process()),
               unit="step", dynamic_ncols=True)

    for cb in callbacks:
        cb.on_fit_start(state)
    while state.epoch < epochs and not state.stop:
        model.train()
        bar.set_description(f"epoch {state.epoch + 1}/{epochs}")
        for cb in callbacks:
            cb.on_epoch_start(state)
        t0, n0 = time.perf_counter(), state.sums[2].item()
        for X_batch, y_batch in train.batches(state.epoch, start=state.batch):
            if augment is not None:
                X_batch = augment(X_batch, generator)
            lr = schedule(state.step) if schedule is not None else None
            if lr is not None:
                _set_lr(optimizer, lr)
            with autocast(device, amp):
                scores = model(X_batch)
                loss = loss_fn(scores.float(), y_batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
            optimizer.step()

            n = y_batch.new_tensor(len(y_batch), dtype=torch.float32)
            state.sums += torch.stack([loss.detach() * n, (scores.argmax(1) == y_batch).sum().float(), n])
            state.history["lr"].append(lr if lr is not None else optimizer.param_groups[0]["lr"])
            state.pending.append(loss.detach())
            state.loss, state.step, state.batch = loss.detach(), state.step + 1, state.batch + 1
            if len(state.pending) >= log_every or state.batch == len(train):
                state.flush()
                loss_sum, correct, seen = state.sums.tolist()
                rate = (seen - n0) / max(time.perf_counter() - t0, 1e-9)
                bar.set_postfix(loss=f"{state.history['loss'][-1]:.3f}", acc=f"{correct / seen:.3f}",
                                samples_per_s=f"{rate:.0f}")
            bar.update(1)
            for cb in callbacks:
                cb.on_step_end(state)
            if state.stop:
                break

        state.flush()
        loss_sum, correct, seen = state.sums.tolist()
        elapsed = time.perf_counter() - t0
        state.train_time += elapsed
        metrics = {"epoch": state.epoch, "train_loss": loss_sum / max(seen, 1), "train_acc": correct / max(seen, 1)}
        metrics.update({f"val_{k}": v for k, v in state.evaluate(model).items()})
        metrics.update(samples_per_s=(seen - n0) / max(elapsed, 1e-9), train_time=state.train_time)
        state.history["epochs"].append(metrics)
        state.epoch, state.batch = state.epoch + 1, 0
        state.sums.zero_()
        for cb in callbacks:
            cb.on_epoch_end(state, metrics)
    for cb in callbacks:
        cb.on_fit_end(state)
    bar.close()
    return state.history
