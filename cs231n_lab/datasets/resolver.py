"""Tier B - where the data lives: one resolver for every data set.

Places are tried in this order, and the first that holds a complete copy wins:

    1. an explicit path (``root=...``)   - if given, it is the only place looked at
    2. the ``CS231N_DATA`` environment variable
    3. the repository's ``datasets/`` folder (where ``python -m cs231n_lab.datasets fetch`` writes)
    4. system folders, e.g. Debian's ``/usr/share/datasets/fashion-mnist``
       (``apt-get install dataset-fashion-mnist``)

In each place the data set may sit directly or in its usual sub-folder
(``fashion-mnist/``, ``cifar-10-batches-py/``). If nothing is found, the error lists every
place it looked and how to get the data. The resolver only looks: it never downloads and
never writes.
"""

import os
from pathlib import Path

__all__ = ["ENV_VAR", "REPO_DATA_DIR", "SYSTEM_DIRS", "SPECS", "resolve", "search_path"]

ENV_VAR = "CS231N_DATA"
REPO_DATA_DIR = Path(__file__).resolve().parents[2] / "datasets"

# Per data set: its usual folder name, the files a complete copy holds (any one of the
# alternatives in a tuple will do, e.g. gzip or raw IDX), and how to get it.
SPECS = {
    "fashion-mnist": {
        "title": "Fashion-MNIST",
        "folder": "fashion-mnist",
        "files": [(stem + ".gz", stem) for stem in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                                     "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")],
        "how": ["python -m cs231n_lab.datasets fetch fashion-mnist",
                "on Debian/Ubuntu: apt-get install dataset-fashion-mnist",
                "download the four *-ubyte.gz files listed at "
                "https://github.com/zalandoresearch/fashion-mnist into FOLDER"],
    },
    "cifar10": {
        "title": "CIFAR-10 (python version)",
        "folder": "cifar-10-batches-py",
        "files": [(name,) for name in ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4",
                                        "data_batch_5", "test_batch")],
        "how": ["python -m cs231n_lab.datasets fetch cifar10",
                "download https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz and unpack it "
                "in FOLDER"],
    },
}

# System-wide installs, per data set (checked last).
SYSTEM_DIRS = {"fashion-mnist": [Path("/usr/share/datasets/fashion-mnist")], "cifar10": []}


def _spec(name):
    if name not in SPECS:
        raise ValueError(f"dataset must be one of {sorted(SPECS)}, got {name!r}")
    return SPECS[name]


def _missing(folder, spec):
    """The required files absent from folder (each given as its first alternative)."""
    return [alts[0] for alts in spec["files"] if not any((folder / a).is_file() for a in alts)]


def _complete(base, spec):
    """The folder under base (itself or its usual sub-folder) holding a complete copy, or None."""
    for folder in (base, base / spec["folder"]):
        if folder.is_dir() and not _missing(folder, spec):
            return folder
    return None


def search_path(name, root=None):
    """The places ``resolve`` tries for data set ``name``, in order: [(label, Path or None)]."""
    spec = _spec(name)
    if root is not None:
        return [("explicit path", Path(root))]
    env = os.environ.get(ENV_VAR)
    return ([(f"${ENV_VAR}", Path(env) if env else None),
             ("repository datasets/", REPO_DATA_DIR / spec["folder"])]
            + [("system folder", d) for d in SYSTEM_DIRS.get(name, [])])


def resolve(name, root=None):
    """Find the folder holding data set ``name`` ("fashion-mnist" or "cifar10").

    Returns a Path. Raises FileNotFoundError naming every place looked at, what was
    missing there, and how to fetch the data.
    """
    spec = _spec(name)
    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a path (str or os.PathLike), got {type(root).__name__}")
    report = []
    for label, base in search_path(name, root):
        if base is None:
            report.append(f"{label}: not set")
            continue
        found = _complete(base, spec)
        if found is not None:
            return found
        if not base.exists():
            report.append(f"{label}: {base} does not exist")
        elif not base.is_dir():
            report.append(f"{label}: {base} is not a folder")
        else:
            missing = _missing(base, spec)
            sub = base / spec["folder"]
            if sub.is_dir():
                missing = _missing(sub, spec)
                base = sub
            report.append(f"{label}: {base} lacks {', '.join(missing)}"
                          + (" (the folder is empty)" if not any(base.iterdir()) else ""))
    looked = "\n  ".join(report)
    how = "\n  or ".join(spec["how"])
    raise FileNotFoundError(f"{spec['title']} not found. Looked in, in order:\n  {looked}\n"
                            f"Get it with:  {how}\n"
                            f"then pass root=FOLDER or set {ENV_VAR}=FOLDER (it may hold {spec['folder']}/).")
