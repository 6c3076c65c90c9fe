"""The project's own import graph, read from the source with ``ast`` (no module is imported)."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("parsers", "storage", "crawler", "demo_site")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the shipped packages, by dotted name."""
    return {
        module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }


def imported_names(path: Path, known: Iterable[str] = ()) -> set[str]:
    """Every module name ``path`` imports, at the top or inside a function (a late import
    hides a cycle, it does not remove it). ``from a import b`` names ``a.b`` when that is one
    of the ``known`` modules, else ``a``."""
    known = set(known)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                names.add(sub if sub in known else base)
    return names


def project_imports(known: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports."""
    return {
        name: {t for t in imported_names(path, known) if t in known and t != name}
        for name, path in known.items()
    }
