"""Shared test helpers. Tests mirror the package: tests/test_<module>.py."""

import importlib.util

import numpy as np
import pytest

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
