"""The environment is described once: pyproject names the packages, constraints.txt pins them,
environment.yml gives conda users the same list."""

import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(req):
    return canonical(re.split(r"[<>=!~;\[ ]", req.strip(), maxsplit=1)[0])


def pyproject_deps():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = data["project"]
    deps = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        deps += extra
    return {requirement_name(d) for d in deps}


def environment_yml_pip_deps():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == "- pip:")
    indent = len(lines[start + 1]) - len(lines[start + 1].lstrip())
    deps = []
    for line in lines[start + 1:]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if len(line) - len(line.lstrip()) < indent:
            break
        item = line.strip()[2:].strip()
        if not item.startswith("-"):
            deps.append(requirement_name(item))
    return set(deps)


def constraints():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonical(name)] = version
    return pins


def test_environment_yml_and_pyproject_name_the_same_dependencies():
    assert environment_yml_pip_deps() == pyproject_deps()


def test_environment_yml_uses_the_constraints_and_installs_the_package():
    text = (ROOT / "environment.yml").read_text()
    assert "- -c constraints.txt" in text and "- -e ." in text


def test_every_dependency_is_pinned_exactly():
    pins = constraints()
    missing = sorted(d for d in pyproject_deps() if d not in pins)
    assert not missing, f"add exact pins to constraints.txt for {missing}"
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!]*", v) for v in pins.values()), pins


def test_torch_is_pinned_to_the_cpu_build_on_disk():
    assert constraints()["torch"] == "2.13.0"


def test_makefile_installs_with_the_constraints():
    assert "-c constraints.txt" in (ROOT / "Makefile").read_text()
    assert "make test" in (ROOT / ".ci" / "run").read_text()
