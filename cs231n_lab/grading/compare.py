"""Tier D - how a returned value is judged against the reference (grader side and ``check``).

Values cross from the student's process to the grader as ``.npy`` bytes, read with
``allow_pickle=False`` (an ``.npy`` cannot run code then). The header is read *first*:
dtype and shape are checked before a single number is loaded, so a forged or enormous file
is rejected without being read. Comparison is CS231n's relative error

    rel_error(a, b) = max |a - b| / max(1e-8, |a| + |b|)

after three checks that each give their own message: shape, dtype (float64 is expected for
float64 inputs; float32 would lose precision), and NaN/inf. With ``reveal=False`` (hidden
tests) messages never contain shapes, values or the expected result - only the kind of
failure and a one-digit relative error.
"""

import base64
import io

import numpy as np

from cs231n_lab.gradcheck import rel_error

__all__ = ["as_numeric_array", "encode_npy", "decode_npy", "compare_arrays", "OutputError",
           "MAX_OUTPUT_BYTES"]

MAX_OUTPUT_BYTES = 32 * 2 ** 20  # a correct answer of any item is a few KiB


class OutputError(ValueError):
    """A returned value that cannot be compared (not numeric, unreadable, too large)."""


def as_numeric_array(value, name):
    """``value`` as a plain numeric ndarray (bool/int/float), else OutputError naming ``name``."""
    arr = value if type(value) is np.ndarray else np.asarray(value)
    if type(arr) is not np.ndarray:  # an ndarray subclass: keep the data, drop the behaviour
        arr = np.array(arr, subok=False)
    if arr.dtype.kind not in "biuf":
        raise OutputError(f"{name} is a {type(value).__name__} (dtype {arr.dtype}); expected a numeric array")
    return arr


def encode_npy(arr):
    """ndarray -> base64 text of its .npy bytes (no pickles)."""
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def decode_npy(text, name, expected, reveal=True):
    """base64 .npy text from the sandbox -> ndarray, checking size, dtype and shape *before* loading.

    Raises OutputError for unreadable data; returns (array, problem) where problem is a
    message when dtype or shape differ from ``expected`` (array is None then).
    """
    if not isinstance(text, str) or len(text) > MAX_OUTPUT_BYTES * 4 // 3 + 16:
        raise OutputError(f"{name}: the returned value is not a readable array or is far too large")
    try:
        buf = io.BytesIO(base64.b64decode(text.encode("ascii"), validate=True))
        version = np.lib.format.read_magic(buf)
        header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                  else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = header(buf)
    except Exception as exc:
        raise OutputError(f"{name}: the returned value could not be read as an array "
                          f"({type(exc).__name__})") from None
    if dtype.hasobject or dtype.kind not in "biuf":
        raise OutputError(f"{name}: returned dtype {dtype}; expected a numeric array")
    problem = _shape_dtype_problem(name, shape, dtype, expected, reveal)
    if problem:
        return None, problem
    buf.seek(0)
    try:
        return np.load(buf, allow_pickle=False), None
    except Exception as exc:
        raise OutputError(f"{name}: the returned array is truncated or corrupt ({type(exc).__name__})") from None


def _shape_dtype_problem(name, shape, dtype, expected, reveal):
    if tuple(shape) != expected.shape:
        return (f"{name}: shape mismatch, got {tuple(shape)}, expected {expected.shape}" if reveal
                else f"{name}: shape mismatch (your output has the wrong shape)")
    if dtype != expected.dtype:
        return f"{name}: dtype mismatch, got {dtype}, expected {expected.dtype}"
    return None


def compare_arrays(name, got, expected, tol, reveal=True):
    """(ok, message) for one output: shape, dtype, finiteness, then rel_error <= tol."""
    problem = _shape_dtype_problem(name, got.shape, got.dtype, expected, reveal)
    if problem:
        return False, problem
    if got.dtype.kind == "f" and not np.all(np.isfinite(got)):
        bad = int(np.sum(~np.isfinite(got)))
        return False, f"{name}: contains NaN or inf ({bad} entries)" if reveal else f"{name}: contains NaN or inf"
    err = rel_error(got, expected)
    if err <= tol:
        return True, f"{name}: relative error < {tol:.0e}"
    return False, (f"{name}: relative error {err:.1e} (tolerance {tol:.0e})" if reveal
                   else f"{name}: wrong values, relative error {err:.0e}")
