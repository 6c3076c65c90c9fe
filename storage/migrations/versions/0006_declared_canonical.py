"""``captures.declared_canonical``: a ``rel=canonical`` the archive did not follow.

A page may name another URL as its canonical. The archive files a capture under that URL only
when it is on the same site and names the fetched article itself; any other canonical (another
site, another article) would merge two pages or give a page a foreign id, so the capture stays
under the fetched URL and the declared value is kept here for researchers to inspect.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("captures") as batch_op:
        batch_op.add_column(sa.Column("declared_canonical", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("captures") as batch_op:
        batch_op.drop_column("declared_canonical")
