"""Saved pages with hand-written expected records: the parsers' independent oracle.

A case is a folder ``<root>/<group>/<case>/`` holding ``page.html`` (the raw bytes as served),
``meta.json`` (``url``, ``headers``, optional ``site`` and ``note``) and either
``expected.json`` (``QARecord.to_json()`` text) or ``expected_error.json``
(``{"error": "<ParseError code>"}``). Comparison is on the canonical JSON text, so a failure
is shown as a unified diff a person can read field by field.

Pure helpers only: no Scrapy, no database, so the pytest suite, the ``healthqa fixtures`` CLI
and anyone reviewing a parser change all run cases the same way.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parsers.errors import ParseError
from parsers.record import QARecord

PAGE_FILE = "page.html"
META_FILE = "meta.json"
EXPECTED_FILE = "expected.json"
EXPECTED_ERROR_FILE = "expected_error.json"


class FixtureError(Exception):
    """A case folder is malformed; the message names the file and what to fix."""


@dataclass(frozen=True, slots=True)
class FixtureMeta:
    """How the page was served: what ``parsers.parse`` is called with besides the body."""

    url: str
    headers: dict[str, str]
    site: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class FixtureCase:
    """One saved page and what it must parse to (exactly one of ``expected``/``expected_error``).

    ``name`` is ``<group>/<case>`` (``doctorqna/seed_div``) so cases of different sites may
    share a folder name.
    """

    name: str
    dir: Path
    meta: FixtureMeta
    expected: QARecord | None = None
    expected_error: str | None = None

    @property
    def page(self) -> bytes:
        return (self.dir / PAGE_FILE).read_bytes()


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The outcome of parsing one case; ``diff`` is empty exactly when ``ok``.

    ``actual_text`` is in the same canonical form as the expected files, so ``update`` can
    write it back verbatim; ``detail`` carries the parse error's message.
    """

    case: FixtureCase
    ok: bool
    actual_text: str
    diff: str
    detail: str | None = None


def discover(root: str | Path = "fixtures", names: tuple[str, ...] = ()) -> list[FixtureCase]:
    """Every case under ``root`` sorted by name, or only those ``names`` select.

    A name selects a case by its full ``group/case`` name or, when unambiguous, its bare
    folder name, so ``healthqa fixtures check seed_div`` works. Unknown names raise
    ``FixtureError`` rather than silently checking nothing.
    """
    root = Path(root)
    if not root.is_dir():
        raise FixtureError(f"fixture root {root} is not a directory")
    cases = [load_case(meta.parent, root) for meta in sorted(root.glob(f"*/*/{META_FILE}"))]
    if not names:
        return cases
    selected: list[FixtureCase] = []
    for wanted in names:
        matches = [c for c in cases if wanted in (c.name, c.dir.name)]
        if not matches:
            raise FixtureError(f"no fixture case named {wanted!r} under {root}")
        if len(matches) > 1:
            options = ", ".join(c.name for c in matches)
            raise FixtureError(f"{wanted!r} is ambiguous under {root}: use one of {options}")
        if matches[0] not in selected:
            selected.append(matches[0])
    return selected


def load_case(case_dir: Path, root: Path) -> FixtureCase:
    """Read and validate one case folder."""
    name = case_dir.relative_to(root).as_posix()
    if not (case_dir / PAGE_FILE).is_file():
        raise FixtureError(f"{case_dir}: {PAGE_FILE} is missing")
    meta = load_meta(case_dir / META_FILE)
    expected_path = case_dir / EXPECTED_FILE
    error_path = case_dir / EXPECTED_ERROR_FILE
    if expected_path.is_file() == error_path.is_file():
        raise FixtureError(
            f"{case_dir}: needs exactly one of {EXPECTED_FILE} or {EXPECTED_ERROR_FILE}"
        )
    if error_path.is_file():
        code = _read_json(error_path).get("error")
        if not isinstance(code, str) or not code:
            raise FixtureError(f'{error_path}: expected {{"error": "<ParseError code>"}}')
        return FixtureCase(name, case_dir, meta, expected_error=code)
    try:
        expected = QARecord.from_dict(_read_json(expected_path))
    except (TypeError, ValueError, KeyError) as exc:
        raise FixtureError(f"{expected_path}: not a QARecord: {exc}") from exc
    return FixtureCase(name, case_dir, meta, expected=expected)


def load_meta(path: Path) -> FixtureMeta:
    return load_meta_dict(_read_json(path), path)


def load_meta_dict(data: dict[str, Any], path: Path) -> FixtureMeta:
    """Validate meta ``data`` (from ``path``, named in errors); unknown keys are kept for people."""
    url = data.get("url")
    headers = data.get("headers", {})
    if not isinstance(url, str) or not url:
        raise FixtureError(f"{path}: 'url' (the page's URL as fetched) is required")
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise FixtureError(f"{path}: 'headers' must be an object of string values")
    return FixtureMeta(url=url, headers=headers, site=data.get("site"), note=data.get("note"))


def expected_text_for(case: FixtureCase) -> str:
    """The canonical text of what the case expects, as ``update`` would write it."""
    if case.expected_error is not None:
        return error_text(case.expected_error)
    assert case.expected is not None
    return record_text(case.expected)


def record_text(record: QARecord) -> str:
    return record.to_json() + "\n"


def error_text(code: str) -> str:
    return json.dumps({"error": code}, indent=2) + "\n"


def run_case(case: FixtureCase) -> CaseResult:
    """Parse the case's page and compare with what it expects."""
    actual, detail = parse_to_text(case.page, case.meta)
    diff = unified_diff(expected_text_for(case), actual, case)
    return CaseResult(case, ok=not diff, actual_text=actual, diff=diff, detail=detail)


def parse_to_text(body: bytes, meta: FixtureMeta) -> tuple[str, str | None]:
    """The canonical text of what ``parsers.parse`` makes of ``body``, and any error detail.

    A ``ParseError`` becomes its error text; ``parse`` promises to raise nothing else, so
    anything else is a parser bug and propagates with its traceback.
    """
    # Imported here so listing or loading cases works even while the parser cannot import.
    from parsers import parse

    try:
        record = parse(body, meta.url, meta.headers, site=meta.site)
    except ParseError as exc:
        return error_text(exc.code), str(exc)
    return record_text(record), None


def unified_diff(expected: str, actual: str, case: FixtureCase) -> str:
    """``-`` lines are what the fixture expects, ``+`` lines what the parser produced."""
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{case.name}/{expected_file_for(case).name} (expected)",
            tofile=f"{case.name} (parser)",
        )
    )


def expected_file_for(case: FixtureCase) -> Path:
    return case.dir / (EXPECTED_ERROR_FILE if case.expected_error is not None else EXPECTED_FILE)


def write_expected(case_dir: Path, actual_text: str) -> Path:
    """Store ``actual_text`` (a ``CaseResult.actual_text``) as the case's expectation.

    Writes ``expected_error.json`` for an error text and ``expected.json`` otherwise, and
    removes the other file so a case never expects both.
    """
    is_error = set(json.loads(actual_text)) == {"error"}
    target = case_dir / (EXPECTED_ERROR_FILE if is_error else EXPECTED_FILE)
    other = case_dir / (EXPECTED_FILE if is_error else EXPECTED_ERROR_FILE)
    target.write_text(actual_text, encoding="utf-8")
    other.unlink(missing_ok=True)
    return target


def write_case(case_dir: Path, body: bytes, meta: dict[str, Any]) -> FixtureMeta:
    """Store a page and its meta as a case folder (the expectation is written separately)."""
    validated = load_meta_dict(meta, case_dir / META_FILE)
    case_dir.mkdir(parents=True, exist_ok=True)
    (case_dir / PAGE_FILE).write_bytes(body)
    text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
    (case_dir / META_FILE).write_text(text, encoding="utf-8")
    return validated


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FixtureError(f"{path} is missing")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FixtureError(f"{path}: not valid UTF-8 JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: expected a JSON object")
    return data
