"""Fetching: checksums, atomic writes, failing fast offline. Never touches the internet:
a tiny HTTP server on 127.0.0.1 serves the bytes, and a closed local port plays "offline"."""

import gzip
import hashlib
import http.server
import io
import os
import pickle
import socket
import tarfile
import threading

import numpy as np
import pytest

from cs231n_lab.datasets import fetch as fetch_module
from cs231n_lab.datasets import load_cifar10, load_fashion_mnist
from cs231n_lab.datasets.__main__ import main as cli
from cs231n_lab.datasets.fetch import FetchError, download, fetch
from test_datasets import cifar_batch_dict, idx_bytes


class Server:
    """Serves ``files[path] = bytes``; ``cut[path] = n`` announces the full length but
    sends only n bytes, then hangs up (an interrupted transfer)."""

    def __init__(self):
        self.files, self.cut, self.stall = {}, {}, {}
        self.closing = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: server.cut.get(self.path, server.stall.get(self.path, len(body)))])
                self.wfile.flush()
                if self.path in server.stall:  # keep the connection open, send nothing more
                    server.closing.wait(10)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def closed_port_url():
    """A local port nobody listens on: connecting is refused at once, like being offline."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def md5(data):
    return hashlib.md5(data).hexdigest()


def test_download_writes_verified_bytes(server, tmp_path, capsys):
    body = os.urandom(3 * 2**20 + 17)  # several read blocks
    server.files["/a.bin"] = body
    out = download(server.url + "a.bin", tmp_path / "a.bin", md5(body), progress=True)
    assert out.read_bytes() == body
    assert os.listdir(tmp_path) == ["a.bin"]
    assert "of 3.1 MB" in capsys.readouterr().out


def test_corrupt_download_leaves_nothing(server, tmp_path):
    server.files["/a.bin"] = b"not the real file"
    with pytest.raises(ValueError, match="checksum mismatch"):
        download(server.url + "a.bin", tmp_path / "a.bin", md5(b"the real file"))
    assert os.listdir(tmp_path) == []


def test_interrupted_download_leaves_nothing_and_keeps_the_old_file(server, tmp_path):
    body = os.urandom(100_000)
    server.files["/a.bin"], server.cut["/a.bin"] = body, 40_000
    (tmp_path / "a.bin").write_bytes(b"old")
    with pytest.raises(FetchError, match=r"a\.bin broke off after \d+"):
        download(server.url + "a.bin", tmp_path / "a.bin", md5(body))
    assert os.listdir(tmp_path) == ["a.bin"] and (tmp_path / "a.bin").read_bytes() == b"old"


def test_stalled_download_times_out_and_leaves_nothing(server, tmp_path):
    body = os.urandom(50_000)
    server.files["/slow.bin"], server.stall["/slow.bin"] = body, 1000
    with pytest.raises(FetchError, match=r"slow\.bin broke off after 1000 bytes"):
        download(server.url + "slow.bin", tmp_path / "slow.bin", md5(body), timeout=0.5)
    assert os.listdir(tmp_path) == []


def test_http_error_is_a_fetch_error(server, tmp_path):
    with pytest.raises(FetchError, match="Not Found"):
        download(server.url + "missing.gz", tmp_path / "m.gz", md5(b""))
    assert os.listdir(tmp_path) == []


def test_offline_fails_fast_with_what_to_do(closed_port_url, tmp_path):
    with pytest.raises(FetchError) as info:
        fetch("fashion-mnist", dest=tmp_path, base_url=closed_port_url, timeout=2)
    message = str(info.value)
    assert closed_port_url in message and "No network?" in message
    assert "apt-get install dataset-fashion-mnist" in message and "CS231N_DATA" in message
    assert os.listdir(tmp_path) == []  # not even an empty folder
    with pytest.raises(FileNotFoundError):
        load_fashion_mnist(tmp_path)
    with pytest.raises(FetchError, match="cifar-10-python.tar.gz"):
        fetch("cifar10", dest=tmp_path, base_url=closed_port_url, timeout=2)
    assert os.listdir(tmp_path) == []


def test_cli_fetch_offline_exits_1(closed_port_url, tmp_path, capsys):
    assert cli(["fetch", "fashion-mnist", "--dest", str(tmp_path), "--url", closed_port_url,
                "--timeout", "2"]) == 1
    assert "No network?" in capsys.readouterr().err


def fashion_files(rng):
    arrays = {"train-images-idx3-ubyte.gz": rng.integers(0, 256, (20, 28, 28)),
              "train-labels-idx1-ubyte.gz": np.arange(20) % 10,
              "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (10, 28, 28)),
              "t10k-labels-idx1-ubyte.gz": np.arange(10)}
    return {name: gzip.compress(idx_bytes(a)) for name, a in arrays.items()}


def test_fetch_fashion_mnist_from_a_mirror(server, tmp_path, rng, monkeypatch):
    files = fashion_files(rng)
    server.files.update({"/" + n: b for n, b in files.items()})
    monkeypatch.setitem(fetch_module.SOURCES["fashion-mnist"], "files", {n: md5(b) for n, b in files.items()})
    folder = fetch("fashion-mnist", dest=tmp_path, base_url=server.url)
    assert folder == tmp_path / "fashion-mnist"
    d = load_fashion_mnist(tmp_path)
    assert d.X_train.shape == (20, 28, 28, 1) and d.y_test.tolist() == list(range(10))
    server.files.clear()  # a second fetch finds the files already verified: no network needed
    assert fetch("fashion-mnist", dest=tmp_path, base_url=server.url) == folder


def test_fetch_fashion_mnist_with_one_corrupt_file_is_not_loadable(server, tmp_path, rng, monkeypatch):
    files = fashion_files(rng)
    monkeypatch.setitem(fetch_module.SOURCES["fashion-mnist"], "files", {n: md5(b) for n, b in files.items()})
    files["t10k-images-idx3-ubyte.gz"] = files["t10k-images-idx3-ubyte.gz"][:-10]
    server.files.update({"/" + n: b for n, b in files.items()})
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz: checksum mismatch"):
        fetch("fashion-mnist", dest=tmp_path, base_url=server.url)
    assert "t10k-images-idx3-ubyte.gz" not in os.listdir(tmp_path / "fashion-mnist")
    with pytest.raises(FileNotFoundError, match="lacks t10k-images-idx3-ubyte.gz"):
        load_fashion_mnist(tmp_path)


def cifar_archive(rng, corrupt=None):
    """A tiny archive laid out like cifar-10-python.tar.gz, and the MD5s of its members."""
    members = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        X = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
        members[name] = pickle.dumps(cifar_batch_dict(X, [1, 2, 3]), protocol=2)
    members["batches.meta"] = pickle.dumps({b"label_names": [b"c%d" % i for i in range(10)]})
    sums = {name: md5(data) for name, data in members.items()}
    if corrupt:
        members[corrupt] = members[corrupt][:-5] + b"\0" * 5
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in list(members.items()) + [("readme.html", b"<html/>")]:
            info = tarfile.TarInfo("cifar-10-batches-py/" + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue(), sums


def test_fetch_cifar10_unpacks_verified_batches(server, tmp_path, rng, monkeypatch):
    archive, sums = cifar_archive(rng)
    server.files["/cifar-10-python.tar.gz"] = archive
    monkeypatch.setitem(fetch_module.SOURCES["cifar10"], "archive", ("cifar-10-python.tar.gz", md5(archive)))
    monkeypatch.setitem(fetch_module.SOURCES["cifar10"], "members", sums)
    folder = fetch("cifar10", dest=tmp_path, base_url=server.url)
    assert sorted(os.listdir(tmp_path)) == ["cifar-10-batches-py"]  # archive removed, no staging left
    assert sorted(os.listdir(folder)) == sorted(sums)
    d = load_cifar10(tmp_path)
    assert d.X_train.shape == (15, 32, 32, 3) and d.class_names[3] == "c3"


def test_fetch_cifar10_with_a_corrupt_member_leaves_no_batches(server, tmp_path, rng, monkeypatch):
    archive, sums = cifar_archive(rng, corrupt="data_batch_4")
    server.files["/cifar-10-python.tar.gz"] = archive
    monkeypatch.setitem(fetch_module.SOURCES["cifar10"], "archive", ("cifar-10-python.tar.gz", md5(archive)))
    monkeypatch.setitem(fetch_module.SOURCES["cifar10"], "members", sums)
    with pytest.raises(ValueError, match="data_batch_4 has the wrong MD5"):
        fetch("cifar10", dest=tmp_path, base_url=server.url)
    assert "cifar-10-batches-py" not in os.listdir(tmp_path)
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".part")]
    with pytest.raises(FileNotFoundError):
        load_cifar10(tmp_path)


def test_fetch_cifar10_rejects_the_wrong_archive(server, tmp_path, rng):
    server.files["/cifar-10-python.tar.gz"] = cifar_archive(rng)[0]  # official MD5 cannot match
    with pytest.raises(ValueError, match="checksum mismatch"):
        fetch("cifar10", dest=tmp_path, base_url=server.url)
    assert os.listdir(tmp_path) == []


def test_fetch_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="name must be one of"):
        fetch("imagenet", dest=tmp_path)
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        fetch("cifar10", dest=tmp_path, timeout=0)


def test_default_destination_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CS231N_DATA", str(tmp_path))
    assert fetch_module.default_dest() == tmp_path
    monkeypatch.delenv("CS231N_DATA")
    assert fetch_module.default_dest().name == "datasets"
