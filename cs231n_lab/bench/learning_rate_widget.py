"""Benchmark the Lecture 6 widgets' redraw time (the learning-rate widget must answer in seconds).

    python -m cs231n_lab.bench learning_rate_widget [--repeat 3] [--steps 300] [--train 500]

For three learning rates (too low, good, too high) it times one redraw of the learning-rate
widget - ``compute_learning_curves`` (300 SGD steps of FullyConnectedNet([50]) on 500
bundled images, with accuracy checks) plus ``plot_learning_curves`` - and one redraw of the
initialisation explorer (10 layers x 500 units, 300 examples). As a reference measured in
the same process it times one forward + backward pass of the same net on a 50-image
minibatch, and prints how many such passes one redraw costs (ratio = redraw / pass).
Times are the best of ``--repeat`` runs; OMP_NUM_THREADS is printed (small matrices are
fastest single-threaded, and a busy machine with many BLAS threads is much slower).
"""

import argparse
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from cs231n_lab.datasets import get_split_data  # noqa: E402
from cs231n_lab.models import FullyConnectedNet  # noqa: E402
from cs231n_lab.viz.learning_rate import compute_learning_curves, plot_learning_curves  # noqa: E402
from cs231n_lab.viz.weight_init import compute_init_statistics, plot_layer_histograms  # noqa: E402
from cs231n_lab.bench._timing import best_time  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cs231n_lab.bench learning_rate_widget")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--train", type=int, default=500)
    args = parser.parse_args(argv)
    print(f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')}")
    data = get_split_data(num_training=args.train, num_validation=500, num_test=1)

    model = FullyConnectedNet([50], input_dim=28 * 28, num_classes=10, rng=0)
    X, y = data["X_train"][:50], data["y_train"][:50]
    ref = best_time(lambda: model.loss(X, y), max(args.repeat, 20))
    print(f"reference: one forward+backward on 50 images   {ref * 1e3:8.3f} ms")

    for lr in (1e-4, 1e-1, 3.0):
        def redraw():
            curves = compute_learning_curves(data, lr, 1e-4, num_steps=args.steps, num_train=args.train)
            plt.close(plot_learning_curves(curves))
        t = best_time(redraw, args.repeat)
        print(f"learning-rate widget redraw, lr {lr:7.0e}       {t:8.3f} s   = {t / ref:8.0f} x reference")

    def init_redraw():
        plt.close(plot_layer_histograms(compute_init_statistics("xavier", "tanh", num_examples=300)))
    t = best_time(init_redraw, args.repeat)
    print(f"initialisation explorer redraw (tanh, Xavier)   {t:8.3f} s   = {t / ref:8.0f} x reference")
    return 0
