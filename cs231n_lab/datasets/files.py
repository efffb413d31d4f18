"""Tier B - small helpers every data-set module shares: the DataSet container, checksums
and atomic writes.

Atomic write: the bytes go to a temporary file in the destination's own folder, which is
then ``os.replace``d onto the final name. A rename within one file system is atomic, so a
reader sees either the old file, the complete new one, or nothing - never half a file.
"""

import hashlib
import os
import tempfile

__all__ = ["DataSet", "sha256_file", "md5_file", "atomic_write"]


class DataSet(dict):
    """A dict of arrays that can also be read as attributes: ``d["X_train"]`` or ``d.X_train``.

    Raw loaders fill X_train, y_train, X_test, y_test and class_names; it is a plain dict
    underneath, so it can be passed wherever CS231n code expects a data dict.
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"DataSet has no entry {name!r}; it has {sorted(self)}") from None


def _hash_file(path, algorithm):
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_file(path):
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    return _hash_file(path, "sha256")


def md5_file(path):
    """Hex MD5 of a file's bytes (the checksum the data sets' authors publish)."""
    return _hash_file(path, "md5")


def atomic_write(path, write):
    """Create ``path`` atomically: ``write(f)`` fills a temporary file opened for binary
    writing in the same folder, which then replaces ``path``. On any error the temporary
    file is removed and ``path`` is left as it was."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; data files are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
