"""Retention (UK GDPR storage limitation): remove what the store holds of runs older than the
council's retention period, and say what was removed.

``purge(engine, before)`` removes every run whose as-of date is before ``before``: its case
scores, findings, visit and plan-action labels, quarantine rows, reconciliation findings,
monitoring fields, the record texts the case view reads, its dip samples and the auditors'
outcomes recorded against it; and the incremental-scoring cache entries (they hold output rows,
evidence quotes included) written before that day. The access log is never touched (it is
append-only; the database refuses to delete from it). With ``keep_audits`` the audit outcomes
stay, and so do the dip samples they came from and each run's summary row (as-of date, counts,
versions: no record of a child's file), marked purged, so that an outcome still names the run
it was recorded against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from notereview.store._errors import StoreError
from notereview.store.models import (
    AccessLogEntry,
    AuditOutcome,
    CaseScore,
    CriterionFinding,
    DipSampleDraw,
    DipSampleMember,
    MonitoringFields,
    PlanActionLabel,
    QuarantinedRow,
    ReconciliationFinding,
    RecordText,
    Run,
    ScoredFile,
    VisitLabel,
)

#: The tables holding a run's rows, removed in this order (children of a run first).
_RUN_TABLES: tuple[Any, ...] = (
    RecordText,
    CriterionFinding,
    VisitLabel,
    PlanActionLabel,
    CaseScore,
    QuarantinedRow,
    ReconciliationFinding,
    MonitoringFields,
)


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed (rows per table) and kept, before which as-of date."""

    before: date
    runs: list[int]
    removed: dict[str, int]
    kept: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The report in words, one line a table (what the command prints)."""
        verb = "would remove" if self.dry_run else "removed"
        head = f"{len(self.runs)} run(s) with an as-of date before {self.before.isoformat()}" + (
            f" (ids {', '.join(map(str, self.runs))})" if self.runs else ""
        )
        out = [f"{verb}: {head}"]
        out += [f"  {name}: {n}" for name, n in self.removed.items()]
        out += ["kept:"] + [f"  {name}: {n}" for name, n in self.kept.items()]
        return out


def purge(
    engine: Engine, before: date, *, keep_audits: bool = False, dry_run: bool = False
) -> PurgeReport:
    """Remove the runs whose as-of date is before ``before`` (see the module's words); with
    ``dry_run`` count what would go and change nothing. One transaction: all or nothing."""
    cutoff = datetime.combine(before, time.min, tzinfo=UTC)
    removed: dict[str, int] = {}
    try:
        with engine.connect() as conn:
            transaction = conn.begin()
            run_ids = list(conn.scalars(select(Run.id).where(Run.as_of < before).order_by(Run.id)))
            for model in _RUN_TABLES:
                result = conn.execute(delete(model).where(model.run_id.in_(run_ids)))
                removed[model.__tablename__] = result.rowcount
            samples = select(DipSampleDraw.id).where(DipSampleDraw.run_id.in_(run_ids))
            if keep_audits:
                removed["dip_sample_members"] = removed["dip_samples"] = 0
                removed["audit_outcomes"] = 0
                stub = {"purged_before": before.isoformat()}
                for run_id, info in conn.execute(
                    select(Run.id, Run.info).where(Run.id.in_(run_ids))
                ):
                    conn.execute(
                        update(Run).where(Run.id == run_id).values(info={**(info or {}), **stub})
                    )
                removed["runs"] = 0
            else:
                removed["audit_outcomes"] = conn.execute(
                    delete(AuditOutcome).where(AuditOutcome.run_id.in_(run_ids))
                ).rowcount
                removed["dip_sample_members"] = conn.execute(
                    delete(DipSampleMember).where(DipSampleMember.sample_id.in_(samples))
                ).rowcount
                removed["dip_samples"] = conn.execute(
                    delete(DipSampleDraw).where(DipSampleDraw.run_id.in_(run_ids))
                ).rowcount
                removed["runs"] = conn.execute(delete(Run).where(Run.id.in_(run_ids))).rowcount
            removed["scored_files"] = conn.execute(
                delete(ScoredFile).where(ScoredFile.created_at < cutoff)
            ).rowcount
            kept = {
                "runs": _count(conn, Run),
                "audit_outcomes": _count(conn, AuditOutcome),
                "access_log": _count(conn, AccessLogEntry),
            }
            if dry_run:
                transaction.rollback()
            else:
                transaction.commit()
        if not dry_run and any(removed.values()) and engine.dialect.name == "sqlite":
            with engine.connect() as conn:  # deleted pages would otherwise stay in the file
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM"))
    except SQLAlchemyError as exc:
        raise StoreError(
            f"could not purge the store ({type(exc).__name__}); nothing was removed"
        ) from exc
    return PurgeReport(before, run_ids, removed, kept, dry_run)


def _count(conn: Any, model: Any) -> int:
    return int(conn.scalar(select(func.count()).select_from(model)) or 0)
