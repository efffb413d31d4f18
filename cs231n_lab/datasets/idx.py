"""Tier B - the IDX file format of MNIST and Fashion-MNIST, read and written (gzip or raw).

An IDX file is a header followed by the array's bytes in C order:

    bytes 0-1   0x00 0x00
    byte  2     element type: 0x08 = unsigned byte (the only type these data sets use)
    byte  3     number of dimensions d (1 for labels, 3 for images)
    then        d big-endian uint32 sizes, e.g. N, 28, 28
    then        N * 28 * 28 bytes of data

So the "magic number" is 0x00000801 for a label file and 0x00000803 for an image file.
The official files are gzip-compressed (``*.gz``); both forms are read.
"""

import gzip
import os
import struct
import zlib

import numpy as np

from cs231n_lab.datasets.files import atomic_write

__all__ = ["read_idx", "write_idx", "IDX_UBYTE"]

IDX_UBYTE = 0x08


def _read_bytes(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"IDX file not found: {path}")
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                return f.read()
        with open(path, "rb") as f:
            return f.read()
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise ValueError(f"{path}: not a complete gzip file ({e}); it is truncated or corrupt - "
                         f"delete it and fetch it again") from e


def read_idx(path, ndim=None):
    """Read an IDX file (``.gz`` or raw) into a uint8 array shaped as its header says.

    path: the file. ndim: if given, the number of dimensions the file must have
    (1 for labels, 3 for images). Raises ValueError naming the file for a wrong magic
    number, a truncated body or trailing bytes.
    """
    path = os.fspath(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise ValueError(f"{path}: only {len(raw)} bytes, too short for an IDX header (truncated?)")
    zero0, zero1, dtype, dims = raw[0], raw[1], raw[2], raw[3]
    magic = int.from_bytes(raw[:4], "big")
    expected = ("0x00000801 (labels) or 0x00000803 (images)" if ndim is None
                else f"0x{0x800 + ndim:08x}")
    if zero0 != 0 or zero1 != 0 or dtype != IDX_UBYTE or dims == 0:
        raise ValueError(f"{path}: wrong IDX magic number 0x{magic:08x}; expected {expected} "
                         f"(is it an IDX file of unsigned bytes?)")
    if ndim is not None and dims != ndim:
        raise ValueError(f"{path}: IDX magic number 0x{magic:08x} says {dims} dimensions; expected {expected}")
    header = 4 + 4 * dims
    if len(raw) < header:
        raise ValueError(f"{path}: header cut short ({len(raw)} bytes, needs {header}); the file is truncated")
    shape = struct.unpack(f">{dims}I", raw[4:header])
    size = int(np.prod(shape, dtype=np.int64))
    body = len(raw) - header
    if body < size:
        raise ValueError(f"{path}: truncated - the header promises shape {shape} ({size} bytes of data) "
                         f"but only {body} bytes follow; delete it and fetch it again")
    if body > size:
        raise ValueError(f"{path}: {body - size} unexpected bytes after the data of shape {shape}")
    return np.frombuffer(raw, dtype=np.uint8, count=size, offset=header).reshape(shape).copy()


def write_idx(path, array):
    """Write a uint8 array as an IDX file, gzip-compressed if ``path`` ends in ``.gz``.

    The write is atomic. Compression is reproducible: the gzip header carries no file name
    and mtime 0, so the same array always gives the same bytes (with the same zlib).
    """
    path = os.fspath(path)
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise TypeError(f"array must have dtype uint8 for an IDX ubyte file, got {array.dtype}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"array must have 1..255 dimensions, got shape {array.shape}")
    payload = (bytes([0, 0, IDX_UBYTE, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
               + np.ascontiguousarray(array).tobytes())

    def write(f):
        if path.endswith(".gz"):
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as gz:
                gz.write(payload)
        else:
            f.write(payload)

    atomic_write(path, write)
