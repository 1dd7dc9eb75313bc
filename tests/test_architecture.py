"""The shape of the code: layers that point one way, no import cycle, modules a person can read.

Every import counts, at module level or inside a function, under TYPE_CHECKING or not: a
cycle hidden in a function is still a cycle a reader has to untangle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "bjtrack"
MAX_LINES = 500

# Which layer may import which (besides itself). The entry points at the top level may
# import the CLI; nothing imports the CLI.
MAY_IMPORT = {
    "domain": set(),
    "files": {"domain"},
    "index": {"domain", "files"},
    "ops": {"domain", "files", "index"},
    "render": {"domain"},
    "cli": {"domain", "files", "index", "ops", "render"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        out |= {n for n in names if n in known and n != name and not name.startswith(n + ".")}
    return out


GRAPH = {name: _imports(name, path, _modules()) for name, path in _modules().items()}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in MAY_IMPORT) else None


def _cycle_from(start: str) -> list[str] | None:
    """A path start -> ... -> start through the import graph, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in GRAPH[node]:
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_no_import_cycle() -> None:
    cycles = [" -> ".join(c) for m in sorted(GRAPH) if (c := _cycle_from(m))]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_layers_point_one_way() -> None:
    wrong = []
    for module, targets in sorted(GRAPH.items()):
        layer = _layer(module)
        if layer is None:
            continue
        for target in sorted(targets):
            other = _layer(target)
            if other is not None and other != layer and other not in MAY_IMPORT[layer]:
                wrong.append(f"{module} imports {target} ({layer} may not import {other})")
    assert not wrong, "\n".join(wrong)


def test_domain_is_pure() -> None:
    """No I/O libraries, no terminal, no clock in the domain."""
    banned = {"rich", "typer", "sqlite3", "os", "subprocess", "locale"}
    for name, path in _modules().items():
        if _layer(name) != "domain":
            continue
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not roots & banned, f"{name} imports {roots & banned}"
        assert "date.today()" not in text and "datetime.now(" not in text, name


@pytest.mark.parametrize("name", sorted(_modules()))
def test_module_is_short(name: str) -> None:
    lines = _modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it along a responsibility"


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The cycle finder finds a cycle (a guard against a test that cannot fail)."""
    saved = dict(GRAPH)
    try:
        GRAPH.clear()
        GRAPH.update({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()})
        assert _cycle_from("a") == ["a", "b", "c", "a"]
        assert _cycle_from("d") is None
    finally:
        GRAPH.clear()
        GRAPH.update(saved)
