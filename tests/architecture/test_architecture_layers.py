"""The layers hold: parsers <- storage <- crawler, the demo site beside them on parsers only,
and no import cycle anywhere (late imports inside functions count)."""

from __future__ import annotations

import pytest

from tests.architecture.imports import imported_names, modules, project_imports

FORBIDDEN = {
    "parsers": ("storage", "crawler", "demo_site", "scrapy", "sqlalchemy", "alembic", "twisted"),
    "storage": ("crawler", "demo_site", "scrapy", "twisted"),
    "demo_site": ("crawler", "storage", "scrapy", "sqlalchemy"),
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_above_it(layer: str) -> None:
    offenders = sorted(
        f"{name} imports {target}"
        for name, path in modules().items()
        if name.split(".")[0] == layer
        for target in imported_names(path)
        if target.split(".")[0] in FORBIDDEN[layer]
    )
    assert offenders == []


def test_no_import_cycle() -> None:
    graph = project_imports(modules())
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []
