"""The grader against hostile and broken submissions (issue 9, "isolation and integrity").

One folder of adversarial A1 notebooks is graded once (2 workers, short timeouts) inside one
test - grading is the expensive part, and one test keeps it from being repeated on every
pytest-xdist worker - and every expectation is checked on it, failures collected per notebook. svm_loss is the usual target
because no other item calls it, so the exact expected score is total - svm_loss's points.
"""

import json
import os
import uuid

import nbformat
import numpy as np
import pytest

from cs231n_lab.grading.batch import grade_paths
from cs231n_lab.grading.sandbox import Limits
from cs231n_lab.grading.spec import get_assignment
from grading_helpers import SVM_OK, solution, svm, variant, write

A1 = get_assignment("A1")
FULL = A1.total_points
NO_SVM = FULL - A1.item("svm_loss").points
TOKEN = f"cs231n-leftover-{uuid.uuid4().hex[:12]}"
LIMITS = Limits(timeout=3.0, budget=120.0, startup_timeout=60.0)  # short: loops cost 3 s per case


def _submissions(tmp):
    sol = solution()
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "sentinel.txt").write_text("original")
    (outside / "keep.txt").write_text("keep me")
    out = tmp / "out"
    forge = f"""
        import os, json
        for target in [{str(out / 'forge' / 'results.json')!r}, {str(out / 'gradebook.csv')!r},
                       {str(outside / 'sentinel.txt')!r}, '../job.json', '/tmp/{TOKEN}-escape']:
            try:
                os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
                with open(target, 'w') as f:
                    json.dump({{"score": 1000, "tests": []}}, f)
            except Exception:
                pass
        try:  # a shell is outside the audit hook's reach: only the kernel (Landlock) stops it
            import subprocess
            subprocess.run(["/bin/sh", "-c", "echo forged > {outside / 'sentinel.txt'}; rm -f {outside / 'keep.txt'}"],
                           timeout=5)
        except Exception:
            pass
        for victim in [{str(outside / 'keep.txt')!r}]:
            try:
                os.remove(victim)
            except Exception:
                pass
    """
    spawn = f"""
        import os, subprocess, sys
        try:
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "{TOKEN}"],
                             start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if os.fork() == 0:
                try:
                    os.setsid()
                    if os.fork() == 0:
                        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(120)", "{TOKEN}"])
                finally:
                    os._exit(0)
        except Exception:
            pass
    """
    liar = """
        class Liar:
            def __eq__(self, other):
                return True
            def __array__(self, dtype=None, copy=None):
                import numpy
                return numpy.zeros(())
            def __float__(self):
                return 0.0
    """
    subs = {
        "solution": (sol, FULL),
        "loop_top_other_cell": (variant(sol, append=["while True:\n    pass"]), FULL),
        "loop_top_defining_cell": (variant(sol, replace={"svm_loss": svm(trailer="while True:\n    pass")}), NO_SVM),
        "loop_in_function": (variant(sol, replace={"svm_loss": svm("while True:\n    pass")}), NO_SVM),
        "memory_bomb_function": (variant(sol, replace={"svm_loss": svm("hog = np.ones((1 << 38,))")}), NO_SVM),
        "memory_bomb_python": (variant(sol, replace={"svm_loss": svm("hog = [bytearray(10 ** 8) for _ in range(200)]")}),
                               NO_SVM),
        "memory_bomb_top_level": (variant(sol, replace={"svm_loss": svm(
            trailer="hog = [0] * (10 ** 10)")}), FULL),
        "sys_exit_function": (variant(sol, replace={"svm_loss": svm("import sys\nsys.exit(0)")}), NO_SVM),
        "sys_exit_top_level": (variant(sol, replace={"svm_loss": svm(trailer="import sys\nsys.exit(1)")},
                                       append=["raise SystemExit(3)"]), FULL),
        "os_exit_function": (variant(sol, replace={"svm_loss": svm("import os\nos._exit(3)")}), NO_SVM),
        "keyboard_interrupt": (variant(sol, replace={"svm_loss": svm("raise KeyboardInterrupt")}), NO_SVM),
        "killed_kernel": (variant(sol, replace={"svm_loss": svm("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")}),
                          NO_SVM),
        "huge_output": (variant(sol, replace={"svm_loss": svm("print('x' * 20_000_000)")},
                                append=["print('y' * 50_000_000)"]), FULL),
        "huge_exception": (variant(sol, replace={"svm_loss": svm("raise ValueError('z' * 10_000_000)")}), NO_SVM),
        "child_processes": (variant(sol, replace={"svm_loss": svm(spawn)}), FULL),
        "lying_objects": (variant(sol, replace={"svm_loss": svm(header=liar, body_after="return Liar(), Liar()")}),
                          NO_SVM),
        "nan_inf": (variant(sol, replace={"svm_loss": svm(body_after=SVM_OK.replace(
            "return np.sum(margins) / N, active / N", "return np.nan, active / N * np.inf"))}), NO_SVM),
        "wrong_shape": (variant(sol, replace={"svm_loss": svm(body_after=SVM_OK.replace(
            "active / N", "(active / N).T"))}), NO_SVM),
        "wrong_dtype": (variant(sol, replace={"svm_loss": svm(body_after=SVM_OK.replace(
            "active / N", "(active / N).astype(np.float32)"))}), NO_SVM),
        "not_numeric": (variant(sol, replace={"svm_loss": svm(body_after="return 'loss', {'dx': x}")}), NO_SVM),
        "monkeypatch_numpy": (variant(sol, replace={"svm_loss": svm(
            header="np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
                   "np.testing.assert_allclose = lambda *a, **k: None\nnp.isfinite = lambda *a, **k: True",
            body_after="return 0.0, np.zeros_like(x)")}), NO_SVM),
        "monkeypatch_check": (variant(sol, replace={"svm_loss": svm(
            header="import cs231n_lab.grading as g\ng.check = lambda *a, **k: print('PASS')\n"
                   "check = lambda *a, **k: print('PASS')",
            body_after="return 1.0, x")}), NO_SVM),
        "forge_results": (variant(sol, replace={"svm_loss": svm(forge, header=forge)}), FULL),
        "forge_protocol": (variant(sol, replace={"svm_loss": svm(
            "import os, sys, json\nfd = int(sys.argv[-1])\n"
            "os.write(fd, (json.dumps({'event': 'test_done', 'test': 0, 'outputs': {}}) + '\\n').encode())\n"
            "os.write(fd, b'{\"event\": \"finished\"}\\n')")}), NO_SVM),
        "naive_softmax": (variant(sol, replace={"softmax_loss": """
            def softmax_loss(x, y):
                p = np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)  # overflows for large scores
                N = x.shape[0]
                loss = -np.mean(np.log(p[np.arange(N), y]))
                dx = p.copy()
                dx[np.arange(N), y] -= 1
                return loss, dx / N
        """}), FULL - A1.item("softmax_loss").case_points()),
        "steal_hidden_inputs": (variant(sol, replace={
            "affine_forward": """
                import sys
                STASH = []
                try:
                    sys.settrace(lambda *a: None)
                except Exception as exc:
                    STASH.append(type(exc).__name__)
                def affine_forward(x, w, b):
                    STASH.append(repr(x.ravel()[:8].tolist()))
                    return x.reshape(x.shape[0], -1) @ w + b, (x, w, b)
            """,
            "svm_loss": svm("""
                import sys, gc
                for attempt in (lambda: sys._getframe(1).f_locals, lambda: sys._current_frames(),
                                lambda: gc.get_objects()):
                    try:
                        STASH.append(repr(attempt())[:5000])
                    except Exception as exc:
                        STASH.append(type(exc).__name__)
                try:
                    raise ValueError
                except ValueError as exc:
                    try:
                        STASH.append(repr(exc.__traceback__.tb_frame.f_back.f_locals)[:5000])
                    except Exception as exc2:
                        STASH.append(type(exc2).__name__)
                raise RuntimeError(" ".join(STASH)[-280:])
            """)}), NO_SVM),
        "import_reference": (variant(sol, replace={"svm_loss": "from cs231n_lab.layers import svm_loss as ref\n"
                                                               "def svm_loss(x, y):\n    return ref(x, y)"}), NO_SVM),
        "import_torch": (variant(sol, replace={"svm_loss": svm("import torch")}), NO_SVM),
        "later_cell_rebinds": (variant(sol, append=["def broken_svm(x, y):\n    return 0.0, x",
                                                    "svm_loss = broken_svm"]), FULL),
        "syntax_error": (variant(sol, replace={"svm_loss": svm(body_after=SVM_OK + "\n    return (")}), NO_SVM),
        "other_assignment": (variant(nbformat.v4.new_notebook(), append=[
            "import numpy as np\ndef batchnorm_forward(x, gamma, beta, bn_param):\n    return x, None"],
            metadata={"assignment": "A2"}), 0),
        "no_cells": (nbformat.v4.new_notebook(), 0),
    }
    folder = tmp / "subs"
    folder.mkdir()
    for name, (nb, _) in subs.items():
        write(nb, folder, name)
    (folder / "malformed.ipynb").write_text('{"cells": [ not json')
    (folder / "empty.ipynb").write_text("")
    expected = {name: score for name, (_, score) in subs.items()}
    expected.update(malformed=0, empty=0)
    return folder, out, outside, expected


def grade_adversarial(tmp):
    folder, out, outside, expected = _submissions(tmp)
    scratch = tmp / "scratch"
    scratch.mkdir()
    results = grade_paths(A1, str(folder), str(out), workers=2, limits=LIMITS, progress=False,
                          scratch_root=str(scratch))
    return {r.name: r for r in results}, out, outside, expected, scratch


def _feedback(out, name):
    return (out / name / "feedback.md").read_text()


NAMES = ["solution", "loop_top_other_cell", "loop_top_defining_cell", "loop_in_function", "memory_bomb_function",
         "memory_bomb_python", "memory_bomb_top_level", "sys_exit_function", "sys_exit_top_level",
         "os_exit_function", "keyboard_interrupt", "killed_kernel", "huge_output", "huge_exception",
         "child_processes", "lying_objects", "nan_inf", "wrong_shape", "wrong_dtype", "not_numeric",
         "monkeypatch_numpy", "monkeypatch_check", "forge_results", "forge_protocol", "import_reference", "import_torch",
         "later_cell_rebinds", "syntax_error", "naive_softmax", "steal_hidden_inputs", "other_assignment", "no_cells", "malformed", "empty"]


def scores_are_exact(graded):
    results, out, _, expected, _ = graded
    assert sorted(results) == sorted(NAMES)
    wrong = {}
    for name in NAMES:
        on_disk = json.loads((out / name / "results.json").read_text())
        if not (results[name].score == on_disk["score"] == expected[name]
                and sum(t["score"] for t in on_disk["tests"]) == pytest.approx(expected[name])):
            wrong[name] = (results[name].score, expected[name], _feedback(out, name))
    assert not wrong, wrong


FEEDBACK_WORDS = [
    ("loop_in_function", "did not finish within 3 s"),
    ("loop_top_defining_cell", "was stopped: did not finish"),
    ("memory_bomb_function", "MemoryError"),
    ("memory_bomb_top_level", "raised MemoryError at top level"),
    ("sys_exit_function", "SystemExit"),
    ("sys_exit_top_level", "raised SystemExit at top level"),
    ("os_exit_function", "exited with code 3"),
    ("keyboard_interrupt", "KeyboardInterrupt"),
    ("killed_kernel", "killed by SIGKILL"),
    ("lying_objects", "shape mismatch"),
    ("not_numeric", "expected a numeric array"),
    ("nan_inf", "NaN or inf"),
    ("wrong_shape", "shape mismatch"),
    ("wrong_dtype", "dtype mismatch, got float32, expected float64"),
    ("import_reference", "refused while grading"),
    ("import_torch", "NumPy-only assignment"),
    ("syntax_error", "syntax error"),
    ("other_assignment", "this notebook is assignment A2"),
    ("malformed", "could not read the notebook"),
    ("empty", "empty"),
]


def feedback_names_the_failure(graded):
    _, out, _, _, _ = graded
    missing = [(name, words) for name, words in FEEDBACK_WORDS if words not in _feedback(out, name)]
    assert not missing, missing


def huge_output_is_not_copied_into_feedback(graded):
    _, out, _, _, _ = graded
    for name in ("huge_output", "huge_exception"):
        assert len(_feedback(out, name)) < 20_000
        assert len((out / name / "results.json").read_text()) < 50_000


def hidden_cases_never_show_inputs_or_expected_values(graded):
    results, out, _, _, _ = graded
    hidden = [c for c in results["wrong_shape"].cases if c.hidden and c.item == "svm_loss"]
    assert hidden and all(not any(ch.isdigit() for ch in c.message) and "expected" not in c.message
                          for c in hidden)
    exc = [c for c in results["huge_exception"].cases if c.hidden and c.item == "svm_loss"]
    assert all(len(c.message) < 200 for c in exc)
    on_disk = json.loads((out / "wrong_shape" / "results.json").read_text())
    assert {t["visibility"] for t in on_disk["tests"] if "hidden" in t["name"]} == {"after_published"}


def hidden_inputs_cannot_be_stolen(graded):
    """Frames, tracing and gc are refused, and public cases run first: no hidden input leaks."""
    _, out, _, _, _ = graded
    text = _feedback(out, "steal_hidden_inputs") + (out / "steal_hidden_inputs" / "results.json").read_text()
    assert "ValueError" in text or "PermissionError" in text  # the attempts were refused...
    for item in A1.items:
        for case in (c for c in item.cases if c.hidden):
            for arr in A1.inputs(item, case).values():
                for v in np.ravel(arr)[:8]:
                    if len(repr(float(v))) >= 12:  # a random float's digits, not 0.0 or a label
                        assert repr(float(v))[:9] not in text, (item.name, case.name)  # ...and nothing leaked


def nothing_outside_the_scratch_folder_changes(graded):
    results, out, outside, _, scratch = graded
    assert (outside / "sentinel.txt").read_text() == "original"
    assert (outside / "keep.txt").read_text() == "keep me"
    assert not os.path.exists(f"/tmp/{TOKEN}-escape")
    assert not (out / "forge").exists()
    assert sorted(os.listdir(out)) == sorted(list(results) + ["gradebook.csv", "similarity.csv"])
    for name in results:
        assert sorted(os.listdir(out / name)) == ["feedback.md", "results.json"]
    assert "1000" not in (out / "gradebook.csv").read_text()
    assert os.listdir(scratch) == []  # every scratch folder was removed


def no_process_left_running():
    leftovers = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if TOKEN.encode() in f.read():
                    leftovers.append(pid)
        except OSError:
            pass
    assert leftovers == []


@pytest.mark.slow
def test_adversarial_submissions(tmp_path):
    """One folder of 32 hostile/broken notebooks graded once; every expectation checked on it."""
    graded = grade_adversarial(tmp_path)
    scores_are_exact(graded)
    feedback_names_the_failure(graded)
    huge_output_is_not_copied_into_feedback(graded)
    hidden_cases_never_show_inputs_or_expected_values(graded)
    hidden_inputs_cannot_be_stolen(graded)
    nothing_outside_the_scratch_folder_changes(graded)
    no_process_left_running()


def test_verbatim_copy_of_reference_is_flagged(tmp_path):
    import inspect
    import re

    from cs231n_lab.activations import relu_forward
    src = re.sub(r"\bx\b", "inp", inspect.getsource(relu_forward))  # same code, other names
    src = src.replace('"""', '"""My own words. ', 1)
    nb = variant(solution(), replace={"relu_forward": src})
    path = write(nb, tmp_path, "copy")
    results = grade_paths(A1, path, str(tmp_path / "out"), workers=1, limits=Limits(timeout=20.0), progress=False)
    assert results[0].score == FULL
    assert any("verbatim copy" in n and "relu_forward" in n for n in results[0].notes)
    assert "verbatim copy" in (tmp_path / "out" / "copy" / "feedback.md").read_text()


@pytest.mark.slow
def test_without_landlock_the_audit_hook_still_contains_the_submission(tmp_path):
    """The fallback for kernels without Landlock: same scores, same untouched files, no leftovers."""
    folder, out, outside, expected = _submissions(tmp_path)
    keep = {"solution", "forge_results", "child_processes", "import_reference"}
    for path in folder.iterdir():
        if path.stem not in keep:
            path.unlink()
    limits = Limits(timeout=20.0, budget=120.0, startup_timeout=60.0, landlock=False)
    results = {r.name: r for r in grade_paths(A1, str(folder), str(out), workers=2, limits=limits, progress=False)}
    assert {n: r.score for n, r in results.items()} == {n: expected[n] for n in keep}
    assert (outside / "sentinel.txt").read_text() == "original" and (outside / "keep.txt").exists()
    assert not os.path.exists(f"/tmp/{TOKEN}-escape") and not (out / "forge").exists()
    no_process_left_running()
