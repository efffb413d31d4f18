"""Command line for the data sets.

    python -m cs231n_lab.datasets fetch fashion-mnist|cifar10 [--dest FOLDER] [--timeout S]
    python -m cs231n_lab.datasets build-default [--source FOLDER] [--dest FOLDER]
    python -m cs231n_lab.datasets verify [--root FOLDER]
    python -m cs231n_lab.datasets where fashion-mnist|cifar10 [--root FOLDER]
"""

import argparse
import sys

from cs231n_lab.datasets.default import build_default, load_default
from cs231n_lab.datasets.fetch import DEFAULT_TIMEOUT, SOURCES, FetchError, fetch
from cs231n_lab.datasets.resolver import SPECS, resolve


def _fetch(args):
    folder = fetch(args.name, dest=args.dest, base_url=args.url, timeout=args.timeout)
    print(f"{args.name} is ready in {folder}")


def _build_default(args):
    manifest = build_default(source=args.source, dest=args.dest)
    for name, entry in sorted(manifest["files"].items()):
        print(f"{name:28s} {entry['bytes']:>9d} bytes  sha256 {entry['sha256']}")


def _verify(args):
    data = load_default(root=args.root, verify=True)
    print(f"bundled data OK: {len(data['X_train'])} train + {len(data['X_test'])} test images, "
          f"checksums match MANIFEST.json")


def _where(args):
    print(resolve(args.name, args.root))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cs231n_lab.datasets", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fetch", help="download a full data set from its official source (checksummed)")
    f.add_argument("name", choices=sorted(SOURCES))
    f.add_argument("--dest", help="parent folder (default: $CS231N_DATA or the repository's datasets/)")
    f.add_argument("--url", help="mirror base URL to use instead of the official one")
    f.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds before giving up")
    f.set_defaults(run=_fetch)
    b = sub.add_parser("build-default", help="rebuild the bundled subset from the official Fashion-MNIST files")
    b.add_argument("--source", help="folder with the official files (default: the resolver's search)")
    b.add_argument("--dest", help="output folder (default: datasets/fashion-mnist-subset)")
    b.set_defaults(run=_build_default)
    v = sub.add_parser("verify", help="check the bundled subset against its manifest")
    v.add_argument("--root", help="bundle folder (default: datasets/fashion-mnist-subset)")
    v.set_defaults(run=_verify)
    w = sub.add_parser("where", help="print the folder the resolver finds for a data set")
    w.add_argument("name", choices=sorted(SPECS))
    w.add_argument("--root")
    w.set_defaults(run=_where)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (FetchError, ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
