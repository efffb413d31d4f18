"""The torch-loop benchmark's measuring code runs and prints its ratios (no timing assertions)."""

import pytest
import torch

from cs231n_lab.bench import __main__ as bench_main
from cs231n_lab.bench.loop import main


def test_bench_is_listed():
    assert "loop" in bench_main.available()


def test_overhead_and_datapath_sections_print_their_ratios(capsys):
    assert main(["--sections", "overhead,datapath", "--steps", "2", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "fit / bare =" in out and "(target <= 1.05" in out
    assert "DeviceData / DataLoader: training" in out and "(target >= 5x)" in out


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message printed where there is no CUDA GPU")
def test_gpu_section_says_why_it_is_skipped_without_cuda(capsys):
    assert main(["--sections", "", "--gpu", "--gpu-epochs", "12,20"]) == 0
    assert "skipped: no CUDA GPU on this machine" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--gpu-epochs", "12,x"], ["--gpu-epochs", "0"], ["--steps", "0"]])
def test_bad_arguments_are_refused(argv):
    with pytest.raises(SystemExit):
        main(argv)


def test_unknown_section_is_refused(capsys):
    assert main(["--sections", "speed"]) == 2
    assert "unknown section 'speed'" in capsys.readouterr().out
