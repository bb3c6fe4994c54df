"""The audit queue, the dip sample and claims on files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import HTTPException, Request
from sqlalchemy import Engine

from notereview.store import (
    CaseScoreRow,
    ClaimInfo,
    Principal,
    RunSummary,
    active_claims,
    audits_mark,
    case_scores,
    claim_file,
    kept,
    last_audited,
    record_dip_sample,
    release_claim,
)
from notereview.triage import DipSample, QueueItem, draw_dip_sample
from notereview_api.services.ranking import ranked_queue
from notereview_api.services.scope import queue_params, scope_teams, visible_case
from notereview_api.settings import Settings

#: A worked-out queue is reused for this many seconds of the request clock while no audit is
#: added or removed and the run and parameters are the same (claims are never reused: they are
#: read on every request). Only the recent-audit penalty depends on the clock, by about 1e-7
#: of priority a second, so a reused queue is the one the clock would give.
QUEUE_FRESH_S = 2.0
#: Queues kept per engine (scopes x filters x limits), least recently used first out.
QUEUES_KEPT = 64


@dataclass(frozen=True, slots=True)
class AuditQueue:
    """The files to audit next in ``run``, with who holds a claim on each, and every file of
    the user's scope (``in_scope``: what the team filter and the dip sample choose from)."""

    run: RunSummary
    items: tuple[QueueItem, ...]
    claims: dict[str, ClaimInfo]
    in_scope: list[CaseScoreRow]

    def case_reasons(self) -> dict[str, tuple[str, ...]]:
        """child_id -> the run's own reasons for the file's score (not the queue's), for the
        files in the queue."""
        wanted = {item.child_id for item in self.items}
        return {c.child_id: c.reasons for c in self.in_scope if c.child_id in wanted}

    def claimed_by(self, child_id: str) -> str | None:
        held = self.claims.get(child_id)
        return held.user_name if held else None


@dataclass(frozen=True, slots=True)
class DrawnSample:
    """A dip sample as drawn and kept (``sample_id``), with the claims on its files."""

    sample_id: int
    sample: DipSample
    seed: int
    size: int
    claims: dict[str, ClaimInfo]


def audit_queue(
    engine: Engine,
    settings: Settings,
    user: Principal,
    run: RunSummary,
    now: datetime,
    *,
    team: str | None = None,
    legal_status: str | None = None,
    theme: str | None = None,
    limit: int | None = None,
) -> AuditQueue:
    """Weakest files first within the user's teams (and ``team`` if asked), each with its
    reasons; at most ``limit`` (the settings' default when None, never above their maximum)."""
    size = min(limit or settings.queue_default_limit, settings.queue_max_limit)
    scope = scope_teams(user, None)
    in_scope = case_scores(engine, run.run_id, teams=scope)
    teams = scope_teams(user, team)
    if teams == set():
        cases: list[CaseScoreRow] = []
    elif team is None:
        cases = in_scope
    else:
        cases = [c for c in in_scope if c.team in teams]  # type: ignore[operator]
    since = now - timedelta(days=settings.recent_audit_days)
    scope_key = None if teams is None else tuple(sorted(teams))
    params = queue_params(settings)
    items: tuple[QueueItem, ...] = ()
    if cases:  # the same run, scope, filters and audits within QUEUE_FRESH_S: the same queue
        key = (run.run_id, run.run_key, scope_key, legal_status, theme, size, repr(params),
               audits_mark(engine, since))  # fmt: skip
        _at, items = kept(
            engine,
            key,
            lambda: (now, ranked_queue(
                engine, run, scope_key, cases, legal_status=legal_status, theme=theme,
                last_audited=last_audited(engine, since), now=now, limit=size, params=params,
            )),
            pool="queues",
            size=QUEUES_KEPT,
            stale=lambda held: abs((now - held[0]).total_seconds()) > QUEUE_FRESH_S,
        )  # fmt: skip
    claims = active_claims(engine, now=now, child_ids=[i.child_id for i in items]) if items else {}
    return AuditQueue(run=run, items=items, claims=claims, in_scope=in_scope)


def draw_sample(
    engine: Engine,
    user: Principal,
    run: RunSummary,
    now: datetime,
    *,
    size: int,
    seed: int,
    team: str | None = None,
    cases: list[CaseScoreRow] | None = None,
) -> DrawnSample | None:
    """A seeded random sample stratified by team and legal status, kept so that audits of its
    files count toward the estimates; None when ``team`` is outside the user's scope.
    ``cases``: the run's files in that scope, when the caller has them already."""
    teams = scope_teams(user, team)
    if teams == set():
        return None
    if cases is None:
        cases = case_scores(engine, run.run_id, teams=teams)
    sample = draw_dip_sample(cases, size=size, seed=seed, teams=teams)
    sample_id = record_dip_sample(
        engine,
        run.run_id,
        size,
        seed,
        sorted(teams) if teams else [],
        user.user_id,
        [(f.child_id, f.team, f.legal_status) for f in sample.files],
        now=now,
    )
    claims = active_claims(engine, now=now, child_ids=[f.child_id for f in sample.files])
    return DrawnSample(sample_id=sample_id, sample=sample, seed=seed, size=size, claims=claims)


def claim(
    request: Request,
    engine: Engine,
    settings: Settings,
    user: Principal,
    run: RunSummary,
    child_id: str,
    now: datetime,
) -> tuple[ClaimInfo, bool]:
    """Claim a file for ``claim_hours``: (the claim, whether it is new). Raises the store's
    ClaimConflictError while another auditor holds it; 404 for a file the user may not see."""
    visible_case(request, engine, user, run, child_id)
    return claim_file(engine, child_id, user.user_id, hours=settings.claim_hours, now=now)


def release(
    request: Request,
    engine: Engine,
    user: Principal,
    run: RunSummary,
    child_id: str,
    now: datetime,
) -> None:
    """Release the user's claim on a file (an admin's releases anyone's)."""
    visible_case(request, engine, user, run, child_id)
    if user.role not in {"auditor", "admin"}:  # pragma: no cover - the role table refuses first
        raise HTTPException(status_code=403)
    release_claim(engine, child_id, user.user_id, force=user.role == "admin", now=now)
