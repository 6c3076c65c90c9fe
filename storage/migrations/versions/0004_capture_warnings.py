"""``captures.warnings``: what the parser was unsure of when it read each capture.

The codes of ``parsers.warnings.WARNING_CODES`` as a JSON list (empty for a clean record,
null when the capture gave no record), so crawl reports, ``healthqa show`` and exports can
tell a clean record from one that may have lost something the page shows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("captures") as batch:
        batch.add_column(sa.Column("warnings", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("captures") as batch:
        batch.drop_column("warnings")
