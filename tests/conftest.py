"""Shared test helpers. Tests mirror the package: tests/test_<module>.py."""

import importlib.util
import os

import numpy as np
import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (derandomize), so `make test` and CI
# never fail by chance. To search new examples, run with HYPOTHESIS_PROFILE=explore.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

HAS_TORCH = importlib.util.find_spec("torch") is not None


def torch_cuda_available():
    if not HAS_TORCH:
        return False
    import torch
    return torch.cuda.is_available()


def requires_gpu(test):
    """Mark a test ``gpu`` (select them with ``pytest -m gpu``) and skip it, with a reason, without CUDA."""
    skip = pytest.mark.skipif(not torch_cuda_available(),
                              reason="needs a CUDA GPU; none is present on this machine (CI has none)")
    return pytest.mark.gpu(skip(test))


@pytest.fixture
def rng():
    """A fresh, seeded NumPy Generator for each test."""
    return np.random.default_rng(231)
