"""`make notebooks` re-executes notebooks in place: outputs fresh, no volatile metadata, atomic."""

import json

import nbformat
import pytest

from cs231n_lab.notebook_tools import execute_notebook, main


def write_nb(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)


def test_execute_fills_outputs_without_timing_metadata(tmp_path):
    path = tmp_path / "t.ipynb"
    write_nb(path, "print(6 * 7)", "import os; print(os.path.basename(os.getcwd()))")
    execute_notebook(str(path), timeout=120)
    nb = json.loads(path.read_text())
    assert "".join(nb["cells"][0]["outputs"][0]["text"]) == "42\n"
    assert "".join(nb["cells"][1]["outputs"][0]["text"]) == f"{tmp_path.name}\n"  # runs in the notebook's folder
    assert all("execution" not in c["metadata"] for c in nb["cells"])
    assert "widgets" not in nb["metadata"]
    first = path.read_bytes()
    execute_notebook(str(path), timeout=120)
    assert path.read_bytes() == first  # re-running an unchanged notebook changes nothing


def test_a_failing_cell_leaves_the_notebook_untouched(tmp_path):
    path = tmp_path / "bad.ipynb"
    write_nb(path, "print('ok')", "raise RuntimeError('boom')")
    before = path.read_bytes()
    with pytest.raises(Exception, match="boom"):
        execute_notebook(str(path), timeout=120)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.ipynb"]  # no temp file left


def test_cli_rejects_missing_notebook(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["execute", str(tmp_path / "nope.ipynb")])
    assert "no such notebook" in capsys.readouterr().err
