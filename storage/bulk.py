"""Many-row writes straight to the database driver, for ingest's hot INSERTs.

``Connection.execute(insert, rows)`` re-derives and type-processes the parameters of every
row in Python (about 20 us a row); a batch of 500 records is ~7,000 rows, which made
SQLAlchemy's parameter handling one of the largest costs of ingest. Here each statement is
compiled once per dialect, only the columns whose type needs converting (dates, JSON) are
converted, with SQLAlchemy's own processors so stored values are exactly what ``execute``
stores, and the driver gets plain tuples or dicts.

Plain inserts on PostgreSQL go through ``COPY ... FROM STDIN`` (``insert_rows``): one
statement for the whole batch instead of one INSERT per row, which is what PostgreSQL's
own guide recommends for populating tables; row triggers (the search vector) fire as for
INSERT. Upserts (``ON CONFLICT``) cannot be copied and stay executemany (``execute_many``),
which psycopg runs in pipeline mode.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql.dml import Insert

_Processor = Callable[[Any], Any] | None
_Plan = tuple[str, tuple[str, ...], tuple[_Processor, ...], bool]
_PLANS: dict[tuple[type, int, tuple[str, ...]], _Plan] = {}


def insert_rows(conn: Connection, statement: Insert, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` with the plain INSERT ``statement``: COPY on PostgreSQL, else
    executemany. Every row has the same keys; ``statement`` is a long-lived object (a module
    constant), as for ``execute_many``."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        execute_many(conn, statement, rows)
        return
    _, names, processors, _ = _plan(conn, statement, tuple(rows[0]))
    preparer = conn.dialect.identifier_preparer
    table = statement.table  # type: ignore[attr-defined]
    sql = (
        f"COPY {preparer.format_table(table)} ({', '.join(map(preparer.quote, names))}) FROM STDIN"
    )
    pairs = tuple(zip(names, processors, strict=True))
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([row[n] if p is None else p(row[n]) for n, p in pairs])
    finally:
        cursor.close()


def execute_many(conn: Connection, statement: Insert, rows: Sequence[dict[str, Any]]) -> None:
    """Run ``statement`` once per row; every row has the same keys.

    ``statement`` must be a long-lived object (a module constant): compiled plans are cached
    by its identity.
    """
    if not rows:
        return
    sql, names, processors, positional = _plan(conn, statement, tuple(rows[0]))
    if positional:
        pairs = tuple(zip(names, processors, strict=True))
        params: list[Any] = [
            tuple(row[n] if p is None else p(row[n]) for n, p in pairs) for row in rows
        ]
    else:
        converting = [(n, p) for n, p in zip(names, processors, strict=True) if p is not None]
        params = rows if not converting else [_converted(row, converting) for row in rows]
    conn.exec_driver_sql(sql, params)


def _converted(row: dict[str, Any], converting: list[tuple[str, Callable[[Any], Any]]]) -> Any:
    row = dict(row)
    for name, process in converting:
        row[name] = process(row[name])
    return row


def _plan(conn: Connection, statement: Insert, columns: tuple[str, ...]) -> _Plan:
    dialect = conn.dialect
    key = (type(dialect), id(statement), columns)
    plan = _PLANS.get(key)
    if plan is None:
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        positional = bool(compiled.positional)
        names = tuple(compiled.positiontup or ()) if positional else columns
        table_columns = statement.table.c  # type: ignore[attr-defined]
        processors = tuple(
            table_columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        )
        plan = _PLANS[key] = (compiled.string, names, processors, positional)
    return plan
