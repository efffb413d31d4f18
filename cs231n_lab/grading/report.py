"""Tier D - what the grader writes: Gradescope ``results.json``, ``feedback.md``, ``gradebook.csv``.

``results.json`` follows the Gradescope autograder specification: top-level ``score``,
``execution_time``, ``output``, ``visibility``, ``stdout_visibility`` and ``tests``, one entry
per test case with ``name``, ``score``, ``max_score``, ``status`` ("passed"/"failed"),
``output`` and ``visibility`` ("visible" for public cases, "after_published" for hidden ones).
Every file is written to a temporary file in the same folder and renamed into place.
"""

import csv
import io
import json
import os

from cs231n_lab.grading.notebook import atomic_write

__all__ = ["results_json", "feedback_markdown", "write_submission", "write_gradebook", "write_similarity",
           "RESULT_FIELDS", "TEST_FIELDS"]

RESULT_FIELDS = ("score", "execution_time", "output", "visibility", "stdout_visibility", "tests")
TEST_FIELDS = ("name", "score", "max_score", "status", "output", "visibility")


def results_json(result):
    """The Gradescope results dict of one SubmissionResult."""
    tests = [{"name": f"{c.item} - {c.case}", "score": round(c.score, 4), "max_score": round(c.max_score, 4),
              "status": "passed" if c.passed else "failed", "output": c.message,
              "visibility": "after_published" if c.hidden else "visible"} for c in result.cases]
    summary = f"{result.assignment}: {result.score:g} / {result.max_score:g} points."
    if result.notes:
        summary += "\n" + "\n".join(f"- {n}" for n in result.notes)
    sandbox = {"landlock_abi": result.sandbox.get("landlock", 0), "restarts": result.sandbox.get("restarts", 0)}
    return {"score": result.score, "execution_time": round(result.execution_time, 3), "output": summary,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests, "extra_data": sandbox}


def feedback_markdown(result, title=""):
    """Human-readable feedback: score, notes, then every item and case (no hidden data)."""
    lines = [f"# {result.assignment}{' - ' + title if title else ''}: {result.name}", "",
             f"**Score: {result.score:g} / {result.max_score:g}**", ""]
    if result.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in result.notes] + [""]
    lines += ["## Items", "", "| item | score |", "|---|---|"]
    scores = result.item_scores()
    lines += [f"| {name} | {s:g} / {m:g} |" for name, (s, m) in scores.items()] + [""]
    for name, (s, m) in scores.items():
        lines += [f"### {name}: {s:g} / {m:g}", ""]
        for c in result.cases:
            if c.item == name:
                verdict = "passed" if c.passed else f"FAILED - {c.message}"
                lines.append(f"- {c.case}: {verdict}")
        lines.append("")
    lines.append("Hidden test cases report only the kind of failure; their inputs and expected values "
                 "are not shown.")
    return "\n".join(lines) + "\n"


def write_submission(out_dir, result, title=""):
    """DIR/<name>/results.json and DIR/<name>/feedback.md for one submission."""
    folder = os.path.join(out_dir, result.name)
    os.makedirs(folder, exist_ok=True)
    atomic_write(os.path.join(folder, "results.json"), json.dumps(results_json(result), indent=2) + "\n")
    atomic_write(os.path.join(folder, "feedback.md"), feedback_markdown(result, title))


def write_gradebook(path, results, item_names):
    """One row per submission (sorted by name), one column per item, then the total."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["submission", *item_names, "total"])
    for r in sorted(results, key=lambda r: r.name):
        scores = r.item_scores()
        writer.writerow([r.name, *(f"{scores.get(n, (0.0, 0.0))[0]:g}" for n in item_names), f"{r.score:g}"])
    atomic_write(path, buf.getvalue())


def write_similarity(path, results, ignore=None):
    """Instructors' copy report: groups of submissions whose code for an item is identical after
    normalising names and formatting. ``ignore``: {item: fingerprint} not to report (the stub).
    Returns the number of groups written (one row each: item, size, submissions)."""
    groups = {}
    for r in results:
        for item, fp in r.fingerprints.items():
            if (ignore or {}).get(item) != fp:
                groups.setdefault((item, fp), []).append(r.name)
    rows = sorted((item, sorted(names)) for (item, _), names in groups.items() if len(names) > 1)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["item", "submissions", "names"])
    for item, names in rows:
        writer.writerow([item, len(names), " ".join(names)])
    atomic_write(path, buf.getvalue())
    return len(rows)
