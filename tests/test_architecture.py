"""The tier rules of CONTRIBUTING.md / DESIGN.md section 2, checked on every module.

    A  engine, gates                                  pure Python, nothing of the project
    B  other top-level modules, models/, datasets/    A, B, numpy
    C  pytorch/                                       A, B, C, torch
    D  viz/, widgets/, grading/, bench/, cli, notebook_tools, train    anything

Nothing imports tier D except tier D; torch only in C and D; ipywidgets only in widgets/.
"""

import ast
import pathlib
import subprocess
import sys
import textwrap

import pytest

PKG = pathlib.Path(__file__).resolve().parents[1] / "cs231n_lab"
TIER_A = {"engine", "gates"}
TIER_D_PACKAGES = {"viz", "widgets", "grading", "bench"}
TIER_D_MODULES = {"cli", "notebook_tools", "train"}
RANK = {"A": 0, "B": 1, "C": 2, "D": 3}


def module_name(path):
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def tier_of(module):
    parts = module.split(".")[1:]  # drop "cs231n_lab"
    if not parts:
        return "B"  # the package __init__ imports nothing heavy
    head = parts[0]
    if head in TIER_A:
        return "A"
    if head == "pytorch":
        return "C"
    if head in TIER_D_PACKAGES or head in TIER_D_MODULES:
        return "D"
    return "B"


def imports_of(path):
    """Every module name imported anywhere in the file (including inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                names.append(".".join(base + ([node.module] if node.module else [])))
            else:
                names.append(node.module)
    return names


MODULES = sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_imports_point_only_downward(path):
    me = module_name(path)
    my_tier = tier_of(me)
    problems = []
    for name in imports_of(path):
        top = name.split(".")[0]
        if top == "cs231n_lab":
            if name == "cs231n_lab":
                continue
            their = tier_of(name)
            if RANK[their] > RANK[my_tier]:
                problems.append(f"imports {name} (tier {their}) from tier {my_tier}")
            elif my_tier == "A" and their != "A":
                problems.append(f"tier A imports {name} (tier {their})")
        elif top == "torch" and my_tier not in ("C", "D"):
            problems.append(f"imports torch from tier {my_tier}")
        elif top == "ipywidgets" and not me.startswith("cs231n_lab.widgets"):
            problems.append("imports ipywidgets outside cs231n_lab.widgets")
        elif top in ("matplotlib", "tqdm", "scipy", "sklearn", "IPython") and my_tier in ("A", "B"):
            if top == "tqdm" and me == "cs231n_lab.solver":
                continue  # the Solver's optional progress bar, imported lazily and only when verbose
            problems.append(f"imports {top} from tier {my_tier}")
        elif my_tier == "A" and top in ("numpy",):
            problems.append("tier A is pure Python but imports numpy")
    assert not problems, f"{me}: " + "; ".join(problems)


def test_numpy_half_imports_with_torch_and_widgets_blocked():
    """Every tier A and B module imports in a process where torch, ipywidgets and matplotlib cannot."""
    mods = [module_name(p) for p in MODULES if tier_of(module_name(p)) in ("A", "B")]
    code = textwrap.dedent(f"""
        import importlib, importlib.abc, sys
        BLOCKED = ("torch", "ipywidgets", "matplotlib")
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError(f"{{name}} is blocked in this test")
        sys.meta_path.insert(0, Block())
        for m in {mods!r}:
            importlib.import_module(m)
        leaked = [b for b in BLOCKED if b in sys.modules]
        assert not leaked, leaked
        print("ok", len({mods!r}))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("ok")


def test_the_blocker_really_blocks():
    """The check above must be able to fail: importing torch under the blocker raises."""
    code = textwrap.dedent("""
        import importlib.abc, sys
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "torch":
                    raise ImportError("blocked")
        sys.meta_path.insert(0, Block())
        import torch
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "blocked" in result.stderr


def test_package_import_is_light():
    code = "import sys, cs231n_lab; print(sorted(m for m in ('numpy','torch','matplotlib') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
