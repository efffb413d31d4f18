"""Shared test helpers. Tests mirror the package: tests/test_<module>.py."""

import importlib.util
import os

import numpy as np
import pytest

# Keep test runs on 2 cores predictable: pytest-xdist already runs one worker per core.
os.environ.setdefault("OMP_NUM_THREADS", "1")

HAS_TORCH = importlib.util.find_spec("torch") is not None


def torch_cuda_available():
    if not HAS_TORCH:
        return False
    import torch
    return torch.cuda.is_available()


requires_gpu = pytest.mark.skipif(not torch_cuda_available(),
                                  reason="needs a CUDA GPU; none is present on this machine (CI has none)")


@pytest.fixture
def rng():
    """A fresh, seeded NumPy Generator for each test."""
    return np.random.default_rng(231)
