"""The request rate limit: requests per key and minute, shared by every worker process."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0009_rate_limit", "0008_access"


def upgrade() -> None:
    op.create_table(
        "rate_limit_hits",
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("window", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("hits", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_hits")
