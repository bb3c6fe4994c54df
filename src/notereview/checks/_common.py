"""Small helpers the check modules share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from notereview.checks._context import EventMention, ReviewContext
from notereview.checks._finding import Evidence, Finding, score_in_band, status_for_share
from notereview.checks._registry import BaseCheck
from notereview.vocabulary import Status

MAX_EVIDENCE = 6


def confidence_near(share: float, thresholds: Iterable[float], base: float) -> float:
    """Lower confidence when a measured share sits close to a threshold."""
    distance = min((abs(share - t) for t in thresholds), default=1.0)
    return round(base * (0.6 + 0.4 * min(1.0, distance / 0.2)), 4)


def make(
    check: BaseCheck,
    status: Status,
    *,
    share: float | None = None,
    confidence: float = 0.9,
    evidence: Iterable[Evidence] = (),
    missing: str = "",
    **detail: object,
) -> Finding:
    ev = tuple(evidence)[:MAX_EVIDENCE]
    if status == "met":
        missing = ""
    return Finding(
        criterion=check.criterion,
        theme=check.theme,
        status=status,
        score=score_in_band(status, share),
        confidence=confidence if status != "not_applicable" else 1.0,
        evidence=ev,
        missing=missing,
        check=check.name,
        detail=dict(detail),
    )


def not_applicable(check: BaseCheck, why: str) -> Finding:
    return make(check, "not_applicable", missing=why)


def absent_table(check: BaseCheck, ctx: ReviewContext, table: str) -> Finding | None:
    """not_applicable when the extract did not include the table a criterion needs."""
    if table in ctx.tables_absent:
        return not_applicable(check, f"the extract has no {table} table, so this was not judged")
    return None


def share_finding(
    check: BaseCheck,
    hits: int,
    total: int,
    met_at: float,
    partly_at: float,
    *,
    evidence: Iterable[Evidence],
    missing: str,
    base_confidence: float = 0.75,
    at_least_one_is_partly: bool = False,
) -> Finding:
    share = hits / total if total else 0.0
    status = status_for_share(share, met_at, partly_at)
    if at_least_one_is_partly and status == "not_met" and hits > 0:
        status = "partly_met"
    return make(
        check,
        status,
        share=share,
        confidence=confidence_near(share, (met_at, partly_at), base_confidence),
        evidence=evidence,
        missing=missing if status != "met" else "",
        hits=hits,
        total=total,
    )


def lapses_status(n_lapses: int, n_minor: int, overdue_now: bool, max_minor: int) -> Status:
    """met / partly_met / not_met for a schedule (V1 visits, M1 supervision).

    Auditors read a schedule by where the child stands now: a lapse that has been made good
    (the child seen, supervision held) and not repeated is partly met; a child overdue at the
    audit date, or lapses that recur, is not met."""
    if n_lapses == 0:
        return "met"
    if overdue_now:
        return "not_met"
    if n_lapses == 1 or (n_lapses <= max_minor and n_minor == n_lapses):
        return "partly_met"
    return "not_met"


def record_fact(table: str, record_id: str, source: str, why: str) -> Evidence:
    """Evidence that is a fact about a record (a date, a flag) rather than a span of its text."""
    return Evidence(table, record_id, 0, 0, "", source, why)


def event_after(ev: EventMention, what: str) -> tuple[date, Evidence]:
    """A significant event mentioned in a record, as evidence that it came after ``what``
    (the summary, the genogram): (its date, the evidence)."""
    return (
        ev.event_date,
        Evidence(
            ev.table,
            ev.record_id,
            ev.start,
            ev.end,
            ev.quote,
            f"significant_event.{ev.rule}",
            f"{ev.event_type.replace('_', ' ')} on {ev.event_date}, after the {what}",
        ),
    )
