"""Tier D - grade a notebook or a folder of notebooks with parallel workers and a progress bar.

Each worker thread drives one sandbox process at a time (the work happens in the sandboxes,
so threads are enough). A submission's files are written as soon as it is graded, and all of
them are written again at the end - after every sandbox and every process they started is
dead - so nothing a submission wrote into the output folder survives.
"""

import os
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed

from tqdm.auto import tqdm

from cs231n_lab.grading.grader import grade_submission
from cs231n_lab.grading.notebook import definition_fingerprints, plan_units, read_notebook, release_notebook
from cs231n_lab.grading.release import source_notebook
from cs231n_lab.grading.report import write_gradebook, write_similarity, write_submission
from cs231n_lab.grading.sandbox import process_guard

__all__ = ["submission_paths", "grade_paths"]


def _stub_fingerprints(assignment):
    """Fingerprints of the released stubs (everyone who left an item undone shares them)."""
    try:
        nb = release_notebook(read_notebook(source_notebook(assignment)))
    except (OSError, ValueError):
        return {}
    _, where, _ = plan_units(nb, {i.name for i in assignment.items})
    return definition_fingerprints(nb, where)


def submission_paths(submission):
    """[path] for one .ipynb, or the sorted .ipynb files of a folder; ValueError otherwise."""
    if os.path.isfile(submission):
        return [submission]
    if os.path.isdir(submission):
        try:
            names = sorted(n for n in os.listdir(submission) if n.endswith(".ipynb") and not n.startswith("."))
        except OSError as exc:
            raise ValueError(f"submission folder {submission!r} cannot be read: {exc}") from None
        return [os.path.join(submission, n) for n in names]
    raise ValueError(f"submission {submission!r} is neither a notebook file nor a folder")


def grade_paths(assignment, submission, out_dir, workers=2, limits=None, progress=True, scratch_root=None):
    """Grade ``submission`` (file or folder) into ``out_dir``; returns the SubmissionResults.

    Writes out_dir/<name>/results.json and feedback.md per notebook and, when ``submission`` is
    a folder, out_dir/gradebook.csv and out_dir/similarity.csv (for instructors: groups of
    submissions with identical code for an item, after normalising names and formatting). Scratch folders go under ``scratch_root`` (default: the
    system's temporary folder) and are removed after each submission.
    """
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    paths = submission_paths(submission)
    os.makedirs(out_dir, exist_ok=True)
    results = []
    with process_guard() as sweep, ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(grade_submission, assignment, p, limits, scratch_root=scratch_root) for p in paths]
        bar = tqdm(total=len(paths), desc=f"grading {assignment.name}", unit="nb", file=sys.stderr,
                   disable=not progress)
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            write_submission(out_dir, result, assignment.title)
            bar.update(1)
        bar.close()
        sweep()
    for result in results:  # every sandbox is gone now: these files are the final word
        write_submission(out_dir, result, assignment.title)
    if os.path.isdir(submission):
        write_gradebook(os.path.join(out_dir, "gradebook.csv"), results, [i.name for i in assignment.items])
        write_similarity(os.path.join(out_dir, "similarity.csv"), results, _stub_fingerprints(assignment))
    return sorted(results, key=lambda r: r.name)
