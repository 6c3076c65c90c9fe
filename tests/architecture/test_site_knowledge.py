"""A site's knowledge lives in its own package: a doctorqna host, id pattern or label appears
in exactly one package of the product, ``parsers/sites/doctorqna/``; the same for 台灣e院.

What is read: every string literal of the product's packages (``parsers``, ``storage``,
``crawler``) that is not a docstring, from the source with ``ast`` (comments and docstrings
may name a site; code may not). A literal holds a site's knowledge when it contains one of its
hosts or its id pattern, or one of its labels as a table entry, a pattern or a word to look
for; prose that names a label in a sentence (more than two other words), such as a warning's
description or a command's help, documents a field and is allowed.

Not read, on purpose: ``demo_site`` (a stand-in *of* the sites for crawl tests: it must
render their hosts' URL shapes and labels, so it is a copy of the site, not a reader of it),
``tests``, ``fixtures``, ``bench`` and ``docs``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from parsers import sites

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("parsers", "storage", "crawler")


@dataclass(frozen=True)
class Knowledge:
    package: str  # where it must live, and only there
    contained: tuple[str, ...]  # hosts and id patterns: found inside any literal
    labels: tuple[str, ...]  # found when a literal is the label


def _doctorqna() -> Knowledge:
    site = sites.by_name("doctorqna")
    assert site is not None
    return Knowledge(
        "parsers/sites/doctorqna",
        (*sorted(site.hosts), "article/("),
        ("Ask Date", "Reply Date", "More Info", "Similar Q&A", "Related FAQ", "Read More"),
    )


def _ehospital() -> Knowledge:
    site = sites.by_name("ehospital")
    assert site is not None
    return Knowledge(
        "parsers/sites/ehospital",
        (*sorted(site.hosts), "ShowDetail.php"),
        # Not 發問者 ("the one asking"): also a plain word, before a name in question text,
        # that de-identification looks for (storage/export/scrub.py).
        ("答復者", "相關分類"),
    )


KNOWLEDGE = {"doctorqna": _doctorqna(), "ehospital": _ehospital()}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def literals() -> Iterator[tuple[str, int, str]]:
    """(file, line, text) of every non-docstring string literal of the product."""
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstrings(tree)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in skip
                ):
                    yield path.relative_to(ROOT).as_posix(), node.lineno, node.value


def _is_prose(rest: str) -> bool:
    """More than two words besides the label: a sentence naming it, not a pattern of it."""
    return len(re.findall(r"[A-Za-z]{2,}", rest)) > 2


def _holds(knowledge: Knowledge, text: str) -> set[str]:
    """The markers ``text`` holds."""
    lowered = text.lower()
    found = {marker for marker in knowledge.contained if marker.lower() in lowered}
    for label in knowledge.labels:
        if label.lower() in lowered and not _is_prose(lowered.replace(label.lower(), " ")):
            found.add(label)
    return found


@pytest.mark.parametrize("site", sorted(KNOWLEDGE))
def test_a_sites_hosts_id_pattern_and_labels_live_in_its_package_only(site: str) -> None:
    knowledge = KNOWLEDGE[site]
    where: dict[str, set[str]] = {}  # marker -> files
    outside = []
    for path, line, text in literals():
        for marker in _holds(knowledge, text):
            where.setdefault(marker, set()).add(path)
            if not path.startswith(knowledge.package + "/"):
                outside.append(f"{path}:{line} holds {marker!r}")
    assert outside == []
    # Each marker is really there, so the test cannot pass by looking for stale strings.
    assert sorted(where) == sorted({*knowledge.contained, *knowledge.labels})


def test_every_site_of_the_registry_is_checked() -> None:
    assert set(sites.names()) == set(KNOWLEDGE)
