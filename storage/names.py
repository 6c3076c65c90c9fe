"""Get-or-create for the small named tables (sites, doctors, departments).

These rows are never deleted, so their ids are cached per process; concurrent writers
create the same name safely with ``INSERT ... ON CONFLICT DO NOTHING`` and read back the
winner's id. Names are inserted in sorted order so two PostgreSQL writers never wait on
each other in opposite orders.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from storage import models

CHUNK = 500
_sites: Table = models.Site.__table__  # type: ignore[assignment]


@dataclass
class NameCache:
    """Known ids. Must be cleared when a transaction rolls back: ids it learned may be gone."""

    sites: dict[str, int] = field(default_factory=dict)
    doctors: dict[tuple[int, str], int] = field(default_factory=dict)
    departments: dict[tuple[int, str], int] = field(default_factory=dict)

    def clear(self) -> None:
        self.sites.clear()
        self.doctors.clear()
        self.departments.clear()


def dialect_insert(conn: Connection) -> Any:
    """The dialect's INSERT construct, which is the one that knows ON CONFLICT."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    """Slices small enough for an ``IN (...)`` list on every backend."""
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def resolve_sites(conn: Connection, names: Iterable[str], cache: NameCache) -> None:
    missing = sorted(set(names) - cache.sites.keys())
    if not missing:
        return
    insert = dialect_insert(conn)
    conn.execute(insert(_sites).on_conflict_do_nothing(), [{"name": n} for n in missing])
    rows = conn.execute(select(_sites.c.id, _sites.c.name).where(_sites.c.name.in_(missing)))
    cache.sites.update({name: id_ for id_, name in rows})


def site_id(conn: Connection, name: str, cache: NameCache) -> int:
    resolve_sites(conn, [name], cache)
    return cache.sites[name]


def resolve_per_site(
    conn: Connection, table: Table, wanted: set[tuple[int, str]], known: dict[tuple[int, str], int]
) -> None:
    """Get-or-create ``(site_id, name)`` rows of ``doctors`` or ``departments``."""
    missing = sorted(wanted - known.keys())
    if not missing:
        return
    conn.execute(
        dialect_insert(conn)(table).on_conflict_do_nothing(),
        [{"site_id": site, "name": name} for site, name in missing],
    )
    for site in sorted({site for site, _ in missing}):
        names = [name for s, name in missing if s == site]
        for chunk in chunks(names):
            rows = conn.execute(
                select(table.c.id, table.c.name).where(
                    table.c.site_id == site, table.c.name.in_(chunk)
                )
            )
            known.update({(site, name): id_ for id_, name in rows})
