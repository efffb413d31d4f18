"""Tier D - ``check(name, fn)``: the public tests of one item, run in the student's notebook.

    check("affine_forward", affine_forward)

prints one line per item - PASS with the tolerance met, or FAIL with the failing case, the
relative error (or shape/dtype/NaN problem) and a hint. Only *public* cases run here, and the
expected values come from the reference implementation in this same kernel; the grader runs
the hidden cases in its sandbox. Tests of a backward pass (or of the two-layer net) call the
student's other functions too; ``check`` finds them in the notebook's globals.
"""

import sys

from cs231n_lab.grading.compare import OutputError, as_numeric_array, compare_arrays
from cs231n_lab.grading.spec import ASSIGNMENTS, get_assignment

__all__ = ["check", "run_public_tests", "find_item"]


def find_item(name, assignment=None):
    """(Assignment, Item) graded under ``name``; ValueError naming the known items otherwise."""
    names = [assignment] if assignment else list(ASSIGNMENTS)
    known = []
    for a in names:
        spec = get_assignment(a)
        for item in spec.items:
            if item.name == name:
                return spec, item
            known.append(item.name)
    raise ValueError(f"check: no graded item called {name!r}; expected one of {known}")


class _Namespace:
    def __init__(self, functions):
        self._functions = functions

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._functions:
            raise NameError(f"this test also calls your {name}: define it (run its cell) first")
        return self._functions[name]


def run_public_tests(name, fn, namespace=None, assignment=None):
    """[(case name, passed, message)] for the public cases of item ``name`` with ``fn`` as the answer."""
    spec, item = find_item(name, assignment)
    functions = dict(namespace or {})
    functions[name] = fn
    f = _Namespace(functions)
    results = []
    for case in (c for c in item.cases if not c.hidden):
        inputs = spec.inputs(item, case)
        try:
            raw = item.driver(f, **inputs)
        except NotImplementedError:
            results.append((case.name, False, "not implemented yet"))
            continue
        except Exception as exc:
            results.append((case.name, False, f"raised {type(exc).__name__}: {str(exc)[:300]}"))
            continue
        expected, problems, got = spec.expected(item, case), [], {}
        for out, exp in expected.items():
            try:
                got[out] = as_numeric_array(raw[out], out)
            except (KeyError, TypeError):
                problems.append(f"{out}: not returned")
            except OutputError as exc:
                problems.append(str(exc))
        if not problems:
            verdicts = (item.judge(spec.inputs(item, case), got, expected, True) if item.judge
                        else {o: compare_arrays(o, got[o], expected[o], item.tol) for o in expected})
            problems = [msg for ok, msg in verdicts.values() if not ok]
        results.append((case.name, not problems, "; ".join(problems) or "passed"))
    return results


def check(name, fn, assignment=None):
    """Run the public tests of ``name`` on ``fn`` and print a short verdict (returns None)."""
    frame = sys._getframe(1)
    caller = {**frame.f_globals, **frame.f_locals}  # a notebook's globals (or a function's locals)
    results = run_public_tests(name, fn, namespace=caller, assignment=assignment)
    _, item = find_item(name, assignment)
    passed = sum(ok for _, ok, _ in results)
    if passed == len(results):
        print(f"{name}: PASS - {passed}/{len(results)} public tests (relative error < {item.tol:.0e})")
        return
    if all(msg == "not implemented yet" for _, _, msg in results):
        print(f"{name}: not implemented yet")
        return
    print(f"{name}: FAIL - {passed}/{len(results)} public tests")
    for case, ok, msg in results:
        if not ok:
            print(f"    {case}: {msg}")
    print(f"    hint: {item.hint}")
