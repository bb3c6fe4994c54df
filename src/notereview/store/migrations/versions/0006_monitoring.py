"""Equality monitoring: each child's monitoring fields in a run, apart from the scores."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0006_monitoring", "0005_reconciliation"


def upgrade() -> None:
    op.create_table(
        "monitoring_fields",
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("child_id", sa.String(128), primary_key=True),
        sa.Column("gender", sa.String(32), nullable=True),
        sa.Column("age_band", sa.String(32), nullable=True),
        sa.Column("legal_status", sa.String(8), nullable=True),
        sa.Column("ethnicity", sa.String(64), nullable=True),
        sa.Column("disability", sa.String(32), nullable=True),
        sa.Column("communication_need", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("monitoring_fields")
