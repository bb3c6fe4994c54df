"""The case model's probability that an auditor grades the file inadequate."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision, down_revision = "0004_p_inadequate", "0003_scored_files"


def upgrade() -> None:
    with op.batch_alter_table("case_scores") as batch:
        batch.add_column(sa.Column("p_inadequate", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_scores") as batch:
        batch.drop_column("p_inadequate")
