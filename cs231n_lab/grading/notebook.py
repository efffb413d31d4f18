"""Tier D - reading assignment notebooks: solution regions, release, and what the grader runs.

Solution regions use nbgrader's markers::

    def relu_forward(x):
        ### BEGIN SOLUTION
        out = np.maximum(0, x)
        ### END SOLUTION
        return out, x

``release_notebook`` replaces each region by ``raise NotImplementedError(...)`` (in code) or
"YOUR ANSWER HERE" (in markdown) and clears outputs.

``plan_units`` decides what the sandbox executes, in notebook order:

* the cell that *defines* a graded name (its last top-level ``def``/``class`` in the
  notebook) runs whole, as submitted, and the grader takes the function from that cell;
* from every other cell only imports, ``def``/``class`` statements and assignments of
  literals run - demos, training loops, prints and ``check(...)`` calls do not. Grading
  therefore never depends on stale state or on what later cells do, and a stray loop outside
  the graded cells costs nothing.

``normalised_dump`` is the copy detector's view of a function: names renamed in order of
first use, docstrings, annotations and formatting dropped; ``fingerprint`` is its hash.
"""

import ast
import copy
import hashlib
import os
import re
import tempfile
import threading

import nbformat

__all__ = ["BEGIN", "END", "NotebookError", "read_notebook", "release_notebook", "strip_solution",
           "plan_units", "normalised_dump", "definition_node", "atomic_write", "parse_python", "AST_LOCK",
           "fingerprint", "definition_fingerprints"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
MAX_NOTEBOOK_BYTES = 50 * 2 ** 20

# CPython 3.11 keeps one AST recursion counter per interpreter, shared by all threads: two
# threads building Python AST objects at once (the batch grader grades submissions in
# threads) can fail with "SystemError: AST constructor recursion depth mismatch" (cpython
# gh-106905). Seen in our own test runs. Every AST the grader builds is built holding
# AST_LOCK: ast.parse through parse_python, and inspect.getsource (which parses the whole
# module to find a class) in the grader's reference fingerprints. Re-entrant, so code that
# holds it may call parse_python.
AST_LOCK = threading.RLock()


def parse_python(source):
    """``ast.parse(source)``, one thread at a time (see AST_LOCK)."""
    with AST_LOCK:
        return ast.parse(source)


class NotebookError(ValueError):
    """A submission that is not a readable notebook (the grader scores it 0, it does not crash)."""


def atomic_write(path, text):
    """Write text next to ``path`` then rename it into place: readers never see half a file."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_notebook(path):
    """Read an .ipynb as nbformat v4; NotebookError (with the reason) for anything unreadable."""
    try:
        size = os.path.getsize(path)
        if size == 0:
            raise NotebookError("the notebook file is empty (0 bytes)")
        if size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"the notebook is {size / 2 ** 20:.0f} MiB, more than the "
                                f"{MAX_NOTEBOOK_BYTES // 2 ** 20} MiB a submission may be")
        with open(path, encoding="utf-8") as f:
            nb = nbformat.read(f, as_version=4)
    except NotebookError:
        raise
    except Exception as exc:  # JSON errors, encoding errors, nbformat's own validation errors
        raise NotebookError(f"not a readable Jupyter notebook: {type(exc).__name__}: {str(exc)[:200]}") from None
    if not isinstance(nb.get("cells"), list):
        raise NotebookError("not a Jupyter notebook: it has no list of cells")
    return nb


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def strip_solution(source, where="cell"):
    """Replace every BEGIN/END SOLUTION region of one cell's source by a stub."""
    lines, out, inside, func = source.split("\n"), [], False, None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            if inside:
                raise ValueError(f"{where}, line {number}: {BEGIN!r} inside another solution region")
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            func = _enclosing_def(lines[:number - 1], len(indent))
            out.append(f"{indent}# YOUR CODE HERE")
            if func:
                out.append(f'{indent}raise NotImplementedError("{func}: write your code here")')
        elif stripped.startswith(END):
            if not inside:
                raise ValueError(f"{where}, line {number}: {END!r} without a {BEGIN!r} before it")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: {BEGIN!r} is never closed by {END!r}")
    return "\n".join(out)


def _enclosing_def(previous, indent):
    for line in reversed(previous):
        m = re.match(r"(\s*)(?:async\s+)?def\s+(\w+)", line)
        if m and len(m.group(1)) < indent:
            return m.group(2)
    return None


def release_notebook(nb):
    """The student version of a source notebook (a new object; ``nb`` is not changed)."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        src = _source(cell)
        if cell.cell_type == "markdown" and BEGIN in src:
            src = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), "YOUR ANSWER HERE", src, flags=re.S)
        elif cell.cell_type == "code":
            src = strip_solution(src, where=f"cell {i}") if BEGIN in src or END in src else src
            cell.outputs, cell.execution_count = [], None
        cell.source = src
        cell.metadata.pop("execution", None)
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in ("kernelspec", "language_info", "cs231n_lab")}
    return nb


def _without_magics(source):
    """IPython syntax (%magic, !shell, %%cell magic) is not Python: drop it before parsing."""
    if source.lstrip().startswith("%%"):
        return ""
    out = []
    for line in source.split("\n"):
        body = line.lstrip()
        if body.startswith(("%", "!")):
            line = line[:len(line) - len(body)] + "pass  # IPython magic not run by the grader"
        out.append(line)
    return "\n".join(out)


def _top_level_defs(tree):
    """Names a cell defines at top level: def, class, and ``name = lambda ...``."""
    names = []
    for n in tree.body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(n.name)
        elif isinstance(n, ast.Assign) and isinstance(n.value, ast.Lambda):
            names += [t.id for t in n.targets if isinstance(t, ast.Name)]
    return names


def _is_literal_assignment(node):
    if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
        return False
    try:
        ast.literal_eval(node.value)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


_KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def plan_units(nb, graded):
    """What the sandbox runs: a list of units ``{"cell", "source", "defines"}``.

    Returns (units, where, syntax_errors): ``where[name]`` is the index of the code cell that
    defines graded ``name`` (names never defined are absent); ``syntax_errors[cell] = message``.
    """
    cells, where, trees, errors = [], {}, {}, {}
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        src = _without_magics(_source(cell))
        cells.append((index, src))
        try:
            trees[index] = parse_python(src)
            defined = _top_level_defs(trees[index])
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            errors[index] = f"{type(exc).__name__}: {getattr(exc, 'msg', exc)} (line {getattr(exc, 'lineno', '?')})"
            defined = re.findall(r"^(?:def|class)\s+(\w+)", src, flags=re.M)
        for name in defined:
            if name in graded:
                where[name] = index
    units = []
    for index, src in cells:
        defines = sorted(n for n, i in where.items() if i == index)
        if defines:
            units.append({"cell": index, "source": src, "defines": defines})
        elif index in trees:
            kept = [n for n in trees[index].body if isinstance(n, _KEEP) or _is_literal_assignment(n)]
            if kept:
                units.append({"cell": index, "source": ast.unparse(ast.Module(body=kept, type_ignores=[])),
                              "defines": [], "support": True})
    return units, where, errors


def definition_node(nb, cell_index, name):
    """The last top-level def/class ``name`` in code cell ``cell_index`` (None if unparsable)."""
    try:
        tree = parse_python(_without_magics(_source(nb.cells[cell_index])))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    nodes = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
             and n.name == name]
    return nodes[-1] if nodes else None


class _Normalise(ast.NodeTransformer):
    """Rename every identifier to v0, v1, ... in order of first use; drop docstrings/annotations."""

    def __init__(self):
        self.names = {}

    def _rename(self, name):
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(id=self._rename(node.id), ctx=node.ctx), node)

    def visit_arg(self, node):
        return ast.arg(arg=self._rename(node.arg), annotation=None)

    def _body(self, node):
        node.name = self._rename(node.name)
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
        if hasattr(node, "returns"):
            node.returns = None
        return self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _body

    def visit_AnnAssign(self, node):
        node.annotation = ast.Constant(None)
        return self.generic_visit(node)


def normalised_dump(node):
    """Canonical text of a def/class node: equal for copies that differ only in names/layout."""
    node = _Normalise().visit(copy.deepcopy(node))
    return ast.dump(node, annotate_fields=False, include_attributes=False)


def fingerprint(node):
    """sha256 of ``normalised_dump(node)``: equal for copies that differ only in names/layout."""
    return hashlib.sha256(normalised_dump(node).encode()).hexdigest()


def definition_fingerprints(nb, where):
    """{name: fingerprint} of each definition in ``where`` ({name: cell}); unparsable ones are left out."""
    out = {}
    for name, cell in where.items():
        node = definition_node(nb, cell, name)
        if node is not None:
            out[name] = fingerprint(node)
    return out
