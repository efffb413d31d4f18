"""Tier D - the student side of the grader: one sandboxed process (run as a script, never imported).

    python -I -S _runner.py JOB.json START_TEST SKIP_UNITS REPORT_FD

It uses only the standard library and NumPy (``cs231n_lab`` is deliberately not importable
here). In order, before any student code runs:

1. resource limits: address space, CPU seconds, file size, no core files;
2. Landlock (Linux >= 5.13): the kernel refuses every write outside the scratch folder,
   FIFOs/sockets/symlinks, TCP, signals to and ptrace of processes outside this sandbox;
   processes started by student code inherit it;
3. an audit hook (sys.addaudithook, which cannot be removed): writes outside the scratch
   folder, reading the course package's source or another process's /proc files, ctypes,
   gc introspection, frames and tracing (which would expose this runner's locals, e.g. other
   tests' inputs) and signals to other processes are refused; where Landlock is missing
   it also refuses starting processes. (An audit hook is a guard rail, not a security
   boundary: Landlock is the boundary where the kernel has it.)
4. an import guard: ``cs231n_lab`` (except a do-nothing ``cs231n_lab.grading.check``) and torch
   raise ImportError with a message saying why.

Then it runs the planned units (cells) in one namespace, takes each graded name from the
unit that defines it, and runs the test drivers from START_TEST on. Every step is reported
to the grader as one JSON line on REPORT_FD; a step that never reports back (loop, crash,
os._exit) is handled by the grader, which kills this process and starts a fresh one.
"""

import ast
import base64
import builtins
import io
import json
import os
import resource
import signal
import sys
import time
import types

_write, _dumps, _exit = os.write, json.dumps, os._exit


def _emit(fd, **event):
    data = (_dumps(event) + "\n").encode()
    while data:
        data = data[_write(fd, data):]


def _limits(lim):
    for name, value in (("RLIMIT_AS", lim["memory_bytes"]), ("RLIMIT_CPU", lim["cpu_seconds"]),
                        ("RLIMIT_FSIZE", lim["file_bytes"]), ("RLIMIT_CORE", 0)):
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (ValueError, OSError):
            pass
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a file over the size limit: OSError, not death


def _landlock(writable):
    """Restrict writes to ``writable`` with Landlock; returns the ABI version used (0: unavailable)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))  # LANDLOCK_CREATE_RULESET_VERSION
    if abi < 1:
        return 0
    write_file, remove_dir, remove_file, make_dir, make_reg, truncate = 1 << 1, 1 << 4, 1 << 5, 1 << 7, 1 << 8, 1 << 14
    handled = (1 << 1) | sum(1 << b for b in range(4, 13)) | ((1 << 13) if abi >= 2 else 0) | (truncate if abi >= 3 else 0)
    allowed = (write_file | remove_dir | remove_file | make_dir | make_reg | (truncate if abi >= 3 else 0)) & handled

    class Ruleset(ctypes.Structure):
        _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]

    attr = Ruleset(handled, 0b11 if abi >= 4 else 0, 0b11 if abi >= 6 else 0)  # TCP bind+connect; signals+unix sockets
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    ruleset = libc.syscall(444, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return 0
    folder = os.open(writable, os.O_PATH | os.O_CLOEXEC)
    rule = PathBeneath(allowed, folder)
    ok = libc.syscall(445, ruleset, 1, ctypes.byref(rule), ctypes.c_uint32(0)) == 0  # PATH_BENEATH
    ok = ok and libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
    ok = ok and libc.syscall(446, ruleset, ctypes.c_uint32(0)) == 0  # landlock_restrict_self
    os.close(folder)
    os.close(ruleset)
    return abi if ok else 0


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {"os.remove", "os.rmdir", "os.rename", "os.mkdir", "os.chmod", "os.chown", "os.truncate",
                "os.utime", "shutil.rmtree", "shutil.copyfile", "shutil.copymode", "shutil.copystat",
                "shutil.move", "shutil.copytree", "os.setxattr", "os.removexattr"}
_PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                   "os.forkpty", "pty.spawn"}
_DENY = {"gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys.addaudithook", "os.symlink",
         "os.link", "socket.connect", "socket.bind", "sqlite3.connect", "os.startfile", "sys.remote_exec",
         "sys.settrace", "sys.setprofile", "sys._current_frames"}
# Frames would let student code read this runner's locals (other tests' inputs): no frame objects.
# ValueError is what the standard library expects from sys._getframe when there is no such frame.
_FRAME_EVENTS = {"sys._getframe", "sys._getframemodulename"}
_FRAME_ATTRIBUTES = {"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"}


def _make_hook(scratch, package_dir, allow_processes):
    realpath, isinstance_, str_, bytes_, os_fsdecode = os.path.realpath, isinstance, str, bytes, os.fsdecode
    me = os.getpid()

    def inside(path, root):
        if isinstance_(path, bytes_):
            path = os_fsdecode(path)
        if not isinstance_(path, str_):
            return None  # a file descriptor: its opening was checked
        real = realpath(path)
        return real == root or real.startswith(root + os.sep)

    def refuse(event, detail):
        raise PermissionError(f"not allowed while grading: {event} {detail}"[:200])

    def hook(event, args):
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            writing = (isinstance_(mode, str_) and any(c in mode for c in "wax+")) or \
                (isinstance_(flags, int) and flags & _WRITE_FLAGS)
            if writing and inside(path, scratch) is False and path not in ("/dev/null", b"/dev/null"):
                refuse("writing", path)
            if package_dir and inside(path, package_dir):
                refuse("reading the course package's source", path)
            if isinstance_(path, (str_, bytes_)):
                parts = realpath(os_fsdecode(path)).split("/")
                if len(parts) > 2 and parts[1] == "proc" and parts[2].isdigit() and int(parts[2]) != me:
                    refuse("reading another process", path)  # e.g. the grader's memory
        elif event in _PATH_EVENTS:
            for arg in args:
                if isinstance_(arg, (str_, bytes_)) and inside(arg, scratch) is False:
                    refuse(event, arg)
        elif event in _FRAME_EVENTS:
            raise ValueError("call stack frames are not available while grading")
        elif event == "object.__getattr__" and len(args) > 1 and args[1] in _FRAME_ATTRIBUTES:
            refuse("reading frames", args[1])
        elif event.startswith("ctypes.") or event in _DENY:
            refuse(event, "")
        elif event in ("os.kill", "os.killpg") and args and args[0] not in (me, 0):
            refuse(event, args[0])
        elif event in _PROCESS_EVENTS and not allow_processes:
            refuse("starting a process", "")

    return hook


class _ImportGuard:
    """A sys.meta_path finder that refuses the reference implementation and torch."""

    def __init__(self, blocked):
        self.blocked = tuple(blocked)

    def find_spec(self, name, path=None, target=None):
        root = name.split(".")[0]
        if root in self.blocked:
            why = ("the course's reference implementation is not available to graded code: write the "
                   "function yourself with NumPy" if root == "cs231n_lab"
                   else "this is a NumPy-only assignment")
            raise ImportError(f"importing {name!r} is refused while grading: {why}", name=name)
        return None

    def invalidate_caches(self):
        pass


def _stub_check_module():
    pkg = types.ModuleType("cs231n_lab")
    pkg.__path__ = []
    grading = types.ModuleType("cs231n_lab.grading")
    grading.check = lambda *args, **kwargs: None  # public checks do not run while grading
    pkg.grading = grading
    sys.modules["cs231n_lab"], sys.modules["cs231n_lab.grading"] = pkg, grading


def _describe(exc):
    try:
        message = str(exc)
    except BaseException:
        message = "<the exception's message could not be printed>"
    return {"type": type(exc).__name__[:80], "message": message[:500]}


class _Functions:
    """The ``f`` a driver receives: the graded names as taken from their defining cells."""

    def __init__(self, graded):
        object.__setattr__(self, "_graded", graded)

    def __getattr__(self, name):
        graded = object.__getattribute__(self, "_graded")
        if name not in graded:
            raise NameError(f"{name} is not defined in your notebook (this test calls it)")
        return graded[name]


def _decode(value, np):
    if isinstance(value, dict):
        if set(value) == {"__npy__"}:
            return np.load(io.BytesIO(base64.b64decode(value["__npy__"])), allow_pickle=False)
        return {k: _decode(v, np) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, np) for v in value]
    return value


def _encode(name, value, np, write_array, max_bytes):
    arr = value if type(value) is np.ndarray else np.asarray(value)
    if type(arr) is not np.ndarray:
        arr = np.array(arr, subok=False)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} is a {type(value).__name__} (dtype {arr.dtype}); expected a numeric array")
    if arr.nbytes > max_bytes:
        raise ValueError(f"{name} has {arr.nbytes} bytes, far more than any correct answer")
    buf = io.BytesIO()
    write_array(buf, arr, allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def main(argv):
    job_path, start, skip, fd = argv[1], int(argv[2]), {int(s) for s in argv[3].split(",") if s}, int(argv[4])
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    sys.dont_write_bytecode = True
    sys.path.extend(p for p in job["sys_path"] if p not in sys.path)
    _limits(job["limits"])
    import numpy as np
    write_array = np.lib.format.write_array
    tests = [(t["item"], _decode(t["inputs"], np)) for t in job["tests"]]
    scratch = os.path.realpath(job["scratch"])
    use_landlock = job["limits"].get("landlock", True) and sys.platform.startswith("linux")
    landlock = _landlock(scratch) if use_landlock else 0  # syscall numbers 444-446: Linux only
    sys.addaudithook(_make_hook(scratch, job.get("package_dir"), allow_processes=bool(landlock)))
    _stub_check_module()
    sys.meta_path.insert(0, _ImportGuard(job["blocked_imports"]))
    os.chdir(scratch)
    _emit(fd, event="ready", landlock=landlock)

    ns = {"__name__": "__main__", "__builtins__": builtins}
    graded = {}
    for i, unit in enumerate(job["units"]):
        if i in skip:
            continue
        _emit(fd, event="unit_start", unit=i)
        error = None
        if unit.get("support"):  # imports/helpers of other cells: each statement on its own, errors ignored
            for stmt in ast.parse(unit["source"]).body:
                try:
                    exec(compile(ast.Module(body=[stmt], type_ignores=[]), f"<cell {unit['cell']}>", "exec"), ns)
                except BaseException:
                    pass
        else:
            try:
                exec(compile(unit["source"], f"<cell {unit['cell']}>", "exec"), ns)
            except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the grader goes on
                error = _describe(exc)
        for name in unit["defines"]:
            if name in ns:
                graded[name] = ns[name]
        _emit(fd, event="unit_done", unit=i, error=error)
    ns.update(graded)  # later cells cannot replace a graded name that other graded code calls

    drivers = {}
    for name, source in job["drivers"].items():
        scope = {"__builtins__": builtins}
        exec(compile(source, f"<driver {name}>", "exec"), scope)
        drivers[name] = scope[job["driver_names"][name]]
    f = _Functions(graded)
    for k in range(start, len(tests)):
        item, inputs = tests[k]
        signal.alarm(0)  # an alarm a graded function set must not hit the next test
        _emit(fd, event="test_start", test=k)
        try:
            result = drivers[item](f, **inputs)
            outputs = {str(n): _encode(str(n), v, np, write_array, job["limits"]["output_bytes"])
                       for n, v in result.items()}
            _emit(fd, event="test_done", test=k, outputs=outputs)
        except BaseException as exc:
            _emit(fd, event="test_done", test=k, error=_describe(exc))
    _emit(fd, event="finished")
    _exit(0)  # skip interpreter shutdown: atexit handlers and __del__ of student objects do not run


if __name__ == "__main__":
    main(sys.argv)
