"""Tier D - ``cs231n-lab release A1 --out DIR``: write the student notebook of an assignment.

The source notebooks (solutions inside ``### BEGIN SOLUTION`` / ``### END SOLUTION``) live in
``notebooks/assignments/`` of the repository. The released notebook has every solution
region replaced by ``raise NotImplementedError(...)``, no outputs, and only the kernelspec and
assignment metadata; hidden test cases are never in a notebook (they live in
``cs231n_lab/grading/aN.py``). The bytes depend only on the source: releasing twice gives
identical files.
"""

import os

import nbformat

from cs231n_lab.grading.notebook import BEGIN, atomic_write, read_notebook, release_notebook
from cs231n_lab.grading.spec import get_assignment

__all__ = ["source_notebook", "release"]

SOURCE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                          "notebooks", "assignments")


def source_notebook(assignment):
    """Path of the source (solution) notebook of ``assignment`` (a name or an Assignment)."""
    spec = get_assignment(assignment) if isinstance(assignment, str) else assignment
    path = os.path.join(SOURCE_DIR, spec.notebook)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"the source notebook of {spec.name} is not at {path}; "
                                "release needs a checkout of the repository (notebooks/assignments/)")
    return path


def release(assignment, out_dir, source=None):
    """Write the student notebook of ``assignment`` into ``out_dir``; returns its path."""
    spec = get_assignment(assignment) if isinstance(assignment, str) else assignment
    nb = read_notebook(source or source_notebook(spec))
    student = release_notebook(nb)
    text = nbformat.writes(student) + "\n"
    if BEGIN in text:
        raise ValueError(f"release {spec.name}: a solution marker survived the release; check the source cells")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, spec.notebook)
    atomic_write(path, text)
    return path
