"""Guard tests for the layout: they fail when an import goes against the one-way flow.

The flow is graph/ -> resolvers/ -> services/ -> models/ (README, Layout). Parsing the source
with `ast` checks what every module imports without importing it.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FACES = ("runs", "agents", "metrics", "demo", "cost", "alerts", "rate_limit")


def modules(folder: str) -> Iterator[Path]:
    yield from sorted((ROOT / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every absolute module name `path` imports (`from a.b import c` gives `a.b` and `a.b.c`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in modules(folder):
        for name in sorted(imported(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("folder", ["services", "models"])
def test_the_domain_imports_no_web_framework_and_no_graph(folder: str) -> None:
    assert offenders(folder, ("strawberry", "starlette", "graph", "resolvers", "agentwatch")) == []


def test_models_import_no_services() -> None:
    assert offenders("models", ("services",)) == []


def test_resolvers_import_no_sqlalchemy() -> None:
    assert offenders("resolvers", ("sqlalchemy", "sqlmodel", "models")) == []


def test_graph_types_hold_no_sql() -> None:
    assert offenders("graph/types", ("sqlalchemy", "sqlmodel", "models")) == []


def test_code_outside_a_package_uses_only_its_face() -> None:
    """`services.<pkg>.<module>` is private to `services/<pkg>/`; others import `services.<pkg>`.

    Unit tests are the exception: they test a package's modules from inside (white box).
    """
    found = []
    for folder in (
        "agentwatch",
        "graph",
        "resolvers",
        "services",
        "bench",
        "tests/api",
        "tests/e2e",
        "tests/browser",
        "tests/support",
    ):
        for path in modules(folder):
            inside = path.relative_to(ROOT).parts
            for name in sorted(imported(path)):
                parts = name.split(".")
                if len(parts) < 3 or parts[0] != "services" or parts[1] not in FACES:
                    continue
                if inside[:2] == ("services", parts[1]):
                    continue  # a package's own modules import each other directly
                if name.removeprefix(f"services.{parts[1]}.") in _face(parts[1]):
                    continue  # `from services.runs import RunFilter` also yields this name
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    assert found == []


def _face(package: str) -> set[str]:
    init = ROOT / "services" / package / "__init__.py"
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return {ast.literal_eval(e) for e in node.value.elts}  # type: ignore[attr-defined]
    raise AssertionError(f"services/{package}/__init__.py has no __all__")


@pytest.mark.parametrize("package", FACES)
def test_every_package_declares_its_face(package: str) -> None:
    init = ROOT / "services" / package / "__init__.py"
    exported = _face(package)
    defined = {
        alias.asname or alias.name
        for node in ast.parse(init.read_text()).body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert exported and exported <= defined


def test_no_test_module_imports_another_test_module() -> None:
    found = []
    for path in modules("tests"):
        for name in sorted(imported(path)):
            if name.startswith("tests.") and not name.startswith("tests.support"):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
            if name.split(".")[-1].startswith("test_") or name.endswith("conftest"):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    assert found == []


@pytest.mark.parametrize("folder", ["resolvers", "graph/types"])
def test_resolvers_and_types_never_touch_the_engine(folder: str) -> None:
    """Services are bound in `Platform`; the API layer calls them and never opens connections."""
    found = []
    for path in modules(folder):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr in {"engine", "connect", "begin"}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} uses .{node.attr}")
    assert found == []
