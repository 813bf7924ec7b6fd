"""Layers point one way (issue 13), checked on every import statement, also those inside functions:
- the core (customer/, evaluators/, knowledge/) imports nothing of server/, web/ or the command line;
- the ground package (peilian/ without peilian/cli/) imports none of the layers above it;
- server/ imports nothing of the command line (peilian.cli);
- the services know no HTTP (no FastAPI, no route, no API module);
- web/ imports no route module: pages call services.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _files(*folders: str, skip: str | None = None) -> list[Path]:
    out = [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]
    return [p for p in out if skip is None or not p.is_relative_to(ROOT / skip)]


def _hits(files: list[Path], banned: tuple[str, ...]) -> list[str]:
    def is_banned(name: str) -> bool:
        return any(name == b or name.startswith(b + ".") for b in banned)

    return [
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{line}: {name}"
        for path in files
        for line, name in _imports(path)
        if is_banned(name)
    ]


RULES = {
    "core": (_files("customer", "evaluators", "knowledge"), ("server", "web", "peilian.cli", "typer")),
    "ground": (
        _files("peilian", skip="peilian/cli"),
        ("server", "web", "peilian.cli", "customer", "evaluators", "knowledge"),
    ),
    "server": (_files("server"), ("peilian.cli",)),
    "services": (_files("server/services"), ("fastapi", "starlette", "server.api", "web")),
    "web": (_files("web"), ("server.api.routes", "peilian.cli")),
}


@pytest.mark.parametrize("layer", list(RULES))
def test_layers_import_only_downwards(layer: str) -> None:
    files, banned = RULES[layer]
    assert files, f"no files found for {layer}"
    assert _hits(files, banned) == []


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from server.api.routes import sessions\n    import peilian.cli\n")
    assert _hits([sample], ("server.api.routes", "peilian.cli")) == [
        "sample.py:2: server.api.routes",
        "sample.py:2: server.api.routes.sessions",
        "sample.py:3: peilian.cli",
    ]
