"""Tier D - re-execute notebooks in place so committed outputs never drift (``make notebooks``).

    python -m cs231n_lab.notebook_tools execute notebooks/04_backprop.ipynb

Runs every cell top to bottom in a fresh kernel (the current environment's ``python3``),
with the notebook's folder as the working directory, and writes the notebook back only
if every cell ran. Timing metadata and widget state are not kept so that re-running
an unchanged notebook gives an unchanged file.
"""

import argparse
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient

__all__ = ["execute_notebook"]


def _merge_streams(outputs):
    """Join consecutive prints to the same stream: how the kernel chunks them varies by run."""
    merged = []
    for out in outputs:
        if (out.output_type == "stream" and merged and merged[-1].output_type == "stream"
                and merged[-1].name == out.name):
            merged[-1].text += out.text
        else:
            merged.append(out)
    return merged


def execute_notebook(path, timeout=900):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            # nbclient needs widget state while executing (Output widgets);
                            # it is dropped below because its model ids are random on every run.
                            store_widget_state=True,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _merge_streams(cell.outputs)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    # Write next to the target, then rename: an interrupted run never leaves half a notebook.
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix=".ipynb", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cs231n_lab.notebook_tools")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("execute", help="execute notebooks in place")
    ex.add_argument("paths", nargs="+")
    ex.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args(argv)
    for p in args.paths:
        if not os.path.isfile(p):
            parser.error(f"no such notebook: {p}")
        print(f"executing {p}", flush=True)
        execute_notebook(p, timeout=args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
