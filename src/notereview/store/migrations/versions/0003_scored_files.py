"""Incremental scoring: the rows of case files already scored, by content and versions."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0003_scored_files", "0002_web_pages"


def upgrade() -> None:
    op.create_table(
        "scored_files",
        sa.Column("file_key", sa.String(64), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("file_key", name="pk_scored_files"),
    )
    op.create_index("ix_scored_files_child_id", "scored_files", ["child_id"])


def downgrade() -> None:
    op.drop_index("ix_scored_files_child_id", table_name="scored_files")
    op.drop_table("scored_files")
