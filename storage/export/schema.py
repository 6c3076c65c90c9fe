"""The column contract of an export: names, logical types, descriptions, and value checking.

Researchers read the same export as JSONL, CSV or Parquet, so the types are declared once,
in a small logical vocabulary, and each writer maps them to its format. Every value is
checked against its column type before anything is written, so a bad row fails the export
with the row number and column named instead of producing a file that silently disagrees
with its manifest.

Type strings (as they appear in the manifest)::

    string | int | float | bool | date | datetime
    list<T>
    struct<name:T,other:T,...>

``date`` accepts ``datetime.date`` or an ISO ``"YYYY-MM-DD"`` string (the ``QARecord``
convention). ``datetime`` accepts ``datetime.datetime`` or an ISO string; naive values are
taken as UTC because the archive stores UTC, and every value is written in UTC. Any value may
be ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa

SCALARS: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
}


class SchemaError(ValueError):
    """The schema itself is malformed (bad type string, duplicate column)."""


class RowError(ValueError):
    """A row does not match the schema; names the row (0-based) and column."""

    def __init__(self, row_index: int, column: str | None, problem: str) -> None:
        where = f"row {row_index}" + (f", column {column!r}" if column else "")
        super().__init__(f"{where}: {problem}")
        self.row_index = row_index
        self.column = column


@dataclass(frozen=True, slots=True)
class LogicalType:
    """A parsed type string. ``item`` is set for lists, ``fields`` for structs."""

    kind: str
    item: LogicalType | None = None
    fields: tuple[tuple[str, LogicalType], ...] = ()

    @classmethod
    def parse(cls, text: str) -> LogicalType:
        parsed, rest = _parse_type(text.replace(" ", ""), text)
        if rest:
            raise SchemaError(f"unexpected {rest!r} after type in {text!r}")
        return parsed

    def __str__(self) -> str:
        if self.kind == "list":
            return f"list<{self.item}>"
        if self.kind == "struct":
            return "struct<" + ",".join(f"{n}:{t}" for n, t in self.fields) + ">"
        return self.kind

    def arrow(self) -> pa.DataType:
        if self.kind == "list":
            assert self.item is not None
            return pa.list_(self.item.arrow())
        if self.kind == "struct":
            return pa.struct([pa.field(n, t.arrow()) for n, t in self.fields])
        return SCALARS[self.kind]

    def check(self, value: Any) -> Any:
        """The canonical Python value for ``value``; raises ``ValueError`` saying what is wrong.

        Canonical means: ``date``/aware-UTC ``datetime`` objects, lists (never tuples),
        struct dicts with exactly the declared fields in declared order.
        """
        if value is None:
            return None
        if self.kind == "list":
            if not isinstance(value, list | tuple):
                raise ValueError(f"expected a list for {self}, got {_describe(value)}")
            assert self.item is not None
            return [self.item.check(v) for v in value]
        if self.kind == "struct":
            return self._check_struct(value)
        return _SCALAR_CHECKS[self.kind](value)

    def _check_struct(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise ValueError(f"expected a mapping for {self}, got {_describe(value)}")
        names = {n for n, _ in self.fields}
        unknown = sorted(set(value) - names)
        if unknown:
            raise ValueError(f"unexpected struct keys {unknown} for {self}")
        return {n: t.check(value.get(n)) for n, t in self.fields}


def _parse_type(text: str, original: str) -> tuple[LogicalType, str]:
    """Recursive descent over the compact type grammar; returns (type, unparsed rest)."""
    for kind in ("list", "struct"):
        if text.startswith(kind + "<"):
            rest = text[len(kind) + 1 :]
            if kind == "list":
                item, rest = _parse_type(rest, original)
                result = LogicalType("list", item=item)
            else:
                fields: list[tuple[str, LogicalType]] = []
                while True:
                    name, sep, rest = rest.partition(":")
                    if not sep or not name.isidentifier():
                        raise SchemaError(f"bad struct field near {name!r} in {original!r}")
                    field_type, rest = _parse_type(rest, original)
                    fields.append((name, field_type))
                    if not rest.startswith(","):
                        break
                    rest = rest[1:]
                if len({n for n, _ in fields}) != len(fields):
                    raise SchemaError(f"duplicate struct field in {original!r}")
                result = LogicalType("struct", fields=tuple(fields))
            if not rest.startswith(">"):
                raise SchemaError(f"missing '>' in {original!r}")
            return result, rest[1:]
    end = min((i for i in (text.find(c) for c in ",>") if i >= 0), default=len(text))
    name = text[:end]
    if name not in SCALARS:
        known = ", ".join([*SCALARS, "list<T>", "struct<name:T,...>"])
        raise SchemaError(f"unknown type {name!r} in {original!r}; known: {known}")
    return LogicalType(name), text[end:]


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60] + '...' if len(text) > 60 else text}"


def _check_string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {_describe(value)}")
    return value


def _check_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an int, got {_describe(value)}")
    return value


def _check_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {_describe(value)}")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number (JSON cannot hold it), got {value!r}")
    return float(value)


def _check_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected a bool, got {_describe(value)}")
    return value


def _check_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"expected a date, got a datetime {value!r}; pass value.date()")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date or 'YYYY-MM-DD' string, got {_describe(value)}")


def _check_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expected an ISO datetime string, got {value!r}") from None
    if not isinstance(value, datetime):
        raise ValueError(f"expected a datetime, got {_describe(value)}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


_SCALAR_CHECKS = {
    "string": _check_string,
    "int": _check_int,
    "float": _check_float,
    "bool": _check_bool,
    "date": _check_date,
    "datetime": _check_datetime,
}


@dataclass(frozen=True, slots=True)
class Column:
    """One export column. ``description`` travels into the manifest and Parquet metadata."""

    name: str
    type: LogicalType
    description: str

    @classmethod
    def of(cls, name: str, type_text: str, description: str) -> Column:
        return cls(name, LogicalType.parse(type_text), description)


@dataclass(frozen=True, slots=True)
class ExportSchema:
    """Ordered columns; rows must carry exactly these keys (extra keys are an error, so a
    column dropped for privacy cannot leak through a stale query)."""

    columns: tuple[Column, ...]

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise SchemaError(f"duplicate column names: {duplicates}")
        if not names:
            raise SchemaError("an export needs at least one column")

    @classmethod
    def of(cls, columns: Iterable[tuple[str, str, str]]) -> ExportSchema:
        """Build from ``(name, type string, description)`` triples."""
        return cls(tuple(Column.of(*c) for c in columns))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def check_row(self, row: Mapping[str, Any], index: int) -> list[Any]:
        """Canonical values in column order, or ``RowError`` naming the row and column."""
        if not isinstance(row, Mapping):
            raise RowError(index, None, f"expected a dict, got {_describe(row)}")
        if len(row) != len(self.columns) or any(n not in row for n in self.names):
            missing = [n for n in self.names if n not in row]
            extra = sorted(set(row) - set(self.names))
            raise RowError(
                index, None, f"keys do not match schema: missing {missing}, extra {extra}"
            )
        values = []
        for column in self.columns:
            try:
                values.append(column.type.check(row[column.name]))
            except ValueError as error:
                raise RowError(index, column.name, str(error)) from None
        return values

    def arrow(self) -> pa.Schema:
        return pa.schema(
            pa.field(c.name, c.type.arrow(), metadata={"description": c.description})
            for c in self.columns
        )

    def describe(self) -> list[dict[str, str]]:
        """The manifest's view of the schema."""
        return [
            {"name": c.name, "type": str(c.type), "description": c.description}
            for c in self.columns
        ]
