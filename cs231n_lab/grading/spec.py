"""Tier D - what an assignment is: graded items, their test cases, points and drivers.

An **item** is one function (or class) the student writes in a notebook cell, under the
CS231n name. Each item has test **cases**: a few *public* ones (run by ``check`` in the
student notebook) and *hidden* ones (only run by the grader). A case is a seed plus an input
generator ``make_inputs(rng) -> dict``; the item's **driver** turns inputs into outputs:

    def drive(f, x, w, b):
        out, _ = f.affine_forward(x, w, b)
        return {"out": out}

``f`` is a namespace of functions: the *student's* in the sandbox, the *reference* ones
(``cs231n_lab.layers``, ``cs231n_lab.optim``, ``cs231n_lab.models``) in the grader, which
computes the expected outputs itself and never sends them anywhere. A driver only calls
functions and picks results (no arithmetic): it runs inside the student's process, where
NumPy may have been monkeypatched, so every comparison happens in the grader.

Points are spread evenly over an item's cases (partial credit per case). An item's ``uses``
lists the other graded items its driver calls (a backward test runs the student's own
forward to get the cache, as in CS231n), so feedback can say "fix affine_forward first".
"""

import importlib
import inspect
import threading
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable, Optional

import numpy as np

__all__ = ["Case", "Item", "Assignment", "get_assignment", "ASSIGNMENTS", "deep_copy", "make_cases"]

# Assignment name -> module defining ``ASSIGNMENT`` (imported lazily: A2/A3 pull in more code).
ASSIGNMENTS = {"A1": "cs231n_lab.grading.a1", "A2": "cs231n_lab.grading.a2", "A3": "cs231n_lab.grading.a3"}


@dataclass(frozen=True)
class Case:
    """One test case: ``make_inputs(np.random.default_rng(seed))`` gives the driver's inputs."""
    name: str
    seed: int
    make_inputs: Callable
    hidden: bool = False


@dataclass
class Item:
    """One graded function/class: its points, driver, cases and how outputs are judged.

    tol: largest accepted relative error (cs231n_lab.gradcheck.rel_error) per output.
    judge: optional ``judge(inputs, got, expected, reveal) -> {output: (ok, message)}``
    replacing the plain comparison with the reference for outputs that are random by design
    (dropout masks): it checks properties instead.
    """
    name: str
    points: float
    driver: Callable
    cases: list
    hint: str
    tol: float = 1e-6
    uses: tuple = ()
    judge: Optional[Callable] = None

    @property
    def driver_source(self):
        return inspect.getsource(self.driver)

    def case_points(self):
        return self.points / len(self.cases)


def make_cases(public, hidden, base):
    """Cases from input generators: public ones (seeds base, base+1, ...), then hidden ones.

    Hidden seeds live far from every public seed (10000 + base + i): a hidden input must never
    share a random stream - and so its first numbers - with a public one.
    """
    out = [Case(f"public {i + 1}", base + i, make) for i, make in enumerate(public)]
    out += [Case(f"hidden {i + 1}", 10_000 + base + i, make, hidden=True) for i, make in enumerate(hidden)]
    return out


def deep_copy(value):
    """Copy nested dicts/lists/tuples of arrays so no call can change another's inputs."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(deep_copy(v) for v in value)
    return value


@dataclass
class Assignment:
    """An assignment: its items (in notebook order) and where the reference functions live.

    references: ``{name: "module:attribute"}`` imported on first use (in the grader only).
    notebook: file name of the source notebook under ``notebooks/assignments/``.
    """
    name: str
    title: str
    notebook: str
    items: list
    references: dict
    blocked_imports: tuple = ("cs231n_lab", "torch", "torchvision")
    _expected: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def total_points(self):
        return sum(item.points for item in self.items)

    def item(self, name):
        for item in self.items:
            if item.name == name:
                return item
        raise KeyError(f"{self.name} has no item {name!r}; items: {[i.name for i in self.items]}")

    def reference_namespace(self):
        """The reference implementation of every item, as the ``f`` a driver receives."""
        ns = {}
        for name, target in self.references.items():
            module, attr = target.split(":")
            ns[name] = getattr(importlib.import_module(module), attr)
        return SimpleNamespace(**ns)

    def inputs(self, item, case):
        """Fresh inputs of one case (generated from its seed every call)."""
        return case.make_inputs(np.random.default_rng(case.seed))

    def expected(self, item, case):
        """Reference outputs of one case as float arrays, computed once per process."""
        key = (item.name, case.name)
        with self._lock:
            if key not in self._expected:
                raw = item.driver(self.reference_namespace(), **self.inputs(item, case))
                self._expected[key] = {k: np.asarray(v) for k, v in raw.items()}
            return self._expected[key]


def get_assignment(name):
    """The Assignment called ``name`` ("A1", "A2", "A3"); ValueError for an unknown name."""
    if not isinstance(name, str) or name.upper() not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {name!r}; expected one of {sorted(ASSIGNMENTS)}")
    return importlib.import_module(ASSIGNMENTS[name.upper()]).ASSIGNMENT
