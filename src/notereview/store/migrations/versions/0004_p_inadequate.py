"""The case model's probability that an auditor grades the file inadequate.

Revision ID: 0004_p_inadequate
Revises: 0003_scored_files
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_p_inadequate"
down_revision = "0003_scored_files"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_scores") as batch:
        batch.add_column(sa.Column("p_inadequate", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_scores") as batch:
        batch.drop_column("p_inadequate")
