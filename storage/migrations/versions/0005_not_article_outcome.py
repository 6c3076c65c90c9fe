"""Captures of pages that are not articles (FAQ topics, listings, "not found" pages) get
their own parse outcome, ``not_article``, instead of ``error``.

They are an expected result of crawling a site, not a failure: the crawl report, ``reparse``
and ``show`` now call them the same, and ``reparse`` can skip those whose outcome cannot
change. ``error_code`` keeps saying which (``not_an_article`` or ``page_not_found``), and the
existing rows are rewritten so old and new captures read the same.

SQLite cannot alter a CHECK constraint. Widening one changes no stored row, which is the case
SQLite documents for editing the table's schema text in place (lang_altertable.html, "making
other kinds of table schema changes"); rebuilding ``captures`` instead would copy every row
and fight the foreign keys that point at it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_OLD = "'ok', 'error', 'revisit', 'not_parsed'"
_NEW = "'ok', 'error', 'revisit', 'not_parsed', 'not_article'"
_CONSTRAINT = "ck_captures_parse_outcome"
_CODES = "('not_an_article', 'page_not_found')"


def upgrade() -> None:
    _replace_check(_OLD, _NEW)
    op.execute(
        "UPDATE captures SET parse_outcome = 'not_article' "
        f"WHERE parse_outcome = 'error' AND error_code IN {_CODES}"
    )


def downgrade() -> None:
    op.execute("UPDATE captures SET parse_outcome = 'error' WHERE parse_outcome = 'not_article'")
    _replace_check(_NEW, _OLD)


def _replace_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(_CONSTRAINT), "captures", type_="check")
        op.create_check_constraint(op.f(_CONSTRAINT), "captures", f"parse_outcome IN ({new})")
        return
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'captures'")
    ).scalar_one()
    if old not in sql:
        raise RuntimeError(f"captures' CHECK constraint is not the expected ({old})")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'captures'"),
        {"sql": sql.replace(old, new)},
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = RESET")
