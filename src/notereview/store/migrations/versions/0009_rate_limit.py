"""The request rate limit: requests per key and minute, shared by every worker process.

Revision ID: 0009_rate_limit
Revises: 0008_access
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_rate_limit"
down_revision = "0008_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hits",
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("window", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("hits", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_hits")
