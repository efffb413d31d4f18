"""Benchmark the convolution layer: naive loops vs im2col, and im2col vs PyTorch (Lecture 5).

    python -m cs231n_lab.bench conv [--repeat 5] [--naive-repeat 1]

On the issue's two shapes (CS231n's benchmark shape and a CIFAR-sized batch) it prints

  * naive and fast forward and backward times and the speed-ups fast/naive,
  * fast forward + backward vs ``torch.nn.functional.conv2d`` forward + backward in float64
    on the CPU, on the same arrays, in the same process (ratio = ours / torch; < 1 is faster),
  * the largest difference between the three results, so a fast-but-wrong kernel shows,
  * page faults per fwd+bwd call: touching fresh memory costs one per 4 KiB, and on a
    virtual machine they can cost as much as the arithmetic (they explain most run-to-run
    variation of the ratio).

Times are the best of ``--repeat`` runs (naive: ``--naive-repeat``, it takes seconds).
Thread counts matter on a shared machine: set OMP_NUM_THREADS (NumPy's BLAS reads it at
start-up) and ``--threads`` (torch) to compare like with like; both are printed.
"""

import argparse
import os

import numpy as np
import torch

from cs231n_lab.conv import conv_backward_naive, conv_forward_naive
from cs231n_lab.conv_fast import conv_backward_fast, conv_forward_fast
from cs231n_lab.bench._timing import best_time, minor_faults

SHAPES = [  # (x shape, w shape, stride, pad)
    ((100, 3, 31, 31), (25, 3, 3, 3), 2, 1),
    ((64, 3, 32, 32), (32, 3, 3, 3), 1, 1),
]


def timed_with_faults(fn, repeat):
    """(best time in seconds, page faults per call or None) over ``repeat`` calls of fn()."""
    before = minor_faults()
    t = best_time(fn, repeat)
    after = minor_faults()
    return t, None if before is None else (after - before) / repeat


def bench_shape(x_shape, w_shape, stride, pad, repeat, naive_repeat, seed=0):
    """Time one shape; returns a dict of seconds and max differences."""
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    conv_param = {"stride": stride, "pad": pad}
    out_fast, cache_fast = conv_forward_fast(x, w, b, conv_param)
    dout = rng.standard_normal(out_fast.shape)
    r = {}

    r["naive_fwd"] = best_time(lambda: conv_forward_naive(x, w, b, conv_param), naive_repeat)
    out_naive, cache_naive = conv_forward_naive(x, w, b, conv_param)
    r["naive_bwd"] = best_time(lambda: conv_backward_naive(dout, cache_naive), naive_repeat)
    r["fast_fwd"] = best_time(lambda: conv_forward_fast(x, w, b, conv_param), repeat)
    r["fast_bwd"] = best_time(lambda: conv_backward_fast(dout, cache_fast), repeat)
    r["fast_both"], r["faults_fast"] = timed_with_faults(
        lambda: conv_backward_fast(dout, conv_forward_fast(x, w, b, conv_param)[1]), repeat)

    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tdout = torch.tensor(dout)

    def torch_both():
        tx.grad = tw.grad = tb.grad = None
        torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=pad).backward(tdout)

    torch_both()  # warm-up: first call allocates
    r["torch_both"], r["faults_torch"] = timed_with_faults(torch_both, repeat)

    grads_fast = conv_backward_fast(dout, cache_fast)
    grads_naive = conv_backward_naive(dout, cache_naive)
    out_torch = torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=pad).detach().numpy()
    r["diff_naive"] = max([float(np.max(np.abs(out_fast - out_naive)))] +
                          [float(np.max(np.abs(a - c))) for a, c in zip(grads_fast, grads_naive)])
    r["diff_torch"] = max([float(np.max(np.abs(out_fast - out_torch)))] +
                          [float(np.max(np.abs(a - t.grad.numpy()))) for a, t in zip(grads_fast, (tx, tw, tb))])
    return r


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cs231n_lab.bench conv", description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each fast/torch timing (best is kept)")
    parser.add_argument("--naive-repeat", type=int, default=1, help="runs of each naive timing")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.naive_repeat < 1:
        parser.error("--repeat and --naive-repeat must be >= 1")
    if args.threads is not None:
        if args.threads < 1:
            parser.error("--threads must be >= 1")
        torch.set_num_threads(args.threads)

    env = {k: os.environ.get(k, "unset") for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    print(f"numpy {np.__version__}, torch {torch.__version__}; torch threads {torch.get_num_threads()}; "
          + ", ".join(f"{k}={v}" for k, v in env.items()))
    print(f"float64; best of {args.repeat} (naive: best of {args.naive_repeat}); times in ms")
    for x_shape, w_shape, stride, pad in SHAPES:
        r = bench_shape(x_shape, w_shape, stride, pad, args.repeat, args.naive_repeat)
        ms = {k: 1e3 * v for k, v in r.items() if not k.startswith(("diff", "faults"))}
        print(f"\nx {x_shape}, w {w_shape}, stride {stride}, pad {pad}")
        print(f"  forward : naive {ms['naive_fwd']:10.1f}   fast {ms['fast_fwd']:8.2f}   "
              f"speed-up {r['naive_fwd'] / r['fast_fwd']:7.0f}x")
        print(f"  backward: naive {ms['naive_bwd']:10.1f}   fast {ms['fast_bwd']:8.2f}   "
              f"speed-up {r['naive_bwd'] / r['fast_bwd']:7.0f}x")
        print(f"  fwd+bwd : fast {ms['fast_both']:8.2f}   torch conv2d {ms['torch_both']:8.2f}   "
              f"ratio fast/torch {r['fast_both'] / r['torch_both']:5.2f}")
        if r["faults_fast"] is not None:
            print(f"  page faults per fwd+bwd: fast {r['faults_fast']:.0f}   torch {r['faults_torch']:.0f}")
        print(f"  max |difference|: fast vs naive {r['diff_naive']:.1e}, fast vs torch {r['diff_torch']:.1e}")
    return 0
