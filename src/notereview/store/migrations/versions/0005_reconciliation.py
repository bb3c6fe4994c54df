"""Annex A reconciliation: where the return and a child's file disagree."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0005_reconciliation", "0004_p_inadequate"


def upgrade() -> None:
    op.create_table(
        "reconciliation_findings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("child_id", sa.String(128), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("source", sa.String(128), nullable=True),
        sa.Column("annex_a_value", sa.String(256), nullable=True),
        sa.Column("file_value", sa.String(256), nullable=True),
        sa.Column("finding", sa.Text(), nullable=False),
    )
    op.create_index("ix_reconciliation_findings_run_id", "reconciliation_findings", ["run_id"])
    op.create_index("ix_reconciliation_findings_child_id", "reconciliation_findings", ["child_id"])


def downgrade() -> None:
    op.drop_index("ix_reconciliation_findings_child_id", "reconciliation_findings")
    op.drop_index("ix_reconciliation_findings_run_id", "reconciliation_findings")
    op.drop_table("reconciliation_findings")
