"""Rows to checked columns a chunk at a time, without a Python call per value.

``ExportSchema.check_row`` checks every value with a Python function: exact, but on a large
export it cost about half of the writer's time. Rows from the archive are already canonical
(the database's column types make them so), so a chunk is first checked as a whole with
C-level passes over each column: ``set(map(type, values))`` for the types, the key tuples
of struct dicts, ``math.isfinite`` over floats and the time zone of datetimes. Only a chunk
that fails that test goes through ``check_row`` row by row, which either canonicalises it
(an ISO date string, a tuple, a naive datetime: all accepted, as before) or raises the same
``RowError`` naming the row and column. Both paths give identical values, so the output
bytes do not depend on which one ran.

Per-row text sizes (for the Parquet writer's row-group bound) are computed on the Arrow
arrays with Arrow and numpy kernels, not by walking Python values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from functools import partial
from itertools import chain, islice
from operator import is_not, itemgetter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from storage.export.schema import ExportSchema, LogicalType

#: Rows checked and converted together: large enough that per-chunk overhead vanishes,
#: small enough that the chunk's Python rows stay a few MB.
CHUNK_ROWS = 1000

_NONE = type(None)
#: The one type a canonical value of each scalar kind has (``bool`` is not an ``int`` here,
#: nor a ``datetime`` a ``date``: ``type`` compares exactly, unlike ``isinstance``).
_CANONICAL_TYPES: dict[str, frozenset[type]] = {
    "string": frozenset({str, _NONE}),
    "int": frozenset({int, _NONE}),
    "float": frozenset({float, _NONE}),
    "bool": frozenset({bool, _NONE}),
    "date": frozenset({date, _NONE}),
    "datetime": frozenset({datetime, _NONE}),
    "list": frozenset({list, _NONE}),
    "struct": frozenset({dict, _NONE}),
}


def chunks(rows: Iterable[Mapping[str, Any]], size: int = CHUNK_ROWS) -> Iterator[list[Any]]:
    """``rows`` in lists of at most ``size``."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def checked_columns(schema: ExportSchema, chunk: list[Any], first_index: int) -> list[list[Any]]:
    """The chunk's canonical values, one list per column in schema order.

    ``first_index`` is the chunk's first row number in the whole export, for ``RowError``.
    """
    columns = _fast_columns(schema, chunk)
    if columns is not None:
        return columns
    checked = [schema.check_row(row, first_index + i) for i, row in enumerate(chunk)]
    return [list(values) for values in zip(*checked, strict=True)] or [[] for _ in schema.names]


def _fast_columns(schema: ExportSchema, chunk: list[Any]) -> list[list[Any]] | None:
    """Columns taken as they are when every value is already canonical, else ``None``."""
    width = len(schema.columns)
    try:
        if set(map(len, chunk)) != {width}:
            return None
        # With every row of the schema's width, a successful lookup of each name means
        # each row has exactly the schema's keys.
        columns = [list(map(itemgetter(name), chunk)) for name in schema.names]
    except (KeyError, TypeError):
        return None
    if all(
        _canonical(column.type, values)
        for column, values in zip(schema.columns, columns, strict=True)
    ):
        return columns
    return None


def _canonical(kind: LogicalType, values: list[Any]) -> bool:
    """Whether ``values`` are what ``kind.check`` would return for them, unchanged."""
    types = set(map(type, values))
    if not types <= _CANONICAL_TYPES[kind.kind]:
        return False
    if types <= {_NONE}:
        return True
    if kind.kind == "float":
        return all(map(math.isfinite, filter(_present, values)))
    if kind.kind == "datetime":
        return set(map(_tzinfo, filter(_present, values))) == {UTC}
    if kind.kind == "list":
        assert kind.item is not None
        return _canonical(kind.item, list(chain.from_iterable(filter(None, values))))
    if kind.kind == "struct":
        structs = list(filter(None, values))  # {} and None both become all-null fields
        names = tuple(name for name, _ in kind.fields)
        if structs and set(map(tuple, map(dict.keys, structs))) != {names}:
            return False
        return all(
            _canonical(field, list(map(itemgetter(name), structs))) for name, field in kind.fields
        )
    return True


#: ``value is not None``, as a C-level callable for ``filter``.
_present = partial(is_not, None)


def _tzinfo(value: datetime) -> Any:
    return value.tzinfo


def record_batch(arrow_schema: pa.Schema, columns: list[list[Any]]) -> pa.RecordBatch:
    """Checked columns as one Arrow record batch, converted by Arrow itself."""
    arrays = [
        pa.array(values, type=field.type)
        for values, field in zip(columns, arrow_schema, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=arrow_schema)


def text_chars(array: pa.Array) -> np.ndarray:
    """Characters of text in each row of ``array``, nested lists and structs included."""
    length = len(array)
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.utf8_length(array).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        inner = text_chars(array.flatten())
        if not inner.any():
            return np.zeros(length, dtype=np.int64)
        parents = pc.list_parent_indices(array).to_numpy(zero_copy_only=False)
        return np.bincount(parents, weights=inner, minlength=length).astype(np.int64)
    if pa.types.is_struct(kind):
        total = np.zeros(length, dtype=np.int64)
        for child in array.flatten():
            total += text_chars(child)
        return total
    return np.zeros(length, dtype=np.int64)


def batch_text_chars(batch: pa.RecordBatch) -> np.ndarray:
    """Characters of text in each row of ``batch``."""
    total = np.zeros(batch.num_rows, dtype=np.int64)
    for array in batch.columns:
        total += text_chars(array)
    return total
