"""Tier D - grade one notebook: plan, run in the sandbox, compare in this process, score.

The expected outputs are computed here, from the reference implementation, and never leave
this process; the sandbox only receives the graded cells, the drivers and the test inputs
(hidden inputs included - they are not secret from the code under test, only from the
feedback). A failed step costs its own test case and nothing else: the sandbox restarts
and the next case runs in a fresh process.
"""

import inspect
import os
import re
import shutil
import tempfile
import textwrap
import time
from dataclasses import dataclass, field

import numpy as np

from cs231n_lab.grading.compare import OutputError, compare_arrays, decode_npy, encode_npy
from cs231n_lab.grading.notebook import (AST_LOCK, NotebookError, definition_fingerprints, fingerprint, parse_python,
                                        plan_units, read_notebook)
from cs231n_lab.grading.sandbox import Limits, process_guard, run_job

__all__ = ["CaseResult", "SubmissionResult", "grade_submission", "build_job"]


@dataclass
class CaseResult:
    item: str
    case: str
    hidden: bool
    score: float
    max_score: float
    passed: bool
    message: str


@dataclass
class SubmissionResult:
    name: str
    assignment: str
    cases: list
    notes: list = field(default_factory=list)
    execution_time: float = 0.0
    sandbox: dict = field(default_factory=dict)  # for instructors: Landlock ABI used, restarts
    fingerprints: dict = field(default_factory=dict)  # item -> hash of its normalised source

    @property
    def score(self):
        return round(sum(c.score for c in self.cases), 4)

    @property
    def max_score(self):
        return round(sum(c.max_score for c in self.cases), 4)

    def item_scores(self):
        """{item: (score, max_score)} in assignment order."""
        out = {}
        for c in self.cases:
            s, m = out.get(c.item, (0.0, 0.0))
            out[c.item] = (round(s + c.score, 4), round(m + c.max_score, 4))
        return out


def _encode_inputs(value):
    if isinstance(value, np.ndarray):
        return {"__npy__": encode_npy(value)}
    if isinstance(value, dict):
        return {str(k): _encode_inputs(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode_inputs(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def build_job(assignment, nb):
    """The sandbox's job for notebook ``nb`` and the plan behind it."""
    names = {item.name for item in assignment.items}
    units, where, syntax_errors = plan_units(nb, names)
    tests, meta = [], []
    # Every public case runs before any hidden one: a message shown in full (public) can then
    # never carry a hidden input that student code stashed from an earlier test.
    for hidden in (False, True):
        for item in assignment.items:
            for case in item.cases:
                if case.hidden == hidden:
                    tests.append({"item": item.name, "inputs": _encode_inputs(assignment.inputs(item, case))})
                    meta.append((item, case))
    job = {"units": units, "tests": tests, "blocked_imports": list(assignment.blocked_imports),
           "drivers": {i.name: i.driver_source for i in assignment.items},
           "driver_names": {i.name: i.driver.__name__ for i in assignment.items}}
    return job, meta, where, syntax_errors


def _mask(message):
    """A hidden test's exception message: first line, digits masked, short (inputs never leak)."""
    line = (message or "").strip().split("\n")[0]
    return re.sub(r"\d+", "#", line)[:120]


def _judge_case(item, case, event, expected, inputs, limits):
    """(passed, message) of one case from the sandbox's report."""
    reveal = not case.hidden
    if "failure" in event:
        kind, message = event["failure"]
        return False, message
    if event.get("error"):
        etype, message = event["error"].get("type", "?"), str(event["error"].get("message", ""))
        if etype == "NotImplementedError":
            return False, "not implemented (raises NotImplementedError)"
        text = message[:300] if reveal else _mask(message)
        if etype == "NameError" and "is not defined in your notebook" in message:
            return False, text
        if "refused while grading" in message:
            return False, f"{etype}: {text}"
        return False, f"raised {etype}: {text}"
    outputs = event.get("outputs") or {}
    got, problems = {}, []
    for name, exp in expected.items():
        if name not in outputs:
            problems.append(f"{name}: not returned")
            continue
        try:
            arr, problem = decode_npy(outputs[name], name, exp, reveal)
        except OutputError as exc:
            problems.append(str(exc))
            continue
        if problem:
            problems.append(problem)
        else:
            got[name] = arr
    if problems:
        return False, "; ".join(problems)
    if item.judge is not None:
        verdicts = item.judge(inputs, got, expected, reveal)
    else:
        verdicts = {n: compare_arrays(n, got[n], expected[n], item.tol, reveal) for n in expected}
    bad = [msg for ok, msg in verdicts.values() if not ok]
    return (False, "; ".join(bad)) if bad else (True, "passed")


def _reference_fingerprints(assignment):
    """Copy-detector fingerprints of the reference solutions, computed once per assignment.

    Under AST_LOCK: grading threads call this at the same time, and inspect.getsource of a
    class parses its whole module (see AST_LOCK in cs231n_lab.grading.notebook).
    """
    with AST_LOCK:
        cache = assignment.__dict__.get("_reference_fingerprints")
        if cache is None:
            cache, refs = {}, assignment.reference_namespace()
            for item in assignment.items:
                try:
                    cache[item.name] = fingerprint(
                        parse_python(textwrap.dedent(inspect.getsource(getattr(refs, item.name)))).body[0])
                except (OSError, TypeError, SyntaxError, IndexError):
                    cache[item.name] = None
            assignment.__dict__["_reference_fingerprints"] = cache
    return cache


def _notes_from_units(units_plan, units, where, syntax_errors, limits):
    notes = []
    for cell, message in sorted(syntax_errors.items()):
        notes.append(f"cell {cell} has a syntax error and was not run: {message}")
    for i, unit in enumerate(units_plan):
        status = units.get(i, {})
        names = ", ".join(unit["defines"]) or "helpers/imports"
        if "failure" in status:
            notes.append(f"cell {unit['cell']} (defining {names}) was stopped: {status['failure'][1]}; "
                         "what it defines is not graded")
        elif status.get("error") and unit["cell"] not in syntax_errors:
            err = status["error"]
            notes.append(f"cell {unit['cell']} (defining {names}) raised {err.get('type')} at top level: "
                         f"{str(err.get('message', ''))[:200]}")
    return notes


def grade_submission(assignment, path, limits=None, name=None, scratch_root=None):
    """Grade one notebook; never raises for anything the notebook contains."""
    limits = limits or Limits()
    name = name or os.path.splitext(os.path.basename(path))[0]
    t0 = time.perf_counter()
    try:
        nb = read_notebook(path)
    except NotebookError as exc:
        cases = [CaseResult(i.name, c.name, c.hidden, 0.0, i.case_points(), False, f"not graded: {exc}")
                 for i in assignment.items for c in i.cases]
        return SubmissionResult(name, assignment.name, cases, [f"could not read the notebook: {exc}"],
                                time.perf_counter() - t0)
    notes = []
    declared = (nb.metadata.get("cs231n_lab") or {}).get("assignment") if isinstance(nb.metadata, dict) else None
    if declared and declared != assignment.name:
        notes.append(f"this notebook is assignment {declared}, but it was graded as {assignment.name}")
    job, meta, where, syntax_errors = build_job(assignment, nb)
    scratch = tempfile.mkdtemp(prefix="cs231n-grade-", dir=scratch_root)
    workdir = os.path.join(scratch, "work")
    os.mkdir(workdir)
    try:
        with process_guard():
            units, tests, info = run_job(job, scratch, workdir, limits)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    notes += _notes_from_units(job["units"], units, where, syntax_errors, limits)
    cases, failed_items = [], set()
    for k, (item, case) in enumerate(meta):
        if item.name not in where:
            passed, message = False, f"{item.name} is not defined in the notebook"
        else:
            passed, message = _judge_case(item, case, tests.get(k, {"failure": ("crash", "not run")}),
                                          assignment.expected(item, case), assignment.inputs(item, case), limits)
        if not passed:
            failed_items.add(item.name)
        cases.append(CaseResult(item.name, case.name, case.hidden, item.case_points() if passed else 0.0,
                                item.case_points(), passed, message))
    order = {(i.name, c.name): k for k, (i, c) in enumerate((i, c) for i in assignment.items for c in i.cases)}
    cases.sort(key=lambda c: order[(c.item, c.case)])  # back to assignment order for the reports
    for c in cases:
        broken = [d for d in assignment.item(c.item).uses if d in failed_items]
        if not c.passed and broken:
            c.message += (f" (this test also runs your {', '.join(broken)}, which "
                          f"{'fails its' if len(broken) == 1 else 'fail their'} own tests)")
    refs, fingerprints = _reference_fingerprints(assignment), definition_fingerprints(nb, where)
    for item_name, cell in sorted(where.items(), key=lambda kv: kv[1]):
        if refs.get(item_name) and fingerprints.get(item_name) == refs[item_name]:
            notes.append(f"{item_name} (cell {cell}) is a verbatim copy of the course's reference "
                         "implementation (identical after normalising names and formatting)")
    return SubmissionResult(name, assignment.name, cases, notes, time.perf_counter() - t0, info, fingerprints)
