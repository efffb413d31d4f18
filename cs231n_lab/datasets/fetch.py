"""Tier B - fetch the full data sets from their official sources (the only code that
writes into a data folder).

    python -m cs231n_lab.datasets fetch fashion-mnist     # 4 files, 30 MB
    python -m cs231n_lab.datasets fetch cifar10           # 163 MiB archive, unpacked

Each download streams into a temporary file next to its destination, is checked against
the checksum its authors publish (MD5 for both data sets), and only then renamed into
place. CIFAR-10's archive is unpacked into a temporary folder, every batch is checked
against its MD5, and the folder is renamed into place last. So an interrupted or corrupt
download leaves nothing a loader would accept. Without a network the first connection
fails within ``timeout`` seconds with a message saying what to do instead.
"""

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from cs231n_lab.datasets.files import atomic_write, md5_file
from cs231n_lab.datasets.resolver import ENV_VAR, REPO_DATA_DIR, SPECS

__all__ = ["FetchError", "SOURCES", "download", "fetch", "default_dest"]

DEFAULT_TIMEOUT = 10  # seconds to connect and between received blocks

# Official locations and published MD5 checksums.
SOURCES = {
    "fashion-mnist": {
        "base_url": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "files": {  # https://github.com/zalandoresearch/fashion-mnist#get-the-data
            "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
        },
    },
    "cifar10": {
        "base_url": "https://www.cs.toronto.edu/~kriz/",
        "archive": ("cifar-10-python.tar.gz", "c58f30108f718f92721af3b95e74349a"),
        "members": {  # inside cifar-10-batches-py/ (MD5s as published with torchvision)
            "data_batch_1": "c99cafc152244af753f735de768cd75f",
            "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
            "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
            "data_batch_4": "634d18415352ddfa80567beed471001a",
            "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
            "test_batch": "40351d587109b95175f43aff81a1287e",
            "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
        },
    },
}


class FetchError(RuntimeError):
    """A download failed (no network, server error, interrupted transfer)."""


def default_dest():
    """Where fetched data goes: $CS231N_DATA if set, else the repository's datasets/."""
    return Path(os.environ.get(ENV_VAR) or REPO_DATA_DIR)


def _offline_help(name):
    ways = "\n  or ".join(SPECS[name]["how"][1:])
    return (f"No network? Get the files another way:\n"
            f"  {ways}\n"
            f"then pass root=FOLDER to the loader or set {ENV_VAR}=FOLDER.\n"
            f"Everything in the notebooks also runs on the bundled subset (load_default()).")


def download(url, path, md5, timeout=DEFAULT_TIMEOUT, name="fashion-mnist", progress=False):
    """Download ``url`` to ``path`` atomically, checking its MD5.

    progress: print how much has arrived after every tenth of the file (large downloads).
    Raises FetchError (with what to do instead) if the server cannot be reached or the
    transfer breaks off, and ValueError if the bytes do not match ``md5``. In every
    failure ``path`` is left untouched and no temporary file remains.
    """
    path = Path(path)
    h = hashlib.md5()

    def write(f):
        try:
            response = urllib.request.urlopen(url, timeout=timeout)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
            raise FetchError(f"could not download {url}: {getattr(e, 'reason', e)}\n{_offline_help(name)}") from e
        with response:
            length = response.headers.get("Content-Length")
            length = int(length) if length and length.isdigit() else None
            received = shown = 0
            while True:
                try:
                    block = response.read1(1 << 20)  # whatever has arrived, up to 1 MiB
                except (http.client.HTTPException, OSError) as e:  # connection dropped or stalled
                    raise FetchError(f"download of {url} broke off after {received} bytes ({e!r}); "
                                     f"nothing was saved - run fetch again") from e
                if not block:
                    break
                f.write(block)
                h.update(block)
                received += len(block)
                if progress and length and received - shown >= length / 10:
                    shown = received
                    print(f"  {received / 1e6:6.1f} of {length / 1e6:.1f} MB", flush=True)
        if length is not None and received != length:
            raise FetchError(f"download of {url} broke off after {received} of {length} bytes; "
                             f"nothing was saved - run fetch again")
        digest = h.hexdigest()
        if digest != md5:
            raise ValueError(f"{url}: checksum mismatch - MD5 {digest}, expected {md5}; "
                             f"the download is corrupt and was discarded ({path} not written)")

    atomic_write(path, write)
    return path


def _fetch_fashion_mnist(dest, base_url, timeout):
    folder = dest / SPECS["fashion-mnist"]["folder"]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for filename, md5 in SOURCES["fashion-mnist"]["files"].items():
            path = folder / filename
            if path.is_file() and md5_file(path) == md5:
                print(f"{path}: already present, checksum OK")
                continue
            print(f"downloading {base_url}{filename} ...", flush=True)
            download(base_url + filename, path, md5, timeout, "fashion-mnist", progress=True)
    except BaseException:
        if not any(folder.iterdir()):
            folder.rmdir()  # leave no empty folder behind
        raise
    return folder


def _unpack_cifar10(archive, dest):
    """Unpack only the known batches into a temporary folder, check each MD5, rename it in."""
    members = SOURCES["cifar10"]["members"]
    target = dest / SPECS["cifar10"]["folder"]
    staging = Path(tempfile.mkdtemp(prefix=".cifar-10-batches-py.", suffix=".part", dir=dest))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for name, md5 in members.items():
                # Read each member ourselves: no path in the archive can point outside dest.
                member = tar.getmember(f"cifar-10-batches-py/{name}")
                with tar.extractfile(member) as src, open(staging / name, "wb") as out:
                    shutil.copyfileobj(src, out)
                if md5_file(staging / name) != md5:
                    raise ValueError(f"{archive}: member {name} has the wrong MD5 (expected {md5})")
        os.chmod(staging, 0o755)
        if target.exists():
            print(f"replacing the incomplete or damaged copy in {target}")
            shutil.rmtree(target)  # a complete, verified copy was skipped in _fetch_cifar10
        os.replace(staging, target)
    except (tarfile.TarError, KeyError, EOFError, OSError) as e:
        raise ValueError(f"{archive}: cannot unpack the CIFAR-10 archive ({e})") from e
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


def _fetch_cifar10(dest, base_url, timeout):
    target = dest / SPECS["cifar10"]["folder"]
    members = SOURCES["cifar10"]["members"]
    if target.is_dir() and all((target / n).is_file() and md5_file(target / n) == m for n, m in members.items()):
        print(f"{target}: already present, checksums OK")
        return target
    dest.mkdir(parents=True, exist_ok=True)
    filename, md5 = SOURCES["cifar10"]["archive"]
    archive = dest / filename
    if not (archive.is_file() and md5_file(archive) == md5):
        print(f"downloading {base_url}{filename} (163 MiB) ...", flush=True)
        download(base_url + filename, archive, md5, timeout, "cifar10", progress=True)
    target = _unpack_cifar10(archive, dest)
    archive.unlink()
    return target


def fetch(name, dest=None, base_url=None, timeout=DEFAULT_TIMEOUT):
    """Download data set ``name`` ("fashion-mnist" or "cifar10") into ``dest``.

    dest: parent folder (default: $CS231N_DATA or the repository's datasets/); the data
    lands in dest/fashion-mnist/ or dest/cifar-10-batches-py/, where the resolver looks.
    base_url: a mirror to use instead of the official host. Returns the data folder.
    """
    if name not in SOURCES:
        raise ValueError(f"name must be one of {sorted(SOURCES)}, got {name!r}")
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    dest = Path(default_dest() if dest is None else dest)
    base_url = base_url or SOURCES[name]["base_url"]
    if not base_url.endswith("/"):
        base_url += "/"
    if name == "fashion-mnist":
        return _fetch_fashion_mnist(dest, base_url, timeout)
    return _fetch_cifar10(dest, base_url, timeout)
