"""Loaders (IDX, CIFAR-10 pickles), the resolver, and bad input.

Test files are written here, by hand, in the official formats (struct + gzip + pickle),
not with the kit's own writer, so a reader and a writer that agree on a wrong format
cannot both pass.
"""

import gzip
import os
import pickle
import struct
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lab.datasets import (CIFAR10_CLASSES, FASHION_MNIST_CLASSES, load_cifar10, load_CIFAR10,
                                 load_CIFAR_batch, load_fashion_mnist, read_idx, resolve, write_idx)
from cs231n_lab.datasets import resolver

FASHION_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def idx_bytes(array):
    """The IDX encoding, spelled out: 0, 0, 0x08 (ubyte), ndim, big-endian sizes, data."""
    array = np.asarray(array, dtype=np.uint8)
    return bytes([0, 0, 8, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape) + array.tobytes()


def write_file(path, data, gz):
    with (gzip.open(path, "wb") if gz else open(path, "wb")) as f:
        f.write(data)


def make_fashion(folder, rng, n_train=30, n_test=20, gz=True):
    """Four tiny official-format files; returns the arrays written."""
    os.makedirs(folder, exist_ok=True)
    X_train = rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)
    X_test = rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)
    y_train, y_test = np.arange(n_train) % 10, (np.arange(n_test) * 3) % 10
    suffix = ".gz" if gz else ""
    for stem, arr in zip(FASHION_FILES, (X_train, y_train, X_test, y_test)):
        write_file(os.path.join(folder, stem + suffix), idx_bytes(arr), gz)
    return X_train, y_train, X_test, y_test


def cifar_batch_dict(X, y):
    """A batch as the official pickles store it: rows are (3, 32, 32) flattened."""
    return {b"batch_label": b"test batch", b"labels": list(map(int, y)),
            b"data": X.transpose(0, 3, 1, 2).reshape(len(X), -1), b"filenames": [b"x.png"] * len(X)}


def make_cifar(parent, rng, per_batch=4):
    folder = os.path.join(parent, "cifar-10-batches-py")
    os.makedirs(folder)
    Xs, ys = [], []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        X = rng.integers(0, 256, (per_batch, 32, 32, 3), dtype=np.uint8)
        y = rng.integers(0, 10, per_batch)
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump(cifar_batch_dict(X, y), f, protocol=2)
        Xs.append(X)
        ys.append(y)
    with open(os.path.join(folder, "batches.meta"), "wb") as f:
        pickle.dump({b"label_names": [c.encode() for c in CIFAR10_CLASSES], b"num_vis": 3072}, f)
    return folder, Xs, ys


# ---------------------------------------------------------------- IDX

@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_reads_the_official_layout(tmp_path, rng, gz):
    arr = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    path = str(tmp_path / ("x.idx" + (".gz" if gz else "")))
    write_file(path, idx_bytes(arr), gz)
    out = read_idx(path)
    assert out.dtype == np.uint8 and out.shape == (5, 28, 28)
    np.testing.assert_array_equal(out, arr)


def test_write_idx_matches_the_format_and_is_reproducible(tmp_path, rng):
    arr = rng.integers(0, 256, (7, 3, 2), dtype=np.uint8)
    a, b = tmp_path / "a.gz", tmp_path / "b.gz"
    write_idx(a, arr)
    write_idx(b, arr)
    assert gzip.decompress(a.read_bytes()) == idx_bytes(arr)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes()[4:8] == b"\0\0\0\0"  # gzip mtime field is zero
    write_idx(tmp_path / "raw", arr)
    assert (tmp_path / "raw").read_bytes() == idx_bytes(arr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gz", "b.gz", "raw"]  # no temp files left
    with pytest.raises(TypeError, match="uint8"):
        write_idx(tmp_path / "c", arr.astype(np.int32))


def test_read_idx_rejects_a_wrong_magic_number(tmp_path):
    path = tmp_path / "bad-idx3-ubyte"
    path.write_bytes(b"\x00\x00\x0d\x03" + struct.pack(">III", 1, 2, 2) + bytes(4))  # 0x0d = float
    with pytest.raises(ValueError, match=r"bad-idx3-ubyte.*magic number 0x00000d03"):
        read_idx(path)
    path.write_bytes(b"PK\x03\x04" + bytes(20))
    with pytest.raises(ValueError, match="magic"):
        read_idx(path)


def test_read_idx_rejects_the_wrong_number_of_dimensions(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.arange(4)))
    with pytest.raises(ValueError, match=r"labels.*1 dimensions; expected 0x00000803"):
        read_idx(path, ndim=3)


@pytest.mark.parametrize("cut", [2, 10, 100])
def test_read_idx_rejects_a_truncated_body(tmp_path, rng, cut):
    data = idx_bytes(rng.integers(0, 256, (3, 28, 28), dtype=np.uint8))
    path = tmp_path / "cut-idx3-ubyte"
    path.write_bytes(data[:-cut] if cut != 10 else data[:10])
    with pytest.raises(ValueError, match="cut-idx3-ubyte.*truncated"):
        read_idx(path)


def test_read_idx_rejects_a_truncated_gzip_and_trailing_bytes(tmp_path, rng):
    data = idx_bytes(rng.integers(0, 256, (50, 28, 28), dtype=np.uint8))
    path = tmp_path / "t.gz"
    path.write_bytes(gzip.compress(data)[:-100])
    with pytest.raises(ValueError, match=r"t\.gz.*truncated or corrupt"):
        read_idx(path)
    path.write_bytes(gzip.compress(data + b"extra"))
    with pytest.raises(ValueError, match="5 unexpected bytes"):
        read_idx(path)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.gz"):
        read_idx(tmp_path / "nope.gz")


# ---------------------------------------------------------------- Fashion-MNIST

@pytest.mark.parametrize("gz", [True, False])
def test_load_fashion_mnist_from_official_format_files(tmp_path, rng, gz):
    X_train, y_train, X_test, y_test = make_fashion(tmp_path, rng, gz=gz)
    d = load_fashion_mnist(tmp_path)
    assert d["X_train"].shape == (30, 28, 28, 1) and d["X_train"].dtype == np.uint8
    assert d.y_train.dtype == np.int64 and d.y_test.shape == (20,)
    np.testing.assert_array_equal(d.X_train[..., 0], X_train)
    np.testing.assert_array_equal(d.X_test[..., 0], X_test)
    np.testing.assert_array_equal(d.y_train, y_train)
    np.testing.assert_array_equal(d.y_test, y_test)
    assert d.class_names == FASHION_MNIST_CLASSES and len(set(d.class_names)) == 10


def test_fashion_mnist_labels_out_of_range(tmp_path, rng):
    make_fashion(tmp_path, rng)
    write_file(tmp_path / "t10k-labels-idx1-ubyte.gz", idx_bytes(np.full(20, 12)), True)
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\.gz: label 12 is out of range; expected 0\.\.9"):
        load_fashion_mnist(tmp_path)


def test_fashion_mnist_image_and_label_counts_must_agree(tmp_path, rng):
    make_fashion(tmp_path, rng)
    write_file(tmp_path / "train-labels-idx1-ubyte.gz", idx_bytes(np.zeros(29)), True)
    with pytest.raises(ValueError, match="30 images but .*train-labels-idx1-ubyte.gz holds 29 labels"):
        load_fashion_mnist(tmp_path)


def test_fashion_mnist_truncated_file_names_the_file(tmp_path, rng):
    make_fashion(tmp_path, rng)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        load_fashion_mnist(tmp_path)


# ---------------------------------------------------------------- CIFAR-10

def test_load_cifar10_from_official_pickles(tmp_path, rng):
    _, Xs, ys = make_cifar(tmp_path, rng)
    d = load_cifar10(tmp_path)
    assert d.X_train.shape == (20, 32, 32, 3) and d.X_train.dtype == np.uint8
    assert d.y_train.dtype == np.int64
    np.testing.assert_array_equal(d.X_train, np.concatenate(Xs[:5]))  # batches 1..5 in order
    np.testing.assert_array_equal(d.y_train, np.concatenate(ys[:5]))
    np.testing.assert_array_equal(d.X_test, Xs[5])
    assert d.class_names == CIFAR10_CLASSES
    Xtr, Ytr, Xte, Yte = load_CIFAR10(str(tmp_path / "cifar-10-batches-py"))
    assert Xtr.dtype == np.float64 and Xtr.max() <= 255
    np.testing.assert_array_equal(Xte, Xs[5])


def test_cifar_channel_order_is_red_green_blue(tmp_path):
    # One image whose red plane is 10, green 20, blue 30: the row stores 1024 of each in turn.
    row = np.repeat(np.array([10, 20, 30], dtype=np.uint8), 1024)[None]
    path = tmp_path / "batch"
    with open(path, "wb") as f:
        pickle.dump({b"data": row, b"labels": [3]}, f)
    X, y = load_CIFAR_batch(path)
    assert X.shape == (1, 32, 32, 3)
    np.testing.assert_array_equal(X[0, 5, 7], [10, 20, 30])
    assert y.tolist() == [3]


def test_cifar_pickle_missing_keys(tmp_path, rng):
    folder, _, _ = make_cifar(tmp_path, rng)
    with open(os.path.join(folder, "data_batch_3"), "wb") as f:
        pickle.dump({b"data": np.zeros((2, 3072), np.uint8)}, f)
    with pytest.raises(ValueError, match=r"data_batch_3: the pickle lacks key\(s\) \[b'labels'\]"):
        load_cifar10(tmp_path)


def test_cifar_truncated_pickle_names_the_file(tmp_path, rng):
    folder, _, _ = make_cifar(tmp_path, rng)
    path = os.path.join(folder, "test_batch")
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[: len(data) // 2])
    with pytest.raises(ValueError, match="test_batch: not a readable CIFAR-10 pickle"):
        load_cifar10(tmp_path)


@pytest.mark.parametrize("bad, message", [
    ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]}, r"labels out of range \(0\.\.10\)"),
    ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, -1]}, "labels out of range"),
    ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}, "expected one label per image"),
    ({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, r"shaped \(N, 3072\)"),
    ([1, 2, 3], "expected a pickled dict"),
])
def test_cifar_bad_batches(tmp_path, bad, message):
    path = tmp_path / "data_batch_1"
    with open(path, "wb") as f:
        pickle.dump(bad, f)
    with pytest.raises(ValueError, match=message) as info:
        load_CIFAR_batch(path)
    assert "data_batch_1" in str(info.value)


# ---------------------------------------------------------------- resolver

@pytest.fixture
def places(tmp_path, monkeypatch):
    """Empty stand-ins for every place the resolver looks at."""
    dirs = {k: tmp_path / k for k in ("explicit", "env", "repo", "system")}
    for d in dirs.values():
        d.mkdir()
    monkeypatch.delenv(resolver.ENV_VAR, raising=False)
    monkeypatch.setattr(resolver, "REPO_DATA_DIR", dirs["repo"])
    monkeypatch.setattr(resolver, "SYSTEM_DIRS", {"fashion-mnist": [dirs["system"]], "cifar10": []})
    return dirs


def test_resolver_order(places, rng, monkeypatch):
    for name in ("explicit", "env", "system"):
        make_fashion(places[name], rng)
    make_fashion(places["repo"] / "fashion-mnist", rng)
    monkeypatch.setenv(resolver.ENV_VAR, str(places["env"]))
    assert resolve("fashion-mnist", places["explicit"]) == places["explicit"]
    assert resolve("fashion-mnist") == places["env"]
    monkeypatch.delenv(resolver.ENV_VAR)
    assert resolve("fashion-mnist") == places["repo"] / "fashion-mnist"
    for f in (places["repo"] / "fashion-mnist").iterdir():
        f.unlink()
    assert resolve("fashion-mnist") == places["system"]


def test_resolver_skips_an_incomplete_env_folder(places, rng, monkeypatch):
    make_fashion(places["env"], rng)
    (places["env"] / "t10k-labels-idx1-ubyte.gz").unlink()
    make_fashion(places["system"], rng)
    monkeypatch.setenv(resolver.ENV_VAR, str(places["env"]))
    assert resolve("fashion-mnist") == places["system"]


def test_resolver_finds_the_usual_subfolder(places, rng):
    make_fashion(places["explicit"] / "fashion-mnist", rng, gz=False)
    assert resolve("fashion-mnist", str(places["explicit"])) == places["explicit"] / "fashion-mnist"


def test_explicit_path_is_the_only_place_looked_at(places, rng):
    make_fashion(places["system"], rng)  # would be found without an explicit path
    with pytest.raises(FileNotFoundError) as info:
        resolve("fashion-mnist", places["explicit"])
    message = str(info.value)
    assert str(places["explicit"]) in message and "the folder is empty" in message
    assert str(places["system"]) not in message


def test_resolver_error_lists_every_place_and_how_to_fetch(places, monkeypatch):
    monkeypatch.setenv(resolver.ENV_VAR, str(places["env"] / "missing"))
    with pytest.raises(FileNotFoundError) as info:
        resolve("fashion-mnist")
    message = str(info.value)
    for where in (places["env"] / "missing", places["repo"] / "fashion-mnist", places["system"]):
        assert str(where) in message
    assert "python -m cs231n_lab.datasets fetch fashion-mnist" in message
    assert "apt-get install dataset-fashion-mnist" in message
    monkeypatch.delenv(resolver.ENV_VAR)
    with pytest.raises(FileNotFoundError, match=r"\$CS231N_DATA: not set"):
        resolve("fashion-mnist")


def test_partial_folder_names_the_missing_files(places, rng):
    make_fashion(places["explicit"], rng)
    (places["explicit"] / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="lacks train-labels-idx1-ubyte.gz"):
        load_fashion_mnist(places["explicit"])


def test_cifar10_missing_everywhere(places):
    with pytest.raises(FileNotFoundError, match="fetch cifar10"):
        load_cifar10()
    with pytest.raises(FileNotFoundError, match="empty"):
        load_cifar10(places["explicit"])


def test_resolver_rejects_unknown_names_and_bad_roots():
    with pytest.raises(ValueError, match="dataset must be one of"):
        resolve("mnist")
    with pytest.raises(TypeError, match="root must be a path"):
        resolve("cifar10", 42)


def test_loaders_do_not_write(tmp_path, rng):
    make_fashion(tmp_path, rng)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    load_fashion_mnist(tmp_path)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(0, 5), min_size=1, max_size=4), gz=st.booleans(), seed=st.integers(0, 2**16))
def test_idx_round_trip_any_shape(tmp_path_factory, shape, gz, seed):
    arr = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    path = tmp_path_factory.mktemp("idx") / ("a.gz" if gz else "a")
    write_idx(path, arr)
    raw = gzip.decompress(path.read_bytes()) if gz else path.read_bytes()
    assert raw == idx_bytes(arr)
    out = read_idx(path)
    assert out.shape == arr.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(out, arr)


def test_cli_where_and_module_entry_point(tmp_path, rng, capsys):
    from cs231n_lab.datasets.__main__ import main
    make_fashion(tmp_path / "fashion-mnist", rng)
    assert main(["where", "fashion-mnist", "--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "fashion-mnist")
    assert main(["where", "cifar10", "--root", str(tmp_path)]) == 1
    assert "fetch cifar10" in capsys.readouterr().err
    done = subprocess.run([sys.executable, "-m", "cs231n_lab.datasets", "verify"], capture_output=True, text=True)
    assert done.returncode == 0 and "checksums match" in done.stdout
