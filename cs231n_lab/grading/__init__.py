"""Tier D - auto-graded assignments: release, instant checks, a sandboxed grader, Gradescope output.

    cs231n-lab release A1 --out release/          # student notebook: solutions stubbed, outputs cleared
    check("affine_forward", affine_forward)        # in the notebook: public tests, pass/fail + hints
    cs231n-lab grade A1 submissions/ --out grades/ # results.json + feedback.md each, gradebook.csv,
                                                   # similarity.csv (identical code across students)

Modules: ``spec`` (items, cases, points), ``a1``/``a2``/``a3`` (the assignments), ``notebook``
(solution markers, release, what the sandbox runs), ``_runner`` (the sandboxed student
process), ``sandbox`` (starting/killing it), ``compare`` (judging returned arrays), ``grader``
(one submission), ``batch`` (a folder, in parallel), ``report`` (results.json, feedback.md,
gradebook.csv, similarity.csv), ``check`` (the student-side public tests), ``release``.

Gradescope: in ``run_autograder``, grade ``/autograder/submission/*.ipynb`` into a folder and
copy ``<out>/<name>/results.json`` to ``/autograder/results/results.json``.
"""

from cs231n_lab.grading.check import check
from cs231n_lab.grading.spec import get_assignment

__all__ = ["check", "get_assignment"]
