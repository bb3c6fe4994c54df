"""Indexes for one child's rows of one run (the case file): visit labels, plan-action labels
and reconciliation findings. Without them SQLite's planner walks every row of the run (the
primary key's run_id prefix, which also gives the order asked for) to find one child's.
"""

from __future__ import annotations

from alembic import op

revision, down_revision = "0010_case_file_indexes", "0009_rate_limit"

#: name -> (table, columns): the child's rows of the run, in the order the case file reads them
INDEXES = {
    "ix_visit_labels_run_child": ("visit_labels", ["run_id", "child_id", "visit_id"]),
    "ix_plan_action_labels_run_child": ("plan_action_labels", ["run_id", "child_id", "action_id"]),
    "ix_reconciliation_findings_run_child": ("reconciliation_findings", ["run_id", "child_id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
