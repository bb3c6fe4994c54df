"""Sign-in throttling: failed sign-ins per client address and per account, shared by every
worker process.

Revision ID: 0008_access
Revises: 0007_corrections
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_access"
down_revision = "0007_corrections"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", TS, nullable=False),
        sa.Column("locked_until", TS, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("sign_in_failures")
