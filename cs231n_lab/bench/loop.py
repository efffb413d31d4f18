"""Benchmark of the torch training loop (Lecture 8): ``python -m cs231n_lab.bench loop [options]``.

Sections (each prints figures and a ratio against a reference measured in the same run):

  overhead   ``fit`` vs a bare hand-written loop: same model, data path, device, steps.
  datapath   ``DeviceData`` (on-device, batched by index) vs a plain ``DataLoader`` over the
             same in-memory tensors: samples/s with the same model and batch size, and the
             data path alone.
  accuracy   the CPU run on the bundled subset: test accuracy and training time (target:
             >= 89% within 90 s on 2 cores).
  gpu        (--gpu) Fashion-MNIST, full official set, 5 seeds on one CUDA GPU: time and test
             accuracy per seed. Skipped, saying so, where there is no CUDA GPU.

Options: --sections overhead,datapath,accuracy (default all but gpu), --gpu, --gpu-epochs 12,20,30,
--steps N, --device cpu|cuda|auto, --threads N.
"""

import argparse
import dataclasses
import statistics

import numpy as np
import torch
import torch.nn.functional as F

from cs231n_lab.pytorch.data import DeviceData, LoaderData, make_loader
from cs231n_lab.pytorch.device import describe_device, pick_device, prepare_model
from cs231n_lab.pytorch.loop import fit
from cs231n_lab.pytorch.models import ConvNet
from cs231n_lab.train import Settings, run
from cs231n_lab.bench._timing import best_time

# The CPU accuracy run (bundled subset, 2 cores): >= 89% test accuracy within 90 s.
CPU_RUN = Settings(widths=(32, 64, 128), epochs=20, batch_size=128, lr=0.2, flip=True, device="cpu", seed=0)
# The GPU run on the full official Fashion-MNIST set (per seed). Not yet run on a GPU. On a
# CPU (fp32, 2 threads, seed 0) this recipe reached 92.22% in 12 epochs - below the 93.0%
# target - and 93.10% in 20, so sweep the length on the GPU: --gpu --gpu-epochs 12,20,30.
GPU_RUN = Settings(data="fashion-mnist-full", widths=(64, 128, 256), epochs=12, batch_size=512, lr=0.4,
                   flip=True, crop_padding=2, label_smoothing=0.1, device="cuda", seed=0)


def _data(n, device, seed=0):
    g = np.random.default_rng(seed)
    return g.normal(size=(n, 1, 28, 28)).astype(np.float32), g.integers(0, 10, n)


def _bare_loop(model, opt, data, epochs):
    """The loop a student writes by hand: no schedule, no hooks, no metrics."""
    for epoch in range(epochs):
        for X_batch, y_batch in data.batches(epoch):
            loss = F.cross_entropy(model(X_batch), y_batch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    if data.device.type == "cuda":
        torch.cuda.synchronize()


def overhead(device, steps, repeats=3):
    X, y = _data(steps * 64, device)
    data = DeviceData(X, y, 64, device=device)
    model = prepare_model(ConvNet(widths=(16, 32, 64)), device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    _bare_loop(model, opt, data, 1)  # warm-up (allocator, kernels)
    bare, ours = [], []
    for _ in range(repeats):  # alternate, so drifting machine load hits both alike
        bare.append(best_time(lambda: _bare_loop(model, opt, data, 1), 1))
        ours.append(best_time(lambda: fit(model, data, optimizer=opt, epochs=1, progress=False,
                                          schedule=lambda t: 0.01), 1))
    b, o = statistics.median(bare) / steps, statistics.median(ours) / steps
    print(f"  bare loop {1e3 * b:.2f} ms/step   fit {1e3 * o:.2f} ms/step   "
          f"fit / bare = {o / b:.3f}  (target <= 1.05; median of {repeats}, {steps} steps each)")


def datapath(device, steps, batch_size=128):
    X, y = _data(steps * batch_size, device)
    on_device = DeviceData(X, y, batch_size, device=device)
    loader = LoaderData(make_loader(X, y, batch_size, pin_memory=device.type == "cuda"), device=device)
    model = prepare_model(ConvNet(widths=(16, 32, 64)), device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    n = steps * batch_size
    rates = {}
    for name, data in (("DeviceData", on_device), ("DataLoader", loader)):
        fit(model, data, optimizer=opt, epochs=1, progress=False)  # warm-up
        t = best_time(lambda: fit(model, data, optimizer=opt, epochs=1, progress=False), 1)
        alone = best_time(lambda: [None for _ in data.batches(0)], 1)
        rates[name] = (n / t, n / alone)
        print(f"  {name:10s} training {n / t:10.0f} samples/s   data path alone {n / alone:12.0f} samples/s")
    (dt, da), (lt, la) = rates["DeviceData"], rates["DataLoader"]
    print(f"  DeviceData / DataLoader: training {dt / lt:.2f}x, data path alone {da / la:.1f}x  (target >= 5x)")


def accuracy(settings=CPU_RUN, budget_s=90.0, target=0.89):
    r = run(settings, progress=False)
    ok = r["test_acc"] >= target and r["train_time"] <= budget_s
    print(f"  {settings.epochs} epochs of ConvNet{tuple(settings.widths)} (flips, one-cycle, SGD-Nesterov) on the "
          f"bundled subset: test accuracy {r['test_acc']:.1%}, training {r['train_time']:.1f} s on "
          f"{describe_device(r['device'])} -> {'meets' if ok else 'misses'} {target:.0%} within {budget_s:.0f} s")


def gpu(seeds=5, epochs=(GPU_RUN.epochs,)):
    """GPU_RUN for each epoch count in ``epochs`` and each seed: time and test accuracy.

    The first count is the >= 93.0% in <= 10 s figure; longer ones (``--gpu-epochs 12,20,30``)
    show what 94% costs.
    """
    if not torch.cuda.is_available():
        print("  skipped: no CUDA GPU on this machine (the full-set Fashion-MNIST run needs one)")
        return
    try:
        from cs231n_lab.datasets import load_fashion_mnist
        load_fashion_mnist()
    except (FileNotFoundError, OSError, ValueError) as e:
        print(f"  skipped: the full Fashion-MNIST set is not available ({e}); "
              "get it with python -m cs231n_lab.datasets fetch fashion-mnist")
        return
    for n_epochs in epochs:
        accs, times = [], []
        for seed in range(seeds):
            r = run(dataclasses.replace(GPU_RUN, seed=seed, epochs=n_epochs), progress=False)
            accs.append(r["test_acc"])
            times.append(r["train_time"])
            print(f"  {n_epochs} epochs, seed {seed}: test accuracy {r['test_acc']:.2%}, training {r['train_time']:.1f} s")
        print(f"  {n_epochs} epochs, mean over {seeds} seeds: {np.mean(accs):.2%} (min {min(accs):.2%}), "
              f"{np.mean(times):.1f} s per run on {describe_device(torch.device('cuda'))} "
              f"(targets: >= 93.0% within 10 s; 94% reached: {'yes' if np.mean(accs) >= 0.94 else 'no'})")


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m cs231n_lab.bench loop")
    p.add_argument("--sections", default="overhead,datapath,accuracy")
    p.add_argument("--gpu", action="store_true", help="also run the full-set Fashion-MNIST GPU runs")
    p.add_argument("--gpu-epochs", default=str(GPU_RUN.epochs),
                   help="comma-separated epoch counts for the GPU runs, e.g. 12,20,30 (what 94%% costs)")
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)
    try:
        gpu_epochs = tuple(int(e) for e in args.gpu_epochs.split(","))
    except ValueError:
        p.error(f"--gpu-epochs must be comma-separated integers, got {args.gpu_epochs!r}")
    if any(e < 1 for e in gpu_epochs) or args.steps < 1:
        p.error("--gpu-epochs entries and --steps must be >= 1")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(None if args.device == "auto" else args.device)
    sections = [s for s in args.sections.split(",") if s] + (["gpu"] if args.gpu else [])
    print(f"device: {describe_device(device)}; torch {torch.__version__}")
    for name in sections:
        print(f"[{name}]", flush=True)
        if name == "overhead":
            overhead(device, args.steps)
        elif name == "datapath":
            datapath(device, args.steps)
        elif name == "accuracy":
            accuracy()
        elif name == "gpu":
            gpu(epochs=gpu_epochs)
        else:
            print(f"unknown section {name!r}; expected overhead, datapath, accuracy, gpu")
            return 2
    return 0
