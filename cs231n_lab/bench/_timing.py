"""Timing helper shared by the benchmarks (a leading underscore: not a benchmark itself)."""

import time

try:
    import resource  # Unix only
except ImportError:  # pragma: no cover - Windows
    resource = None

__all__ = ["best_time", "minor_faults"]


def best_time(fn, repeat):
    """Best wall-clock time of ``repeat`` calls of fn() in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def minor_faults():
    """Page faults this process has taken so far (first touches of fresh memory), or None off Unix."""
    return None if resource is None else resource.getrusage(resource.RUSAGE_SELF).ru_minflt
