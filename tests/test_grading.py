"""The grader end to end: release, check, full marks, zero for the stub, exact partial scores.

For every assignment one folder - the source notebook, its released stub and one mutant per
item - is graded once (module fixture). A mutant wraps one graded function so its *outputs*
are wrong (its cache is untouched); the expected score is the total minus that item and the
items whose tests consume its outputs (OUTPUT_CONSUMERS, written from the drivers).
"""

import contextlib
import csv
import io
import json
import os

import nbformat
import pytest

from cs231n_lab import cli
from cs231n_lab.grading import check
from cs231n_lab.grading.batch import grade_paths
from cs231n_lab.grading.notebook import BEGIN, END, read_notebook
from cs231n_lab.grading.release import release, source_notebook
from cs231n_lab.grading.report import RESULT_FIELDS, TEST_FIELDS
from cs231n_lab.grading.sandbox import Limits
from cs231n_lab.grading.spec import get_assignment
from grading_helpers import defining_cell, solution, write

LIMITS = Limits(timeout=20.0, budget=200.0)
# item -> items whose drivers use its *outputs* (not just its cache)
OUTPUT_CONSUMERS = {
    "affine_forward": ["TwoLayerNet"], "affine_backward": ["TwoLayerNet"], "relu_forward": ["TwoLayerNet"],
    "relu_backward": ["TwoLayerNet"], "softmax_loss": ["TwoLayerNet"], "dropout_forward": ["dropout_backward"],
}

WRAP_FUNCTION = """

_original_{name} = {name}


def {name}(*args, **kwargs):
    result = _original_{name}(*args, **kwargs)
    if isinstance(result, tuple):
        return (result[0] * 1.5 + 0.1,) + tuple(result[1:])
    return result * 1.5 + 0.1
"""
WRAP_CLASS = """

_Original{name} = {name}


class {name}(_Original{name}):
    def loss(self, X, y=None):
        result = super().loss(X, y)
        return result * 1.5 if y is None else (result[0] * 1.5 + 0.1, result[1])
"""


def mutant(nb, name):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    cell = nb.cells[defining_cell(nb, name)]
    wrap = WRAP_CLASS if cell.source.lstrip().startswith("class") else WRAP_FUNCTION
    cell.source += wrap.format(name=name)
    return nb


def grade_folder(name, tmp):
    spec = get_assignment(name)
    subs = tmp / "subs"
    subs.mkdir()
    sol = solution(spec.name)
    write(sol, subs, "solution")
    release(spec, str(tmp / "released"))
    os.replace(tmp / "released" / spec.notebook, subs / "released.ipynb")
    for item in spec.items:
        write(mutant(sol, item.name), subs, f"mutant_{item.name}")
    results = grade_paths(spec, str(subs), str(tmp / "out"), workers=2, limits=LIMITS, progress=False)
    return spec, {r.name: r for r in results}, tmp / "out"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["A1", "A2", "A3"])
def test_grading_end_to_end(name, tmp_path):
    """One graded folder per assignment (grading is the expensive part), every property of it checked."""
    graded = grade_folder(name, tmp_path)
    source_notebook_gets_full_marks(graded)
    released_stub_scores_zero_without_grader_errors(graded)
    one_function_wrong_mutants_lose_exactly_their_points(graded)
    results_json_has_the_gradescope_fields(graded)
    gradebook_has_one_row_per_submission_and_one_column_per_item(graded)
    similarity_report_groups_identical_code(graded)


def similarity_report_groups_identical_code(graded):
    """Every item's solution code is shared by the solution and all mutants but its own."""
    spec, results, out = graded
    with open(out / "similarity.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    groups = {row["item"]: row["names"].split() for row in rows}
    assert sorted(groups) == sorted(i.name for i in spec.items)  # the stub is never reported
    for item in spec.items:
        expected = sorted(n for n in results if n != "released" and n != f"mutant_{item.name}")
        assert groups[item.name] == expected


def source_notebook_gets_full_marks(graded):
    spec, results, out = graded
    r = results["solution"]
    assert r.score == spec.total_points, [c.message for c in r.cases if not c.passed]
    assert not any("verbatim copy" in n for n in r.notes)
    assert r.notes == []


def released_stub_scores_zero_without_grader_errors(graded):
    spec, results, _ = graded
    r = results["released"]
    assert r.score == 0
    assert all("not implemented" in c.message for c in r.cases)


def one_function_wrong_mutants_lose_exactly_their_points(graded):
    spec, results, out = graded
    for item in spec.items:
        lost = {item.name, *OUTPUT_CONSUMERS.get(item.name, [])}
        expected = spec.total_points - sum(i.points for i in spec.items if i.name in lost)
        r = results[f"mutant_{item.name}"]
        assert r.score == pytest.approx(expected), (item.name, r.item_scores())
        assert r.item_scores()[item.name][0] == 0


def results_json_has_the_gradescope_fields(graded):
    spec, results, out = graded
    for name, r in results.items():
        data = json.loads((out / name / "results.json").read_text())
        assert set(RESULT_FIELDS) <= set(data)
        assert isinstance(data["score"], float) and isinstance(data["execution_time"], float)
        assert data["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
        assert len(data["tests"]) == sum(len(i.cases) for i in spec.items)
        for t in data["tests"]:
            assert set(TEST_FIELDS) <= set(t)
            assert t["status"] in ("passed", "failed")
            assert t["visibility"] in ("visible", "after_published")
            assert 0 <= t["score"] <= t["max_score"]
            assert isinstance(t["name"], str) and isinstance(t["output"], str)
        assert sum(t["score"] for t in data["tests"]) == pytest.approx(data["score"])
        assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(spec.total_points)


def gradebook_has_one_row_per_submission_and_one_column_per_item(graded):
    spec, results, out = graded
    with open(out / "gradebook.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["submission", *(i.name for i in spec.items), "total"]
    assert sorted(r[0] for r in rows[1:]) == sorted(results)
    for row in rows[1:]:
        assert float(row[-1]) == pytest.approx(sum(float(v) for v in row[1:-1]))
        assert float(row[-1]) == pytest.approx(results[row[0]].score)


@pytest.mark.parametrize("name", ["A1", "A2", "A3"])
def test_release_is_deterministic_and_strips_solutions(tmp_path, name):
    spec = get_assignment(name)
    before = open(source_notebook(spec), "rb").read()
    assert cli.main(["release", name, "--out", str(tmp_path / "a")]) == 0
    assert cli.main(["release", name, "--out", str(tmp_path / "b")]) == 0
    a = (tmp_path / "a" / spec.notebook).read_bytes()
    assert a == (tmp_path / "b" / spec.notebook).read_bytes()
    assert open(source_notebook(spec), "rb").read() == before
    text = a.decode()
    assert BEGIN not in text and END not in text
    nb = read_notebook(str(tmp_path / "a" / spec.notebook))
    assert set(nb.metadata) <= {"kernelspec", "language_info", "cs231n_lab"}
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    for item in spec.items:
        assert "NotImplementedError" in code[[i for i, c in enumerate(code)
                                              if f"def {item.name}(" in c.source or f"class {item.name}" in c.source][0]].source


def test_released_notebook_runs_and_check_says_not_implemented(tmp_path):
    path = release("A1", str(tmp_path))
    nb = read_notebook(path)
    scope, out = {"__name__": "__main__"}, io.StringIO()
    with contextlib.redirect_stdout(out):
        for cell in nb.cells:
            if cell.cell_type == "code":
                try:
                    exec(cell.source, scope)
                except NotImplementedError:
                    pass  # the demo cell after the network needs the student's code
    printed = out.getvalue()
    for name in ("affine_forward", "svm_loss", "TwoLayerNet"):
        assert f"{name}: not implemented yet" in printed


def test_check_prints_pass_fail_with_hint(capsys):
    import numpy as np

    from cs231n_lab.layers import affine_forward, relu_forward

    check("affine_forward", affine_forward)
    assert "affine_forward: PASS - 2/2 public tests" in capsys.readouterr().out

    check("affine_forward", lambda x, w, b: (x.reshape(x.shape[0], -1) @ w, None))  # forgot + b
    printed = capsys.readouterr().out
    assert "affine_forward: FAIL - 0/2 public tests" in printed
    assert "out: relative error" in printed and "hint:" in printed

    check("relu_forward", lambda x: (np.abs(x), x))
    assert "relu_forward: FAIL" in capsys.readouterr().out

    def stub(x):
        raise NotImplementedError

    check("relu_forward", stub)
    assert capsys.readouterr().out.strip() == "relu_forward: not implemented yet"
    from cs231n_lab.layers import relu_backward  # its check finds relu_forward in the caller's scope
    check("relu_backward", relu_backward)
    assert "relu_backward: PASS" in capsys.readouterr().out


def test_check_rejects_unknown_items_and_reports_missing_dependencies(capsys):
    from cs231n_lab.grading.check import run_public_tests
    from cs231n_lab.layers import affine_backward

    with pytest.raises(ValueError, match="no graded item called 'affine_fwd'"):
        check("affine_fwd", print)
    results = run_public_tests("affine_backward", affine_backward, namespace={})
    assert all(not ok and "define it" in msg for _, ok, msg in results)


def test_cli_exit_codes(tmp_path, capsys):
    assert cli.main(["grade", "A9", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "unknown assignment" in capsys.readouterr().err
    assert cli.main(["grade", "A1", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert cli.main(["release", "A1", "--out", str(tmp_path / "rel")]) == 0
    assert cli.main(["grade", "A1", str(tmp_path / "rel"), "--out", str(tmp_path / "o"), "--no-progress",
                     "--timeout", "20"]) == 0
    assert (tmp_path / "o" / "gradebook.csv").exists()
    assert cli.main(["list"]) == 0
    assert "A3" in capsys.readouterr().out
