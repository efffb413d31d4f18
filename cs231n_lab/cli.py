"""Tier D - the ``cs231n-lab`` command (declared in pyproject.toml).

    cs231n-lab release ASSIGNMENT --out DIR
    cs231n-lab grade ASSIGNMENT SUBMISSION --out DIR [--workers N] [--timeout S] [--memory-mb M]
    cs231n-lab list

``grade`` exits 0 whenever grading ran, whatever the students scored; 2 for the grader's own
errors (unknown assignment, unreadable path), 1 if the grader itself failed.
"""

import argparse
import os
import sys

__all__ = ["main"]


def _parser():
    parser = argparse.ArgumentParser(prog="cs231n-lab", description="Release and grade cs231n-lab assignments.")
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="write the student notebook (solutions stubbed, outputs cleared)")
    rel.add_argument("assignment", help="A1, A2 or A3")
    rel.add_argument("--out", required=True, help="folder to write the student notebook into")
    rel.add_argument("--source", help="source notebook (default: notebooks/assignments/ of the checkout)")
    grade = sub.add_parser("grade", help="grade one notebook or a folder of notebooks")
    grade.add_argument("assignment", help="A1, A2 or A3")
    grade.add_argument("submission", help="a .ipynb file or a folder of them")
    grade.add_argument("--out", required=True, help="folder for results.json/feedback.md (and gradebook.csv)")
    grade.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="parallel sandboxes")
    grade.add_argument("--timeout", type=float, default=10.0, help="seconds per cell and per test case")
    grade.add_argument("--budget", type=float, default=300.0, help="seconds per submission in all")
    grade.add_argument("--memory-mb", type=int, default=1536, help="address-space limit of a sandbox")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    sub.add_parser("list", help="list the assignments and their items")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    from cs231n_lab.grading.spec import ASSIGNMENTS, get_assignment

    if args.command == "list":
        for name in ASSIGNMENTS:
            spec = get_assignment(name)
            items = ", ".join(f"{i.name} ({i.points:g})" for i in spec.items)
            print(f"{name}  {spec.title}: {items}")
        return 0
    try:
        spec = get_assignment(args.assignment)
    except ValueError as exc:
        print(f"cs231n-lab: {exc}", file=sys.stderr)
        return 2
    if args.command == "release":
        from cs231n_lab.grading.release import release
        try:
            path = release(spec, args.out, source=args.source)
        except (OSError, ValueError) as exc:
            print(f"cs231n-lab release: {exc}", file=sys.stderr)
            return 2
        print(f"released {spec.name} to {path}")
        return 0

    from cs231n_lab.grading.batch import grade_paths
    from cs231n_lab.grading.sandbox import Limits, SandboxError
    if not os.path.exists(args.submission):
        print(f"cs231n-lab grade: no such file or folder: {args.submission}", file=sys.stderr)
        return 2
    try:
        limits = Limits(timeout=args.timeout, budget=args.budget, memory_mb=args.memory_mb)
        results = grade_paths(spec, args.submission, args.out, workers=args.workers, limits=limits,
                              progress=not args.no_progress)
    except ValueError as exc:
        print(f"cs231n-lab grade: {exc}", file=sys.stderr)
        return 2
    except SandboxError as exc:
        print(f"cs231n-lab grade: the grader failed: {exc}", file=sys.stderr)
        return 1
    for r in results:
        print(f"{r.name}: {r.score:g} / {r.max_score:g}")
    print(f"graded {len(results)} submission(s) of {spec.name} into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
