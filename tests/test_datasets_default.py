"""The bundled default data set, its builder, and the CS231n-style split helper."""

import gzip
import hashlib
import json
import shutil

import numpy as np
import pytest

from cs231n_lab.datasets import (FASHION_MNIST_CLASSES, DataSet, build_default, get_CIFAR10_data,
                                 get_split_data, load_CIFAR10, load_default, verify_manifest)
from cs231n_lab.datasets.__main__ import main as cli
from cs231n_lab.datasets.default import DEFAULT_DIR, MANIFEST
from test_datasets import idx_bytes, make_cifar, make_fashion


@pytest.fixture(scope="module")
def bundle():
    return load_default()


# ---------------------------------------------------------------- the bundle

def test_bundle_files_match_the_manifest_checksums():
    manifest = json.loads((DEFAULT_DIR / MANIFEST).read_text())
    assert set(manifest["files"]) == {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}
    total = 0
    for name, entry in manifest["files"].items():
        data = (DEFAULT_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert len(data) == entry["bytes"]
        total += len(data)
    assert total < 8 * 2**20  # "a few MB": comfortable to clone


def test_bundle_is_class_balanced_and_shaped_as_promised(bundle):
    assert bundle.X_train.shape == (10000, 28, 28, 1) and bundle.X_train.dtype == np.uint8
    assert bundle.X_test.shape == (2000, 28, 28, 1)
    assert bundle.y_train.dtype == np.int64 and bundle.y_test.dtype == np.int64
    assert np.bincount(bundle.y_train, minlength=10).tolist() == [1000] * 10
    assert np.bincount(bundle.y_test, minlength=10).tolist() == [200] * 10
    assert bundle.class_names == FASHION_MNIST_CLASSES
    # Shuffled, not sorted by class: the first 100 labels cover several classes.
    assert len(set(bundle.y_train[:100].tolist())) == 10
    # Real images, not blanks: every image has ink, and pixels span the full range.
    assert (bundle.X_train.reshape(10000, -1).max(axis=1) > 100).all()
    assert bundle.X_train.min() == 0 and bundle.X_train.max() == 255


def test_bundle_matches_its_raw_idx_bytes(bundle):
    # Decode the label file independently of the kit's reader.
    raw = gzip.decompress((DEFAULT_DIR / "train-labels-idx1-ubyte.gz").read_bytes())
    assert raw[:8] == b"\x00\x00\x08\x01" + (10000).to_bytes(4, "big")
    np.testing.assert_array_equal(np.frombuffer(raw, np.uint8, offset=8), bundle.y_train)


def test_damaged_bundle_is_refused_naming_the_file(tmp_path):
    copy = tmp_path / "bundle"
    shutil.copytree(DEFAULT_DIR, copy)
    path = copy / "t10k-images-idx3-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[5000] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz: checksum mismatch"):
        load_default(copy)
    (copy / MANIFEST).unlink()
    with pytest.raises(FileNotFoundError, match="MANIFEST.json"):
        load_default(copy)


def test_build_default_is_balanced_deterministic_and_verifiable(tmp_path, rng):
    src = tmp_path / "src"
    X_train, y_train, X_test, y_test = make_fashion(src, rng, n_train=60, n_test=40)
    a = build_default(src, tmp_path / "a", train_per_class=4, test_per_class=2, seed=7, check_source=False)
    b = build_default(src, tmp_path / "b", train_per_class=4, test_per_class=2, seed=7, check_source=False)
    for name in a["files"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / MANIFEST).read_bytes() == (tmp_path / "b" / MANIFEST).read_bytes()
    d = load_default(tmp_path / "a")
    assert np.bincount(d.y_train).tolist() == [4] * 10 and np.bincount(d.y_test).tolist() == [2] * 10
    # Every chosen image is a distinct source image carrying its source label.
    flat = X_train.reshape(60, -1)
    chosen = [int(np.flatnonzero((flat == img.ravel()).all(axis=1))[0]) for img in d.X_train]
    assert len(set(chosen)) == 40
    np.testing.assert_array_equal(y_train[chosen], d.y_train)
    c = build_default(src, tmp_path / "c", train_per_class=4, test_per_class=2, seed=8, check_source=False)
    assert c["files"]["train-labels-idx1-ubyte.gz"]["sha256"] != a["files"]["train-labels-idx1-ubyte.gz"]["sha256"]


def test_build_default_refuses_non_official_sources_and_short_classes(tmp_path, rng):
    src = tmp_path / "src"
    make_fashion(src, rng, n_train=30, n_test=20)
    with pytest.raises(ValueError, match="not the official"):
        build_default(src, tmp_path / "out")
    with pytest.raises(ValueError, match="class 0 has 3 examples, fewer than the 5"):
        build_default(src, tmp_path / "out", train_per_class=5, test_per_class=1, check_source=False)


def test_cli_verify_and_build(tmp_path, rng, capsys):
    assert cli(["verify"]) == 0
    assert "checksums match" in capsys.readouterr().out
    make_fashion(tmp_path / "src", rng, n_train=10000, n_test=2000)
    assert cli(["build-default", "--source", str(tmp_path / "src"), "--dest", str(tmp_path / "out")]) == 1
    assert "not the official" in capsys.readouterr().err
    assert cli(["verify", "--root", str(tmp_path / "nothing")]) == 1


def test_manifest_must_be_valid_json(tmp_path):
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(ValueError, match="not a valid manifest"):
        verify_manifest(tmp_path)


# ---------------------------------------------------------------- get_split_data

def test_get_split_data_defaults(bundle):
    data = get_split_data()
    assert set(data) == {"X_train", "y_train", "X_val", "y_val", "X_test", "y_test", "class_names", "mean"}
    assert data["X_train"].shape == (9000, 1, 28, 28) and data["X_train"].dtype == np.float32
    assert data["X_val"].shape == (1000, 1, 28, 28) and data["X_test"].shape == (2000, 1, 28, 28)
    assert data["X_train"].flags["C_CONTIGUOUS"]
    raw = bundle.X_train.astype(np.float64) / 255
    mean = raw[:9000].mean(axis=0).transpose(2, 0, 1)  # (1, 28, 28), from the training split only
    np.testing.assert_allclose(data["mean"], mean, atol=1e-6)
    np.testing.assert_allclose(data["X_train"] + data["mean"], raw[:9000].transpose(0, 3, 1, 2), atol=1e-6)
    np.testing.assert_allclose(data["X_val"] + data["mean"], raw[9000:].transpose(0, 3, 1, 2), atol=1e-6)
    np.testing.assert_array_equal(data["y_val"], bundle.y_train[9000:])
    np.testing.assert_array_equal(data["y_test"], bundle.y_test)
    assert data["class_names"] == FASHION_MNIST_CLASSES


def test_get_split_data_sizes_and_modes(bundle):
    data = get_split_data(num_training=100, num_validation=50, num_test=20, subtract_mean=None, scale=1.0,
                          dtype=np.float64)
    assert data["X_train"].dtype == np.float64
    np.testing.assert_array_equal(data["X_val"][:, 0], bundle.X_train[100:150, :, :, 0])
    np.testing.assert_array_equal(data["X_test"][:, 0], bundle.X_test[:20, :, :, 0])
    assert not data["mean"].any() and data["mean"].shape == (1, 28, 28)
    channel = get_split_data(num_training=100, num_validation=0, subtract_mean="channel")
    assert channel["mean"].shape == (1, 1, 1) and channel["X_val"].shape == (0, 1, 28, 28)
    np.testing.assert_allclose(channel["mean"].item(), bundle.X_train[:100].mean() / 255, rtol=1e-5)


def test_get_split_data_on_colour_images_is_nchw(tmp_path, rng):
    make_cifar(tmp_path, rng, per_batch=6)
    data = get_CIFAR10_data(num_training=20, num_validation=5, num_test=4, root=tmp_path)
    raw = DataSet(zip(("X_train", "y_train", "X_test", "y_test"), load_CIFAR10(tmp_path)))
    assert data["X_train"].shape == (20, 3, 32, 32) and data["X_train"].dtype == np.float64
    # X[n, c, h, w] == raw[n, h, w, c], in 0..255 as in the CS231n helper.
    np.testing.assert_allclose(data["X_train"] + data["mean"], raw.X_train[:20].transpose(0, 3, 1, 2))
    np.testing.assert_allclose(data["mean"], raw.X_train[:20].mean(axis=0).transpose(2, 0, 1))
    per_channel = get_split_data(raw, num_validation=5, subtract_mean="channel", scale=1.0)
    np.testing.assert_allclose(per_channel["mean"].ravel(), raw.X_train[:25].mean(axis=(0, 1, 2)), rtol=1e-5)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"num_training": 9500}, ValueError, "num_training=9500 but only 9000"),
    ({"num_validation": -1}, ValueError, "num_validation must be a non-negative int"),
    ({"num_test": 2.5}, ValueError, "num_test must be a non-negative int"),
    ({"num_training": 0}, ValueError, "at least 1"),
    ({"subtract_mean": "pixel"}, ValueError, "subtract_mean must be one of"),
    ({"dtype": np.int32}, TypeError, "dtype must be a floating type"),
    ({"scale": 0}, ValueError, "scale must be a positive number"),
    ({"dataset": "mnist"}, ValueError, "dataset must be one of"),
    ({"dataset": {"X_train": 1}}, ValueError, "lacks"),
])
def test_get_split_data_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        get_split_data(**kwargs)


def test_idx_bytes_helper_is_the_official_layout():
    # Guard for the helper the tests write files with: the IDX header of MNIST's label file.
    assert idx_bytes(np.zeros(60000, np.uint8))[:8] == bytes.fromhex("00000801 0000ea60")
