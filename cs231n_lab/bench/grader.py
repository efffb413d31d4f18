"""Benchmark: time to grade one A1 submission and a folder of them (targets: <= 20 s, <= 10 min for 50).

    python -m cs231n_lab.bench grader [--n 50] [--workers 2] [--assignment A1]

The folder mixes complete solutions, released stubs and partly done notebooks (a seeded
random subset of items left as stubs). The reference, measured in the same run, is what a
kernel-per-submission grader pays: executing the same notebook once with nbclient (a fresh
Jupyter kernel running every cell). Figures only - nothing is asserted.
"""

import argparse
import os
import shutil
import tempfile
import time

import nbformat
import numpy as np

from cs231n_lab.grading.batch import grade_paths
from cs231n_lab.grading.grader import grade_submission
from cs231n_lab.grading.notebook import read_notebook, release_notebook
from cs231n_lab.grading.release import source_notebook
from cs231n_lab.grading.sandbox import Limits
from cs231n_lab.grading.spec import get_assignment


def _folder(spec, n, folder, seed=0):
    """n notebooks: a third complete, a third released stubs, a third partly done."""
    sol = read_notebook(source_notebook(spec))
    stub = release_notebook(sol)
    rng = np.random.default_rng(seed)
    for k in range(n):
        nb = sol if k % 3 == 0 else stub if k % 3 == 1 else nbformat.from_dict(sol)
        if k % 3 == 2:
            nb = release_notebook(sol)
            keep = rng.random(len(nb.cells)) < 0.5
            for i, cell in enumerate(nb.cells):
                if keep[i]:
                    nb.cells[i] = sol.cells[i]
        with open(os.path.join(folder, f"student_{k:03d}.ipynb"), "w", encoding="utf-8") as f:
            nbformat.write(nb, f)


def _kernel_reference(path):
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": os.path.dirname(path)}}).execute()
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cs231n_lab.bench grader")
    parser.add_argument("--n", type=int, default=50, help="submissions in the folder")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--assignment", default="A1")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of the single-submission timing")
    args = parser.parse_args(argv)
    spec, limits = get_assignment(args.assignment), Limits()
    tmp = tempfile.mkdtemp(prefix="bench-grader-")
    try:
        source = source_notebook(spec)
        single = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = grade_submission(spec, source, limits)
            single.append(time.perf_counter() - t0)
        print(f"one {spec.name} submission (solution, {result.score:g}/{result.max_score:g}): "
              f"median {np.median(single):.2f} s, best {min(single):.2f} s over {args.repeat} "
              f"(target <= 20 s)")
        kernel = _kernel_reference(source)
        print(f"reference: the same notebook run once in a fresh Jupyter kernel (nbclient): {kernel:.2f} s; "
              f"grading / kernel run = {np.median(single) / kernel:.2f}")
        subs = os.path.join(tmp, "subs")
        os.mkdir(subs)
        _folder(spec, args.n, subs)
        t0 = time.perf_counter()
        results = grade_paths(spec, subs, os.path.join(tmp, "out"), workers=args.workers, limits=limits,
                              progress=False)
        total = time.perf_counter() - t0
        scores = [r.score for r in results]
        print(f"folder of {args.n} with {args.workers} workers: {total:.1f} s ({total / args.n:.2f} s each; "
              f"target <= 600 s); scores min {min(scores):g} median {np.median(scores):g} max {max(scores):g}")
        print(f"folder / (n x one submission) = {total / (args.n * np.median(single)):.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0
