"""Tier B - the bundled default data set: a class-balanced subset of Fashion-MNIST.

Every notebook and test runs offline on ``datasets/fashion-mnist-subset/``, committed to
the repository: 10,000 training images (1,000 per class) and 2,000 test images (200 per
class), in the official IDX gzip format (so the same reader serves both) plus
``MANIFEST.json`` recording each file's size and SHA-256. ``load_default()`` verifies the
checksums before reading, so a damaged clone fails loudly instead of training on garbage.

The subset is rebuilt from the official files by

    python -m cs231n_lab.datasets build-default [--source FOLDER]

which is deterministic: a fixed seed picks the images, and the gzip output carries no
timestamp, so rebuilding gives identical bytes (with the same zlib).
"""

import gzip
import hashlib
import json
import os
from pathlib import Path

import numpy as np

from cs231n_lab.datasets.fashion_mnist import (FASHION_MNIST_CLASSES, FASHION_MNIST_FILES,
                                               read_fashion_mnist_folder)
from cs231n_lab.datasets.files import atomic_write, sha256_file
from cs231n_lab.datasets.idx import write_idx
from cs231n_lab.datasets.resolver import REPO_DATA_DIR, resolve

__all__ = ["DEFAULT_DIR", "MANIFEST", "load_default", "build_default", "verify_manifest"]

DEFAULT_DIR = REPO_DATA_DIR / "fashion-mnist-subset"
MANIFEST = "MANIFEST.json"
SEED = 231
TRAIN_PER_CLASS, TEST_PER_CLASS = 1000, 200

# SHA-256 of the *uncompressed* official IDX files (the .gz wrappers differ between
# mirrors - e.g. Debian recompresses them - but the IDX bytes inside are the same).
OFFICIAL_IDX_SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


def verify_manifest(folder):
    """Check every file listed in ``folder/MANIFEST.json`` against its size and SHA-256.

    Returns the manifest dict. Raises FileNotFoundError for a missing file and ValueError
    naming the file whose bytes do not match.
    """
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{manifest_path} not found: the bundled data set is incomplete. "
                                f"Restore it with `git checkout -- datasets/` or rebuild it with "
                                f"`python -m cs231n_lab.datasets build-default`.")
    try:
        manifest = json.loads(manifest_path.read_text())
        files = manifest["files"]
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{manifest_path}: not a valid manifest ({e}); expected JSON with a 'files' table") from e
    for name, entry in files.items():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"{path} (listed in {manifest_path}) not found")
        size, digest = path.stat().st_size, sha256_file(path)
        if size != entry["bytes"] or digest != entry["sha256"]:
            raise ValueError(f"{path}: checksum mismatch - expected {entry['bytes']} bytes with SHA-256 "
                             f"{entry['sha256']}, found {size} bytes with SHA-256 {digest}. The file is "
                             f"damaged; restore it with `git checkout -- {name}` in {folder}")
    return manifest


def load_default(root=None, verify=True):
    """The bundled Fashion-MNIST subset, offline: the default data of every notebook.

    root: the bundle's folder (default: the repository's datasets/fashion-mnist-subset).
    verify: check the SHA-256 of every file against MANIFEST.json first.
    Returns a DataSet with X_train (10000, 28, 28, 1) uint8, y_train (10000,) int64,
    X_test (2000, 28, 28, 1), y_test (2000,), class_names (10 str). Shuffled, with
    1,000 training and 200 test images of each class.
    """
    folder = Path(DEFAULT_DIR if root is None else root)
    if verify:
        verify_manifest(folder)
    elif not folder.is_dir():
        raise FileNotFoundError(f"bundled data set folder {folder} not found")
    return read_fashion_mnist_folder(folder)


def _balanced_indices(y, per_class, rs, what):
    """per_class indices of each class, drawn without replacement, then shuffled together."""
    picks = []
    for c in range(len(FASHION_MNIST_CLASSES)):
        members = np.flatnonzero(y == c)
        if len(members) < per_class:
            raise ValueError(f"{what}: class {c} has {len(members)} examples, fewer than the "
                             f"{per_class} requested per class")
        picks.append(np.sort(rs.choice(members, per_class, replace=False)))
    picks = np.concatenate(picks)
    return picks[rs.permutation(len(picks))]


def _payload_sha256(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def build_default(source=None, dest=None, train_per_class=TRAIN_PER_CLASS, test_per_class=TEST_PER_CLASS,
                  seed=SEED, check_source=True):
    """Build the bundled subset from the official Fashion-MNIST files.

    source: folder with the official files (default: the resolver's search, which finds
    the Debian package's /usr/share/datasets/fashion-mnist). dest: output folder (default
    DEFAULT_DIR). check_source: require the source IDX bytes to be the official ones.
    Returns the manifest dict that was written to dest/MANIFEST.json.
    """
    src = resolve("fashion-mnist", source)
    sources = {}
    for stem in OFFICIAL_IDX_SHA256:
        path = src / (stem + ".gz") if (src / (stem + ".gz")).is_file() else src / stem
        sources[stem] = _payload_sha256(path)
        if check_source and sources[stem] != OFFICIAL_IDX_SHA256[stem]:
            raise ValueError(f"{path}: its IDX bytes have SHA-256 {sources[stem]}, not the official "
                             f"{OFFICIAL_IDX_SHA256[stem]}; refusing to build the bundle from it")
    data = read_fashion_mnist_folder(src)
    # The legacy RandomState, not a Generator: NumPy freezes its streams across versions,
    # so the same seed picks the same images on any NumPy.
    rs = np.random.RandomState(seed)
    dest = Path(DEFAULT_DIR if dest is None else dest)
    dest.mkdir(parents=True, exist_ok=True)
    files = {}
    for split, per_class in (("train", train_per_class), ("test", test_per_class)):
        idx = _balanced_indices(data[f"y_{split}"], per_class, rs, f"{split} split of {src}")
        images, labels = FASHION_MNIST_FILES[split]
        for stem, array in ((images, data[f"X_{split}"][idx, :, :, 0]), (labels, data[f"y_{split}"][idx])):
            path = dest / (stem + ".gz")
            write_idx(path, array.astype(np.uint8))
            files[path.name] = {"bytes": path.stat().st_size, "sha256": sha256_file(path),
                                "shape": list(array.shape)}
    manifest = {
        "name": "fashion-mnist-subset",
        "description": (f"Class-balanced subset of Fashion-MNIST: {train_per_class} training and "
                        f"{test_per_class} test images per class, drawn without replacement with "
                        f"numpy.random.RandomState({seed}), then shuffled."),
        "built_by": "python -m cs231n_lab.datasets build-default",
        "seed": seed, "train_per_class": train_per_class, "test_per_class": test_per_class,
        "class_names": list(FASHION_MNIST_CLASSES),
        "source": {"dataset": "Fashion-MNIST (Zalando Research), MIT licence",
                   "url": "https://github.com/zalandoresearch/fashion-mnist",
                   "idx_sha256_uncompressed": sources},
        "files": files,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    atomic_write(dest / MANIFEST, lambda f: f.write(text.encode()))
    return manifest
