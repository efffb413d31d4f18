"""Tier D - the command line for the main training runs (Lecture 8), using ``pytorch.loop.fit``.

    python -m cs231n_lab.train --data fashion-mnist --model convnet --epochs 10
    python -m cs231n_lab.train --epochs 12 --widths 32,64,128 --flip --checkpoint run.ckpt
    torchrun --standalone --nproc_per_node 2 -m cs231n_lab.train --device cpu ...   # DDP, same code
    python -m cs231n_lab.train --make-pretrained    # rebuild datasets/pretrained/ (the shipped backbone)

Data: ``fashion-mnist`` is the bundled subset (10,000 train / 2,000 test, offline);
``fashion-mnist-full`` the official 60,000 / 10,000 files (see ``cs231n_lab.datasets``).
With ``--checkpoint PATH`` the run is saved every ``--every`` steps and at each epoch end;
starting the same command again resumes from the last valid checkpoint.
"""

import argparse
import dataclasses
import json
import os
import sys
import time

import numpy as np
import torch

from cs231n_lab import schedules
from cs231n_lab.pytorch import checkpoint as ckpt
from cs231n_lab.pytorch import distributed as dist
from cs231n_lab.pytorch.augment import make_augment
from cs231n_lab.pytorch.callbacks import Checkpoint, MetricLogger
from cs231n_lab.pytorch.data import DeviceData, fashion_mnist_arrays, standardize_images
from cs231n_lab.pytorch.device import describe_device, pick_device, prepare_model, seed_everything
from cs231n_lab.pytorch.loop import evaluate, fit
from cs231n_lab.pytorch.models import ConvNet

__all__ = ["Settings", "PRETRAIN_SETTINGS", "load_data", "build", "run", "make_pretrained", "main"]


@dataclasses.dataclass
class Settings:
    """Everything that defines a run (the command-line flags, one to one)."""
    data: str = "fashion-mnist"
    classes: tuple = None          # keep these labels only (renumbered 0..k-1)
    limit: int = None              # use only the first `limit` training images
    model: str = "convnet"
    widths: tuple = (32, 64, 128)
    batchnorm: bool = True
    dropout: float = 0.0
    epochs: int = 10
    batch_size: int = 128
    optimizer: str = "sgd"         # sgd (Nesterov momentum), adam, adamw
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 5e-4
    schedule: str = "onecycle"     # onecycle, cosine, constant
    flip: bool = False
    crop_padding: int = 0
    label_smoothing: float = 0.0
    clip_grad_norm: float = None
    device: str = "auto"
    amp: bool = None               # None: bf16 autocast where supported
    compile: bool = False
    seed: int = 0


# The exact settings of the shipped backbone (datasets/pretrained/fashion04_convnet.*):
# Fashion-MNIST classes 0-4 (T-shirt/top, Trouser, Pullover, Dress, Coat) of the bundled set.
PRETRAIN_SETTINGS = Settings(classes=(0, 1, 2, 3, 4), widths=(32, 64, 128), epochs=15, batch_size=64,
                             lr=0.05, flip=True, crop_padding=2, device="cpu", seed=0)


def load_data(s):
    """(X_train, y_train, X_test, y_test), standardised float32 NCHW, for settings ``s``."""
    if s.data == "fashion-mnist":
        arrays = fashion_mnist_arrays(s.classes)
    elif s.data == "fashion-mnist-full":
        from cs231n_lab.datasets import load_fashion_mnist
        raw = load_fashion_mnist()
        arrays = (standardize_images(raw["X_train"]), np.asarray(raw["y_train"], np.int64),
                  standardize_images(raw["X_test"]), np.asarray(raw["y_test"], np.int64))
        if s.classes is not None:
            raise ValueError("--classes is only supported with --data fashion-mnist")
    else:
        raise ValueError(f"data must be 'fashion-mnist' or 'fashion-mnist-full', got {s.data!r}")
    X_train, y_train, X_test, y_test = arrays
    if s.limit is not None:
        X_train, y_train = X_train[:s.limit], y_train[:s.limit]
    return X_train, y_train, X_test, y_test


def build(s, num_classes, steps_per_epoch, device):
    """(model, optimizer, schedule, augment) for settings ``s``; model already on ``device``."""
    if s.model != "convnet":
        raise ValueError(f"model must be 'convnet', got {s.model!r}")
    model = ConvNet(1, num_classes, widths=s.widths, batchnorm=s.batchnorm, dropout=s.dropout).to(device)
    # no weight decay on batch-norm scales/shifts and biases (the usual practice)
    decay = [p for p in model.parameters() if p.dim() > 1]
    other = [p for p in model.parameters() if p.dim() <= 1]
    groups = [{"params": decay, "weight_decay": s.weight_decay}, {"params": other, "weight_decay": 0.0}]
    if s.optimizer == "sgd":
        opt = torch.optim.SGD(groups, lr=s.lr, momentum=s.momentum, nesterov=s.momentum > 0)
    elif s.optimizer in ("adam", "adamw"):
        opt = getattr(torch.optim, "Adam" if s.optimizer == "adam" else "AdamW")(groups, lr=s.lr)
    else:
        raise ValueError(f"optimizer must be sgd, adam or adamw, got {s.optimizer!r}")
    total = s.epochs * steps_per_epoch
    schedule = {"onecycle": lambda: schedules.one_cycle(s.lr, total),
                "cosine": lambda: schedules.cosine(s.lr, total),
                "constant": lambda: schedules.constant(s.lr)}.get(s.schedule)
    if schedule is None:
        raise ValueError(f"schedule must be onecycle, cosine or constant, got {s.schedule!r}")
    augment = None
    if s.flip or s.crop_padding:
        augment = make_augment(flip=0.5 if s.flip else None, crop_padding=s.crop_padding or None)
    return model, opt, schedule(), augment


def run(s, checkpoint=None, every=None, log_json=None, progress=True, callbacks=()):
    """Train with settings ``s``; return {"test_acc", "train_time", "history", "model", ...}.

    Under torchrun (WORLD_SIZE set) every process runs this and DDP keeps them in step.
    """
    distributed = dist.launched_by_torchrun()
    if distributed:
        rank, world, device = dist.setup("cpu" if s.device == "cpu" else None)
    else:
        rank, world, device = 0, 1, pick_device(None if s.device == "auto" else s.device)
    seed_everything(s.seed)
    X_train, y_train, X_test, y_test = load_data(s)
    num_classes = int(max(y_train.max(), y_test.max())) + 1
    train = DeviceData(X_train, y_train, s.batch_size, seed=s.seed, device=device, rank=rank, world_size=world)
    test = DeviceData(X_test, y_test, 1000, shuffle=False, device=device)
    model, opt, schedule, augment = build(s, num_classes, len(train), device)
    net = prepare_model(model, device, compile=s.compile)
    if distributed:
        net = dist.wrap(net, device)
    callbacks = list(callbacks)
    if log_json and rank == 0:
        callbacks.append(MetricLogger(json_path=log_json))
    resume = None
    if checkpoint:
        # each process keeps its own RNG states, so each has its own file
        checkpoint = checkpoint if rank == 0 else f"{checkpoint}.rank{rank}"
        resume = ckpt.latest(checkpoint)
        callbacks.append(Checkpoint(checkpoint, every=every))
    history = fit(net, train, None, optimizer=opt, epochs=s.epochs, schedule=schedule, augment=augment,
                  loss_fn=torch.nn.CrossEntropyLoss(label_smoothing=s.label_smoothing),
                  clip_grad_norm=s.clip_grad_norm, amp=s.amp, callbacks=callbacks, seed=s.seed,
                  resume=resume, progress=progress)
    result = evaluate(model, test, amp=s.amp)
    return {"test_acc": result["acc"], "test_loss": result["loss"], "train_time": history["epochs"][-1]["train_time"],
            "history": history, "model": model, "device": device, "rank": rank, "world_size": world}


def make_pretrained(folder=None, progress=True):
    """Re-train the shipped backbone with PRETRAIN_SETTINGS and write it (weights + JSON record)."""
    from cs231n_lab.pytorch.transfer import save_pretrained

    s = PRETRAIN_SETTINGS
    result = run(s, progress=progress)
    settings = dataclasses.asdict(s)
    settings.update(test_acc_classes_0_4=round(result["test_acc"], 4), torch=torch.__version__,
                    command="python -m cs231n_lab.train --make-pretrained")
    return save_pretrained(result["model"].cpu(), settings, folder=folder), result


def _ints(text):
    return tuple(int(t) for t in text.split(",") if t.strip())


def parse_args(argv):
    d = Settings()
    p = argparse.ArgumentParser(prog="python -m cs231n_lab.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=d.data, choices=["fashion-mnist", "fashion-mnist-full"])
    p.add_argument("--classes", type=_ints, default=None, help="e.g. 0,1,2,3,4")
    p.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    p.add_argument("--model", default=d.model, choices=["convnet"])
    p.add_argument("--widths", type=_ints, default=d.widths, help="filters per conv block, e.g. 32,64,128")
    p.add_argument("--no-batchnorm", dest="batchnorm", action="store_false")
    p.add_argument("--dropout", type=float, default=d.dropout)
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--optimizer", default=d.optimizer, choices=["sgd", "adam", "adamw"])
    p.add_argument("--lr", type=float, default=d.lr, help="peak learning rate")
    p.add_argument("--momentum", type=float, default=d.momentum)
    p.add_argument("--weight-decay", type=float, default=d.weight_decay)
    p.add_argument("--schedule", default=d.schedule, choices=["onecycle", "cosine", "constant"])
    p.add_argument("--flip", action="store_true", help="random horizontal flips (on the device)")
    p.add_argument("--crop-padding", type=int, default=0, help="random crops after padding by this many pixels")
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--clip-grad-norm", type=float, default=None)
    p.add_argument("--device", default=d.device, help="auto, cpu, cuda, mps")
    p.add_argument("--amp", default="auto", choices=["auto", "on", "off"], help="bf16 autocast")
    p.add_argument("--compile", action="store_true", help="torch.compile the model")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--checkpoint", default=None, help="save here; resume from here if it exists")
    p.add_argument("--every", type=int, default=None, help="checkpoint every N steps (and at epoch ends)")
    p.add_argument("--save-weights", default=None, help="write the final state_dict here")
    p.add_argument("--log-json", default=None, help="write the history (per-step loss, per-epoch metrics)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--make-pretrained", action="store_true", help="rebuild the shipped pretrained backbone")
    p.add_argument("--out", default=None, help="folder for --make-pretrained (default datasets/pretrained)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.make_pretrained:
        (weights, meta), result = make_pretrained(args.out, progress=not args.quiet)
        print(f"wrote {weights} and {meta}: test accuracy on classes 0-4 {result['test_acc']:.1%}")
        return 0
    fields = {f.name for f in dataclasses.fields(Settings)}
    s = Settings(**{k: v for k, v in vars(args).items() if k in fields and k != "amp"},
                 amp={"auto": None, "on": True, "off": False}[args.amp])
    t0 = time.perf_counter()
    r = run(s, checkpoint=args.checkpoint, every=args.every, log_json=args.log_json, progress=not args.quiet)
    if r["rank"] == 0:
        print(f"{describe_device(r['device'])}, {r['world_size']} process(es): test accuracy {r['test_acc']:.2%}, "
              f"training {r['train_time']:.1f} s (wall {time.perf_counter() - t0:.1f} s)")
        if args.save_weights:
            import io
            buf = io.BytesIO()
            torch.save(r["model"].state_dict(), buf)
            ckpt.atomic_write_bytes(args.save_weights, buf.getvalue())
        if args.log_json:
            print(json.dumps({"test_acc": r["test_acc"], "train_time": r["train_time"]}))
    dist.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
