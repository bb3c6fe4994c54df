"""Whether the child was seen on each visit, kept with the visit's labels (the case page's
visit timeline reads it instead of the words of a finding's evidence). Null in runs stored
before it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0011_visit_child_seen", "0010_case_file_indexes"


def upgrade() -> None:
    # a nullable column: plain ALTER TABLE ADD COLUMN on SQLite and PostgreSQL alike
    op.add_column("visit_labels", sa.Column("child_seen", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visit_labels") as batch:  # SQLite rebuilds the table
        batch.drop_column("child_seen")
