"""Tier D - the grader's side of the sandbox: start, watch, kill and restart the student process.

Why a plain subprocess and not a Jupyter kernel per submission: the grader needs only the
cells that define graded functions (not the whole notebook), a hard wall-clock timeout on
*every* cell and test, and the freedom to kill the process at any point and start a fresh
one that resumes at the next test. A kernel adds a ZeroMQ session, an IPython shell and a
second start-up second per submission, and a dead kernel is harder to tell from a slow one;
``python -I -S _runner.py`` with one report pipe starts in a fraction of that
(``python -m cs231n_lab.bench grader`` measures both).

Each process gets its own session (``start_new_session``): at the end the grader kills the
process group, every process still in that session, and - because the grader makes itself
the "child subreaper" while grading (Linux prctl) - every orphan a submission left behind,
even one that called setsid() to escape its group.
"""

import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

import numpy

__all__ = ["Limits", "run_job", "process_guard", "SandboxError"]

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_runner.py")
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_EVENT_BYTES = 96 * 2 ** 20
_LOCK = threading.Lock()
_LIVE = set()  # pids of sandbox processes started and not yet reaped
_GUARD = {"depth": 0, "baseline": set()}


class SandboxError(RuntimeError):
    """The grader itself could not run a sandbox (not the student's fault)."""


@dataclass
class Limits:
    """Per-submission limits. timeout: wall-clock seconds per cell and per test case;
    budget: wall-clock seconds for the whole submission; memory_mb: address space;
    cpu_seconds: CPU time per process; file_mb: largest file it may write."""
    timeout: float = 10.0
    budget: float = 300.0
    memory_mb: int = 1536
    cpu_seconds: int = 120
    file_mb: int = 64
    startup_timeout: float = 60.0
    landlock: bool = True

    def __post_init__(self):
        for name in ("timeout", "budget", "memory_mb", "cpu_seconds", "file_mb", "startup_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"Limits: {name} must be a positive number, got {value!r}")

    def for_runner(self):
        return {"memory_bytes": int(self.memory_mb * 2 ** 20), "cpu_seconds": int(self.cpu_seconds),
                "file_bytes": int(self.file_mb * 2 ** 20), "output_bytes": 32 * 2 ** 20,
                "landlock": self.landlock}


def runner_sys_path():
    """Where the sandbox finds NumPy (site-packages; .pth files are not processed under -S)."""
    paths = [os.path.dirname(os.path.dirname(numpy.__file__)), sysconfig.get_paths()["purelib"],
             sysconfig.get_paths()["platlib"]]
    return list(dict.fromkeys(paths))


def _env(workdir):
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": workdir}


def _proc_stat(pid):
    """(ppid, session) of a process from /proc, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[1]), int(fields[3])
    except (OSError, IndexError, ValueError):
        return None


def _all_pids():
    try:
        return [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return []


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_session(sid):
    """SIGKILL the process group ``sid`` and every process whose session is ``sid``."""
    try:
        os.killpg(sid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for pid in _all_pids():
        stat = _proc_stat(pid)
        if stat and stat[1] == sid and pid != os.getpid():
            _kill(pid)


def _children():
    me = os.getpid()
    return {pid for pid in _all_pids() if (_proc_stat(pid) or (0, 0))[0] == me}


def _set_subreaper(on):
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1 if on else 0, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def sweep_orphans():
    """Kill and reap children of the grader that it did not start (orphans of sandboxes)."""
    with _LOCK:
        strays = _children() - _GUARD["baseline"] - _LIVE
        for pid in strays:
            _kill(pid)
        for pid in strays:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


@contextmanager
def process_guard():
    """While grading: adopt orphans of sandboxes (subreaper) and kill them when done."""
    with _LOCK:
        _GUARD["depth"] += 1
        if _GUARD["depth"] == 1:
            _GUARD["baseline"] = _children()
            _set_subreaper(True)
    try:
        yield sweep_orphans
    finally:
        sweep_orphans()
        with _LOCK:
            _GUARD["depth"] -= 1
            if _GUARD["depth"] == 0:
                _set_subreaper(False)


class _Process:
    """One sandbox process and the read end of its report pipe."""

    def __init__(self, job_path, workdir, start, skip):
        read_end, write_end = os.pipe()
        debug = os.environ.get("CS231N_LAB_GRADER_DEBUG") == "1"
        cmd = [sys.executable, "-I", "-S", RUNNER, job_path, str(start), ",".join(map(str, sorted(skip))),
               str(write_end)]
        with _LOCK:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=None if debug else subprocess.DEVNULL,
                                         stderr=None if debug else subprocess.DEVNULL, cwd=workdir,
                                         env=_env(workdir), pass_fds=(write_end,), start_new_session=True)
            _LIVE.add(self.proc.pid)
        os.close(write_end)
        self.fd, self.buf, self.reason = read_end, bytearray(), None

    def next_event(self, deadline):
        """The next JSON event, or None (self.reason says why: timeout, died, garbage)."""
        while True:
            newline = self.buf.find(b"\n")
            if newline >= 0:
                line, self.buf = bytes(self.buf[:newline]), self.buf[newline + 1:]
                try:
                    event = json.loads(line)
                    if isinstance(event, dict):
                        return event
                except ValueError:
                    pass
                self.reason = "garbage"
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.reason = "timeout"
                return None
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                data = os.read(self.fd, 1 << 20)
                if not data:
                    self.reason = "died"
                    return None
                self.buf += data
                if len(self.buf) > MAX_EVENT_BYTES:
                    self.reason = "too large"
                    return None

    def kill(self):
        kill_session(self.proc.pid)
        self.proc.wait()
        os.close(self.fd)
        with _LOCK:
            _LIVE.discard(self.proc.pid)

    def describe_end(self, timeout):
        if self.reason == "timeout":
            return "timeout", f"did not finish within {timeout:g} s (an infinite loop?)"
        if self.reason == "too large":
            return "crash", "produced far more output data than any correct answer"
        if self.reason == "garbage":
            return "crash", "wrote something that is not a report to the grader's channel"
        code = self.proc.returncode
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            hint = {"SIGXCPU": " (the CPU-time limit)", "SIGKILL": " (os.kill, or out of memory)"}.get(name, "")
            return "crash", f"the process running your code was killed by {name}{hint}"
        return "crash", f"the process running your code exited with code {code} (os._exit or a crash)"


def run_job(job, job_dir, workdir, limits):
    """Run every unit and test of ``job`` (see grader.build_job), restarting after any failure.

    Returns (units, tests, info): ``units[i]`` = {"error": ...} or {"failure": (kind, message)};
    ``tests[k]`` = the runner's test_done event or {"failure": (kind, message)}.
    """
    job = dict(job, scratch=workdir, limits=limits.for_runner(), sys_path=runner_sys_path(),
               package_dir=PACKAGE_DIR)
    job_path = os.path.join(job_dir, "job.json")
    with open(job_path, "w", encoding="utf-8") as f:
        json.dump(job, f)
    n_tests = len(job["tests"])
    units, tests, info = {}, {}, {"landlock": 0, "restarts": 0}
    skip, start, t0 = set(), 0, time.monotonic()
    end = t0 + limits.budget
    while True:
        proc, current, ready, finished = _Process(job_path, workdir, start, skip), None, False, False
        deadline = time.monotonic() + limits.startup_timeout
        try:
            while not finished:
                event = proc.next_event(min(deadline, end))
                if event is None:
                    break
                kind, now = event.get("event"), time.monotonic()
                if kind == "ready":
                    ready, info["landlock"] = True, event.get("landlock", 0)
                elif kind in ("unit_start", "test_start"):
                    number = event.get(kind[:4])
                    if current is not None or not isinstance(number, int) or (kind == "test_start" and number != start):
                        proc.reason = "garbage"  # tests run in order from ``start``: anything else is forged
                        break
                    current, deadline = (kind[:4], event[kind[:4]]), now + limits.timeout
                elif kind in ("unit_done", "test_done"):
                    if not current or current != (kind[:4], event.get(kind[:4])):
                        proc.reason = "garbage"  # a report out of order: student code wrote to the channel
                        break
                    if kind == "unit_done":
                        units.setdefault(current[1], {"error": event.get("error")})
                    else:
                        tests[current[1]], start = event, current[1] + 1
                    current, deadline = None, now + limits.startup_timeout
                elif kind == "finished":
                    if current is not None or start < n_tests:
                        proc.reason = "garbage"  # "finished" before the last test: forged
                        break
                    finished = True
        finally:
            proc.kill()
        if finished:
            break
        if not ready and current is None:  # no student code has run yet: the grader's own problem
            info["failed_starts"] = info.get("failed_starts", 0) + 1
            if info["failed_starts"] < 3:
                continue
            raise SandboxError(f"the sandbox process did not start ({proc.describe_end(limits.timeout)[1]}); "
                               "run with CS231N_LAB_GRADER_DEBUG=1 to see its error output")
        failure = proc.describe_end(limits.timeout)
        if current is not None and current[0] == "unit":
            units[current[1]] = {"failure": failure}
            skip.add(current[1])
        elif current is not None:
            tests[current[1]], start = {"failure": failure}, current[1] + 1
        info["restarts"] += 1
        if time.monotonic() >= end or info["restarts"] > n_tests + len(job["units"]) + 3:
            for k in range(start, n_tests):
                tests.setdefault(k, {"failure": ("budget", f"not run: the submission used up its "
                                                 f"{limits.budget:g} s time budget")})
            break
        if start >= n_tests:
            break
    return units, tests, info
