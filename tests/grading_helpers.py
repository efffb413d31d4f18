"""Helpers shared by the grading tests: build submission notebooks from the A1 solution."""

import ast
import copy
import os
import textwrap

import nbformat

from cs231n_lab.grading.release import source_notebook


def solution(assignment="A1"):
    return nbformat.read(source_notebook(assignment), as_version=4)


def defining_cell(nb, name):
    """Index of the code cell with a top-level def/class ``name``."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            if any(getattr(n, "name", None) == name for n in tree.body):
                return i
    raise KeyError(name)


def variant(nb, replace=None, append=(), metadata=None):
    """A copy of ``nb`` with defining cells replaced ({name: source}) and code cells appended."""
    nb = copy.deepcopy(nb)
    for name, src in (replace or {}).items():
        nb.cells[defining_cell(nb, name)].source = textwrap.dedent(src).strip("\n")
    for src in append:
        nb.cells.append(nbformat.v4.new_code_cell(textwrap.dedent(src).strip("\n")))
    if metadata is not None:
        nb.metadata["cs231n_lab"] = metadata
    return nb


def write(nb, folder, name):
    path = os.path.join(folder, f"{name}.ipynb")
    with open(path, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    return path


SVM_OK = """
    N = x.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0.0, x - x[rows, y][:, None] + 1.0)
    margins[rows, y] = 0.0
    active = (margins > 0).astype(x.dtype)
    active[rows, y] = -np.sum(active, axis=1)
    return np.sum(margins) / N, active / N
"""


def svm(body_before="", body_after=SVM_OK, header="", trailer=""):
    """Source of an svm_loss cell: ``header``, def with ``body_before`` then a correct body, ``trailer``."""
    body = textwrap.indent(textwrap.dedent(body_before).strip("\n"), "    ") if body_before.strip() else ""
    correct = textwrap.indent(textwrap.dedent(body_after).strip("\n"), "    ")
    return "\n".join(p for p in (textwrap.dedent(header).strip("\n"),
                                 "def svm_loss(x, y):", body, correct,
                                 textwrap.dedent(trailer).strip("\n")) if p)
