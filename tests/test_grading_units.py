"""Pieces of the grader on their own: reading returned arrays, solution markers, the run plan."""

import base64
import io
import threading
import time

import nbformat
import numpy as np
import pytest

from cs231n_lab.grading.compare import OutputError, compare_arrays, decode_npy, encode_npy
from cs231n_lab.grading.grader import _mask
from cs231n_lab.grading import notebook as nb_module
from cs231n_lab.grading.notebook import normalised_dump, plan_units, strip_solution
from cs231n_lab.grading.sandbox import Limits


def _npy_text(arr, allow_pickle=False):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=allow_pickle)
    return base64.b64encode(buf.getvalue()).decode()


def test_decode_round_trip_and_checks_before_loading():
    exp = np.arange(6.0).reshape(2, 3)
    got, problem = decode_npy(encode_npy(exp), "out", exp)
    assert problem is None and np.array_equal(got, exp)
    _, problem = decode_npy(encode_npy(exp.T.copy()), "out", exp)
    assert problem == "out: shape mismatch, got (3, 2), expected (2, 3)"
    _, problem = decode_npy(encode_npy(exp.T.copy()), "out", exp, reveal=False)
    assert "(" not in problem.replace("(your output has the wrong shape)", "")
    _, problem = decode_npy(encode_npy(exp.astype(np.float32)), "out", exp)
    assert problem == "out: dtype mismatch, got float32, expected float64"


def test_decode_refuses_pickles_garbage_and_lying_headers():
    exp = np.zeros(3)
    with pytest.raises(OutputError, match="expected a numeric array"):
        decode_npy(_npy_text(np.array([{"evil": 1}], dtype=object), allow_pickle=True), "out", exp)
    with pytest.raises(OutputError, match="could not be read"):
        decode_npy(base64.b64encode(b"not an npy file").decode(), "out", exp)
    # a header that claims a matching shape but carries no data: rejected when loading
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (3,)})
    text = base64.b64encode(header.getvalue()).decode()
    with pytest.raises(OutputError, match="truncated or corrupt"):
        decode_npy(text, "out", exp)
    # a header that claims an enormous array is answered from the header alone
    big = io.BytesIO()
    np.lib.format.write_array_header_1_0(big, {"descr": "<f8", "fortran_order": False, "shape": (10 ** 12,)})
    text = base64.b64encode(big.getvalue()).decode()
    assert decode_npy(text, "out", exp)[1].startswith("out: shape mismatch")


def test_compare_arrays_messages():
    exp = np.array([1.0, 2.0])
    assert compare_arrays("dx", exp + 1e-12, exp, 1e-6)[0]
    ok, msg = compare_arrays("dx", np.array([1.0, np.nan]), exp, 1e-6)
    assert not ok and "NaN or inf" in msg
    ok, msg = compare_arrays("dx", exp * 2, exp, 1e-6)
    assert not ok and msg.startswith("dx: relative error 3.3e-01")
    assert compare_arrays("dx", exp * 2, exp, 1e-6, reveal=False)[1] == "dx: wrong values, relative error 3e-01"


def test_hidden_exception_messages_are_masked():
    assert _mask("shapes (7,3) and (4,2) not aligned\nsecond line") == "shapes (#,#) and (#,#) not aligned"
    assert len(_mask("x" * 10_000)) == 120


def test_strip_solution_stubs_and_rejects_broken_markers():
    src = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    y = x\n    ### END SOLUTION\n    return y"
    out = strip_solution(src)
    assert "y = x" not in out and 'raise NotImplementedError("f: write your code here")' in out
    assert out.startswith("def f(x):\n    y = 1\n    # YOUR CODE HERE")
    with pytest.raises(ValueError, match="cell 3: '### BEGIN SOLUTION' is never closed"):
        strip_solution("### BEGIN SOLUTION\nx = 1", where="cell 3")
    with pytest.raises(ValueError, match="without a"):
        strip_solution("x = 1\n### END SOLUTION")


def test_plan_runs_defining_cells_whole_and_only_definitions_elsewhere():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in (
        "%matplotlib inline\nimport numpy as np\nEPS = 1e-8\nx = np.ones(3)\nprint(x)\nwhile True: pass",
        "def relu_forward(x):\n    return 0\n",
        "def helper():\n    return 1\nfor i in range(10**12): pass",
        "def relu_forward(x):\n    return np.maximum(0, x), x\nprint('defined')",
        "relu_forward = None\ncheck('relu_forward', relu_forward)",
        "def broken(:\n",
        "svm_loss = lambda x, y: (0.0, x)",
    )]
    units, where, errors = plan_units(nb, {"relu_forward", "svm_loss"})
    assert where == {"relu_forward": 3, "svm_loss": 6} and set(errors) == {5}
    by_cell = {u["cell"]: u for u in units}
    assert by_cell[0]["source"] == "import numpy as np\nEPS = 1e-08"  # no loop, no print, no magic
    assert by_cell[2]["source"].startswith("def helper") and "range" not in by_cell[2]["source"]
    assert by_cell[3]["defines"] == ["relu_forward"] and "print('defined')" in by_cell[3]["source"]
    assert by_cell[4]["source"] == "relu_forward = None"  # a literal; the runner restores graded names after
    assert 5 not in by_cell


def test_normalised_dump_ignores_names_docstrings_and_layout():
    import ast
    a = ast.parse('def f(x, w):\n    """doc"""\n    out = x @ w\n    return out').body[0]
    b = ast.parse("def g(inp, weights):\n    result = (inp\n       @ weights)\n    return result").body[0]
    c = ast.parse("def g(inp, weights):\n    return inp @ weights").body[0]
    assert normalised_dump(a) == normalised_dump(b) != normalised_dump(c)


def test_limits_reject_bad_values():
    with pytest.raises(ValueError, match="timeout must be a positive number, got 0"):
        Limits(timeout=0)


from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_]),
                  shape=hnp.array_shapes(min_dims=0, max_dims=4, max_side=5)))
def test_any_numeric_array_survives_the_trip_from_the_sandbox(arr):
    got, problem = decode_npy(encode_npy(arr), "out", arr)
    assert problem is None and got.dtype == arr.dtype and got.shape == arr.shape
    assert np.array_equal(got, arr, equal_nan=arr.dtype.kind == "f")


def test_a_sandbox_that_cannot_start_is_a_grader_error(tmp_path):
    from cs231n_lab.grading.grader import grade_submission
    from cs231n_lab.grading.release import source_notebook
    from cs231n_lab.grading.sandbox import SandboxError
    from cs231n_lab.grading.spec import get_assignment

    with pytest.raises(SandboxError, match="did not start"):
        grade_submission(get_assignment("A1"), source_notebook("A1"), Limits(startup_timeout=1e-3),
                         scratch_root=str(tmp_path))
    assert list(tmp_path.iterdir()) == []  # its scratch folder is gone all the same


def test_hidden_cases_share_no_random_stream_with_public_ones():
    from cs231n_lab.grading.spec import get_assignment
    for name in ("A1", "A2", "A3"):
        cases = [c for item in get_assignment(name).items for c in item.cases]
        public = {c.seed for c in cases if not c.hidden}
        hidden = [c.seed for c in cases if c.hidden]
        assert not public & set(hidden) and len(set(hidden)) == len(hidden)


def test_the_grader_parses_one_source_at_a_time(monkeypatch):
    # CPython 3.11's AST builder keeps one recursion counter for all threads; two threads
    # parsing at once failed the batch grader with "AST constructor recursion depth mismatch".
    # Every parse the grader does goes through parse_python, which must never overlap.
    inside, most, real_parse = [0], [0], nb_module.ast.parse

    def slow_parse(*args, **kwargs):
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.01)  # releases the GIL: another thread would get in here without the lock
        inside[0] -= 1
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(nb_module.ast, "parse", slow_parse)
    threads = [threading.Thread(target=nb_module.parse_python, args=("x = 1",)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1
    assert isinstance(nb_module.parse_python("def f():\n    return 1").body[0], nb_module.ast.FunctionDef)


def _held_by_someone(lock):
    """True if another thread cannot take ``lock`` right now."""
    got = []

    def try_lock():
        got.append(lock.acquire(blocking=False))
        if got[0]:
            lock.release()

    t = threading.Thread(target=try_lock)
    t.start()
    t.join()
    return not got[0]


def test_reference_fingerprints_build_every_ast_under_the_lock(monkeypatch):
    # inspect.getsource of a class (A1's TwoLayerNet) parses its whole module with ast.parse:
    # that parse too must happen holding AST_LOCK, or two grading threads collide (seen in CI).
    from cs231n_lab.grading import grader
    from cs231n_lab.grading.spec import get_assignment

    assignment = get_assignment("A1")
    monkeypatch.delitem(assignment.__dict__, "_reference_fingerprints", raising=False)
    held, real_parse = [], nb_module.ast.parse

    def spy(*args, **kwargs):
        held.append(_held_by_someone(nb_module.AST_LOCK))
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(nb_module.ast, "parse", spy)
    dumps = grader._reference_fingerprints(assignment)
    assert len(held) > len(assignment.items)  # one parse per item, plus inspect's parse of a module
    assert all(held)
    assert all(dumps[item.name] for item in assignment.items)
