"""Management oversight: M1–M3."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from notereview.casefile import SupervisionRecord
from notereview.checks._common import (
    absent_table,
    lapses_status,
    make,
    not_applicable,
    record_fact,
    share_finding,
)
from notereview.checks._context import Cue, ReviewContext, asserted, cue_evidence
from notereview.checks._finding import Evidence, Finding
from notereview.checks._registry import BaseCheck, CheckParams, register


class _OversightCheck(BaseCheck):
    theme = "oversight"


def _window_records(ctx: ReviewContext) -> list[SupervisionRecord]:
    return [r for r in ctx.case.supervision if ctx.in_window(r.date)]


class FrequencyParams(CheckParams):
    # A lapse of at most this many days is minor.
    partly_max_overdue_days: int = 10
    # Partly met allows one lapse of any length, or up to this many minor ones.
    partly_max_minor_lapses: int = 2


@register("oversight.frequency@1")
class SupervisionFrequency(_OversightCheck):
    """M1: supervision or oversight recorded within the policy frequency."""

    criterion = "M1"
    Params = FrequencyParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        from notereview.policy import supervision_due_dates

        if (na := absent_table(self, ctx, "supervision")) is not None:
            return na
        records = _window_records(ctx)
        if not records:
            return make(
                self,
                "not_met",
                confidence=0.95,
                missing="no supervision or management oversight in the review window",
            )
        child = ctx.case.child
        intervals = supervision_due_dates(
            child.legal_status,
            child.status_start,
            [r.date for r in ctx.case.supervision],
            ctx.as_of,
            ctx.window_start,
            ctx.policy,
            ctx.calendar,
        )
        overdue = [i for i in intervals if i.overdue_working_days > 0]
        by_date = {r.date: r.record_id for r in ctx.case.supervision}
        evidence = [
            record_fact(
                "supervision" if i.closed_by in by_date else "children",
                by_date.get(i.closed_by, child.child_id) if i.closed_by else child.child_id,
                f"policy:{i.rule}",
                f"supervision due by {i.due}; "
                + (f"recorded {i.closed_by}" if i.closed_by else f"none by {ctx.as_of}")
                + f": {i.overdue_working_days} working days overdue",
            )
            for i in overdue[:3]
        ]
        if not overdue:
            return make(
                self,
                "met",
                confidence=0.95,
                evidence=[
                    record_fact(
                        "supervision",
                        records[-1].record_id,
                        "policy:supervision",
                        f"{len(records)} supervision records in the window, none overdue",
                    )
                ],
            )
        overdue_now = any(i.closed_by is None for i in overdue)
        p = self.params
        status = lapses_status(
            len(overdue),
            sum(i.overdue_days <= p.partly_max_overdue_days for i in overdue),
            overdue_now,
            p.partly_max_minor_lapses,
        )
        worst = max(i.overdue_working_days for i in overdue)
        return make(
            self,
            status,
            confidence=0.95,
            evidence=evidence,
            missing=(
                f"{len(overdue)} supervision interval(s) overdue; "
                f"the longest by {worst} working days"
                + ("; supervision is overdue now" if overdue_now else "")
            ),
        )


def _first_cue(
    ctx: ReviewContext,
    record: SupervisionRecord,
    kinds: set[str],
    skip: Sequence[tuple[int, int]] = (),
) -> Evidence | None:
    """The first cue of ``kinds`` in the record outside the ``skip`` spans, and not in
    someone else's account (a parent who "would consider" overnights is not the supervision
    reflecting)."""
    at = ctx.annotation("supervision", record.record_id)
    if at is None:
        return None
    for s in at.sentences:
        for c in s.cues:
            if any(a <= c.start < b for a, b in skip) or "third_party" in c.qualifiers:
                continue
            # Reflection is often conditional ("what if"); actions and analysis are asserted.
            if c.kind in kinds and ("reflective" in kinds or asserted(c)):
                return cue_evidence(
                    "supervision",
                    record.record_id,
                    record.text,
                    c.start,
                    c.end,
                    f"{c.kind}.{c.rule}",
                    "",
                )
    return None


def _records_to_judge(check: BaseCheck, ctx: ReviewContext) -> list[SupervisionRecord] | Finding:
    """The supervision records in the window, or the not-applicable finding (M2, M3)."""
    if (na := absent_table(check, ctx, "supervision")) is not None:
        return na
    records = _window_records(ctx)
    if not records:
        return not_applicable(check, "no supervision in the review window")
    return records


class ShareParams(CheckParams):
    met_at: float = 0.5


@register("oversight.reflective@1")
class SupervisionReflective(_OversightCheck):
    """M2: reflective and analytic, not only a list."""

    criterion = "M2"
    Params = ShareParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        records = _records_to_judge(self, ctx)
        if isinstance(records, Finding):
            return records
        evidence = []
        for r in records:
            # What the record sets as actions is not its reflection: "SW to consider a
            # referral", or "risk assessment" in its list of actions. ("Mum will struggle
            # because ..." names an owner too, but is as often a reading as a task.)
            skip = [
                (a.start, a.end)
                for a in supervision_actions(ctx, r)
                if a.owner.source.endswith(".owner_to")
            ]
            if (heading := _ACTIONS_HEADING.search(r.text)) is not None:
                skip.append((heading.start(), len(r.text)))
            ev = _first_cue(ctx, r, {"reflective", "analysis"}, skip)
            if ev is not None:
                evidence.append(
                    replace(ev, why="reflects on what is happening for the child and why")
                )
        return share_finding(
            self,
            len(evidence),
            len(records),
            self.params.met_at,
            1e-9,
            evidence=evidence,
            missing=(
                f"{len(records) - len(evidence)} of {len(records)} supervision records list "
                "decisions without reflecting on what they mean for the child"
            ),
            base_confidence=0.7,
        )


@dataclass(frozen=True, slots=True)
class SupervisionAction:
    """One action set in supervision: the clause of a sentence that names its owner, and the
    timescale it gives, if any."""

    record: SupervisionRecord
    start: int
    end: int
    owner: Evidence
    timescale: Evidence | None


#: A line that heads the record's list of actions: "Actions:", "Agreed actions -",
#: "ACTIONS AGREED:", "Next steps:".
_ACTIONS_HEADING = re.compile(
    r"^[^\S\n]*(?:agreed\s+)?(?:actions?|next\s+steps|tasks)(?:\s+agreed|\s+set)?[^\S\n]*[:\-–—]",
    re.IGNORECASE | re.MULTILINE,
)


def supervision_actions(ctx: ReviewContext, record: SupervisionRecord) -> list[SupervisionAction]:
    """The actions a supervision record sets: each clause (a sentence, or a part of one
    between semicolons: "SW to visit by 30/10; TM to inform the IRO") with an owner. Where the
    record heads a list of its actions ("Actions:"), that list is what it sets: an owner in
    the discussion before it ("we agreed the SW will take it slowly with him") says how
    the work is to be done; it is not one more task."""
    at = ctx.annotation("supervision", record.record_id)
    if at is None:
        return []
    text = record.text
    heading = _ACTIONS_HEADING.search(text)
    listed_from = heading.start() if heading is not None else 0
    out: list[SupervisionAction] = []
    for s in at.sentences:
        if s.end <= listed_from:
            continue
        cues = [c for c in s.cues if asserted(c)]
        for start, end in _clauses(text, max(s.start, listed_from), s.end):
            owner = next(
                (c for c in cues if c.kind == "action_owner" and start <= c.start < end), None
            )
            if owner is None:
                continue
            out.append(
                SupervisionAction(
                    record,
                    start,
                    end,
                    _cue_ev(record, owner.start, owner.end, f"{owner.kind}.{owner.rule}", ""),
                    _timescale(record, start, end, cues),
                )
            )
    return out


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cuts = [start, *(i + 1 for i in range(start, end) if text[i] == ";"), end + 1]
    return [(a, b - 1) for a, b in pairwise(cuts) if b - 1 > a]


def _timescale(record: SupervisionRecord, start: int, end: int, cues: list[Cue]) -> Evidence | None:
    """By when the action in ``record.text[start:end]`` is due, read as a plan action's "by
    when" is read (notereview.checks._smart.when_in_text: a date, "within 10 working days",
    "before the next review"), or a timescale cue inside the clause."""
    from notereview.checks._smart import when_in_text

    found = when_in_text(record.text[start:end], record.date)
    if found is not None:
        return _cue_ev(
            record, start + found.start, start + found.end, f"timescale.{found.rule}", ""
        )
    cue = next((c for c in cues if c.kind == "timescale" and c.start < end and c.end > start), None)
    if cue is None:
        return None
    return _cue_ev(record, cue.start, cue.end, f"{cue.kind}.{cue.rule}", "")


def _cue_ev(record: SupervisionRecord, start: int, end: int, source: str, why: str) -> Evidence:
    return cue_evidence("supervision", record.record_id, record.text, start, end, source, why)


class ActionsParams(CheckParams):
    # The auditors' share convention: nearly every action (>= 0.8) with an owner and a
    # timescale is met; at least one is partly met.
    met_at: float = 0.8


@register("oversight.actions@1")
class SupervisionActions(_OversightCheck):
    """M3: supervision sets actions with owners and timescales, action by action."""

    criterion = "M3"
    Params = ActionsParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        records = _records_to_judge(self, ctx)
        if isinstance(records, Finding):
            return records
        actions = [a for r in records for a in supervision_actions(ctx, r)]
        if not actions:
            return make(
                self,
                "not_met",
                confidence=0.7,
                missing=f"{len(records)} supervision records set no action with an owner",
            )
        timed = [a for a in actions if a.timescale is not None]
        untimed = [a for a in actions if a.timescale is None]
        evidence = [
            e
            for a in timed[:2]
            for e in (
                replace(a.owner, why="an action with an owner"),
                replace(a.timescale, why="and a timescale") if a.timescale else None,
            )
            if e is not None
        ]
        evidence += [
            replace(a.owner, why="an action with an owner but no timescale") for a in untimed[:3]
        ]
        return share_finding(
            self,
            len(timed),
            len(actions),
            self.params.met_at,
            1e-9,
            evidence=evidence,
            missing=(
                f"{len(untimed)} of {len(actions)} actions set in supervision have an owner "
                "but no timescale"
            ),
            base_confidence=0.7,
        )
