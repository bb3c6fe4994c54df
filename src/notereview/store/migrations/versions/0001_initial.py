"""The initial schema: runs and their tables, users and tokens, claims, dip samples, audit
outcomes and the append-only access log.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision, down_revision = "0001_initial", None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def _run_fk() -> sa.Column:
    return sa.Column(
        "run_id",
        sa.Integer(),
        sa.ForeignKey("runs.id", name=None, ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_key", sa.String(64), nullable=False),
        sa.Column("extract_fingerprint", sa.String(128), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("versions", JSON, nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_scored", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("info", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        sa.UniqueConstraint("run_key", name="uq_runs_run_key"),
    )
    op.create_index("ix_runs_extract_fingerprint", "runs", ["extract_fingerprint"])
    op.create_index("ix_runs_as_of", "runs", ["as_of"])

    op.create_table(
        "case_scores",
        _run_fk(),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("worker_id", sa.String(128), nullable=False),
        sa.Column("legal_status", sa.String(8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grade_band", sa.String(32), nullable=False),
        *(
            sa.Column(theme, sa.Float(), nullable=True)
            for theme in (
                "visits",
                "voice",
                "case_summary",
                "chronology",
                "plans",
                "genogram",
                "oversight",
            )
        ),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "child_id", name="pk_case_scores"),
    )
    op.create_index("ix_case_scores_run_team", "case_scores", ["run_id", "team"])

    op.create_table(
        "criterion_findings",
        _run_fk(),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("criterion", sa.String(8), nullable=False),
        sa.Column("theme", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("missing", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "child_id", "criterion", name="pk_criterion_findings"),
    )

    op.create_table(
        "visit_labels",
        _run_fk(),
        sa.Column("visit_id", sa.String(64), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("voice", sa.String(32), nullable=True),
        sa.Column("plan_linked", sa.Boolean(), nullable=True),
        sa.Column("analysis", sa.Boolean(), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("recorded_late_days", sa.Integer(), nullable=True),
        sa.Column("evidence", JSON, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "visit_id", name="pk_visit_labels"),
    )
    op.create_index("ix_visit_labels_child_id", "visit_labels", ["child_id"])

    op.create_table(
        "plan_action_labels",
        _run_fk(),
        sa.Column("action_id", sa.String(64), nullable=False),
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        *(
            sa.Column(name, sa.Boolean(), nullable=True)
            for name in ("smart", "specific", "measurable", "owner_named", "timebound")
        ),
        sa.Column("score", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "action_id", name="pk_plan_action_labels"),
    )
    op.create_index("ix_plan_action_labels_child_id", "plan_action_labels", ["child_id"])

    op.create_table(
        "quarantined_rows",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _run_fk(),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("record_id", sa.String(128), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quarantined_rows"),
    )
    op.create_index("ix_quarantined_rows_run_id", "quarantined_rows", ["run_id"])

    op.create_table(
        "record_texts",
        _run_fk(),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(128), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("record_date", sa.Date(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "table_name", "record_id", name="pk_record_texts"),
    )
    op.create_index("ix_record_texts_run_child", "record_texts", ["run_id", "child_id"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("teams", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])

    op.create_table(
        "claims",
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("claimed_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("child_id", name="pk_claims"),
    )

    op.create_table(
        "dip_samples",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("team_scope", sa.String(512), nullable=False),
        sa.Column("drawn_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("drawn_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dip_samples"),
        sa.UniqueConstraint("run_id", "size", "seed", "team_scope", name="uq_dip_samples_run_id"),
    )

    op.create_table(
        "dip_sample_members",
        sa.Column(
            "sample_id",
            sa.Integer(),
            sa.ForeignKey("dip_samples.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("legal_status", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("sample_id", "child_id", name="pk_dip_sample_members"),
    )

    op.create_table(
        "audit_outcomes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("overall", sa.String(32), nullable=False),
        sa.Column("themes", JSON, nullable=False),
        sa.Column("findings", JSON, nullable=False),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("from_dip_sample", sa.Boolean(), nullable=False),
        sa.Column("sample_id", sa.Integer(), sa.ForeignKey("dip_samples.id"), nullable=True),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("legal_status", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_outcomes"),
    )
    op.create_index("ix_audit_outcomes_run_id", "audit_outcomes", ["run_id"])
    op.create_index("ix_audit_outcomes_child_id", "audit_outcomes", ["child_id"])

    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("route", sa.String(128), nullable=False),
        sa.Column("child_id", sa.String(64), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("client_ip", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_access_log"),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"])
    _forbid_access_log_changes()


def _forbid_access_log_changes() -> None:
    """The access log is append-only: the database refuses UPDATE and DELETE on it."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION access_log_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'access_log is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER access_log_no_update_delete BEFORE UPDATE OR DELETE ON access_log "
            "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()"
        )
    elif dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER access_log_no_{event.lower()} BEFORE {event} ON access_log "
                "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log")
        op.execute("DROP TRIGGER IF EXISTS access_log_no_update_delete ON access_log")
        op.execute("DROP FUNCTION IF EXISTS access_log_append_only()")
    for table in (
        "access_log",
        "audit_outcomes",
        "dip_sample_members",
        "dip_samples",
        "claims",
        "api_tokens",
        "users",
        "record_texts",
        "quarantined_rows",
        "plan_action_labels",
        "visit_labels",
        "criterion_findings",
        "case_scores",
        "runs",
    ):
        op.drop_table(table)
