"""Tier D - benchmarks: ``python -m cs231n_lab.bench NAME`` (or ``all``).

Each benchmark is a module ``cs231n_lab.bench.NAME`` with a ``main(argv)`` function. It
prints figures *and* ratios against a reference measured in the same process, never
asserts on time: performance is reported, correctness is tested.
"""
