"""python -m cs231n_lab.bench NAME [args...]   |   python -m cs231n_lab.bench all"""

import importlib
import pkgutil
import sys

import cs231n_lab.bench as bench_pkg


def available():
    return sorted(m.name for m in pkgutil.iter_modules(bench_pkg.__path__) if not m.name.startswith("_"))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    names = available()
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("benchmarks:", ", ".join(names) or "(none)")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    targets = names if name == "all" else [name]
    for target in targets:
        if target not in names:
            print(f"unknown benchmark {target!r}; available: {', '.join(names)}", file=sys.stderr)
            return 2
        print(f"== bench {target} ==", flush=True)
        rc = importlib.import_module(f"cs231n_lab.bench.{target}").main(rest)
        if rc:
            return rc
    return 0


if __name__ == "__main__":
    sys.exit(main())
