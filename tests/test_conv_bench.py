"""The conv benchmark's measuring code runs and checks its own results (no timing assertions)."""

import pytest

from cs231n_lab.bench import __main__ as bench_main
from cs231n_lab.bench.conv import bench_shape, main


def test_bench_is_listed():
    assert "conv" in bench_main.available()


def test_bench_shape_measures_and_compares_on_a_tiny_shape():
    r = bench_shape((2, 3, 7, 7), (4, 3, 3, 3), 2, 1, repeat=1, naive_repeat=1)
    assert set(r) == {"naive_fwd", "naive_bwd", "fast_fwd", "fast_bwd", "fast_both", "torch_both",
                      "diff_naive", "diff_torch", "faults_fast", "faults_torch"}
    assert all(r[k] > 0 for k in r if not k.startswith(("diff", "faults")))
    assert all(r[k] is None or r[k] >= 0 for k in ("faults_fast", "faults_torch"))
    assert r["diff_naive"] < 1e-10 and r["diff_torch"] < 1e-10


def test_bench_rejects_bad_arguments():
    with pytest.raises(SystemExit):
        main(["--repeat", "0"])
