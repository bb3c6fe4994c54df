"""Sign-in throttling: failed sign-ins per client address and per account, shared by every
worker process.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0008_access", "0007_corrections"

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
