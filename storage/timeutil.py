"""One rule for timestamps in the database: naive UTC.

SQLite has no time zones and PostgreSQL ``timestamp`` ignores them, so storing naive UTC
makes both backends compare and sort identically. Callers may pass aware datetimes (any
zone) or naive ones (taken as UTC); readers get aware UTC back.
"""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(value: datetime) -> datetime:
    """Convert to the naive-UTC form stored in every DateTime column."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def from_db(value: datetime | str | None) -> datetime | None:
    """Inverse of ``to_db``; also accepts SQLite's text form (from raw SQL or views)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
