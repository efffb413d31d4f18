"""Timing helper shared by the benchmarks (a leading underscore: not a benchmark itself)."""

import time

__all__ = ["best_time"]


def best_time(fn, repeat):
    """Best wall-clock time of ``repeat`` calls of fn() in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)
