"""``answers.hospital`` and ``captures.view_count``: what 台灣e院 shows that doctorqna does not.

台灣e院 names the replying doctor's hospital (``答復者：<hospital>／<department>／<doctor>``),
kept with the answer. It also shows how often a question was viewed: a count that changes
with every visit, so it is an observation of one capture, not content of the page (a changed
count makes no new revision). Both are null for doctorqna.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch_op:
        batch_op.add_column(sa.Column("hospital", sa.Text(), nullable=True))
    with op.batch_alter_table("captures") as batch_op:
        batch_op.add_column(sa.Column("view_count", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("captures") as batch_op:
        batch_op.drop_column("view_count")
    with op.batch_alter_table("answers") as batch_op:
        batch_op.drop_column("hospital")
