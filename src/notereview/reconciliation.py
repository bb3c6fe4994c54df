"""Reconciliation of an Ofsted Annex A return with the case records.

Inspectors set the return beside the files; the council should find the gaps first. For every
child on the return, its own statutory dates are compared with what the case file records:

- the last statutory visit (List 7, List 8; List 6's "date child was last seen") with the
  latest visit where the child was seen;
- "was the child seen alone?" (List 7) with that visit's record;
- the latest review conference (List 7) or statutory review (List 8) with the plans' latest
  review;
- the last IRO visit or contact (List 8) with the chronology's latest entry by or about the
  IRO (its event type or source).

Each disagreement is a data-quality finding (one row of the ``reconciliation`` table) in plain
words: "Annex A: last statutory visit 03/10/2026; the last seen visit recorded is 12/09/2026".
Where both the extract's children table and the return are given, :func:`compare_children`
lists where they differ (the extract's table is the one scored; nothing is silently resolved).
No finding quotes note text, a name or a date of birth.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from notereview.casefile import CaseFile, Child
from notereview.extract._annexa import AnnexA, AnnexChild, AnnexEntry

RECONCILIATION_COLUMNS = [
    "child_id",
    "item",
    "source",
    "annex_a_value",
    "file_value",
    "finding",
]
#: What each item compares, in the order findings are listed for a child.
ITEMS: tuple[str, ...] = (
    "on_return",
    "gender",
    "date_of_birth",
    "legal_status",
    "status_start",
    "team",
    "worker_id",
    "placement_start",
    "last_statutory_visit",
    "seen_alone",
    "latest_review",
    "last_iro_visit",
)
#: An IRO's entry: "IRO", "iro_visit", "IRO contact", "Independent Reviewing Officer".
_IRO = re.compile(r"(?<![a-z])iro(?![a-z])|independent reviewing", re.IGNORECASE)
_LIST_WORDS = {"list_6": "List 6", "list_7": "List 7", "list_8": "List 8"}
_REVIEW_WORDS = {"list_7": "latest review conference", "list_8": "latest statutory review"}
_VISIT_WORDS = {
    "list_6": "child last seen",
    "list_7": "last statutory visit",
    "list_8": "last statutory visit",
}
_PLAN_TYPE = {"list_7": "CP", "list_8": "care", "list_6": "CIN"}
#: The legal statuses Lists 6, 7 and 8 cover: a child of another status is not expected there.
ON_LISTS = frozenset({"CIN", "CP", "LAC"})


@dataclass(frozen=True, slots=True)
class Finding:
    """One disagreement between the return and the file (or the extract's children table)."""

    child_id: str
    item: str
    source: str  # where on the return: "List 7, row 12"
    annex_a_value: str | None
    file_value: str | None
    finding: str

    def row(self) -> dict[str, Any]:
        return {
            "child_id": self.child_id,
            "item": self.item,
            "source": self.source,
            "annex_a_value": self.annex_a_value,
            "file_value": self.file_value,
            "finding": self.finding,
        }


def uk(day: date | None) -> str | None:
    """A day as the return writes it: 03/10/2026."""
    return day.strftime("%d/%m/%Y") if day is not None else None


def _source(entry: AnnexEntry) -> str:
    return f"{_LIST_WORDS.get(entry.list_id, entry.list_id)}, row {entry.row_number}"


# ------------------------------------------------------------------ the statutory dates


@dataclass(frozen=True, slots=True)
class StatutoryDates:
    """What one child's return entry says, as reconciliation needs it (small, picklable)."""

    child_id: str
    list_id: str
    source: str
    last_statutory_visit: date | None
    seen_alone: str | None  # yes / no / unknown / None (not on this list)
    latest_review: date | None
    last_iro_visit: date | None
    has: frozenset[str]  # the items this list's sheet has a column for


def statutory_dates(annex: AnnexA) -> dict[str, StatutoryDates]:
    """Child id -> the statutory dates of the list that decides the child's status."""
    out: dict[str, StatutoryDates] = {}
    for cid, child in annex.children.items():
        entry = child.entry
        columns = set(annex.lists.get(entry.list_id, {}).get("columns", {}))
        out[cid] = StatutoryDates(
            child_id=cid,
            list_id=entry.list_id,
            source=_source(entry),
            last_statutory_visit=entry.get("last_statutory_visit"),
            seen_alone=entry.get("seen_alone"),
            latest_review=entry.get("latest_review"),
            last_iro_visit=entry.get("last_iro_visit"),
            has=frozenset(
                c
                for c in ("last_statutory_visit", "seen_alone", "latest_review", "last_iro_visit")
                if c in columns
            ),
        )
    return out


def reconcile_case(case: CaseFile, dates: StatutoryDates, as_of: date) -> list[Finding]:
    """The findings for one child: each statutory date of the return the file disagrees with."""
    cid = case.child.child_id
    found: list[Finding] = []
    seen = [v for v in case.visits if v.seen and v.visit_date <= as_of]
    last_seen = max((v.visit_date for v in seen), default=None)
    if "last_statutory_visit" in dates.has:
        annex_day = dates.last_statutory_visit
        if annex_day != last_seen:
            label = _VISIT_WORDS.get(dates.list_id, "last statutory visit")
            said = (
                f"Annex A: {label} {uk(annex_day)}" if annex_day else (f"Annex A gives no {label}")
            )
            file_said = (
                f"the last seen visit recorded is {uk(last_seen)}"
                if last_seen is not None
                else "no visit where the child was seen is recorded"
            )
            found.append(
                Finding(
                    cid,
                    "last_statutory_visit",
                    dates.source,
                    uk(annex_day),
                    uk(last_seen),
                    f"{said}; {file_said}",
                )
            )
    if "seen_alone" in dates.has and dates.seen_alone in ("yes", "no"):
        day = dates.last_statutory_visit or last_seen
        on_day = [v for v in seen if v.visit_date == day]
        if on_day:
            alone = any(v.seen_alone for v in on_day)
            recorded = any(v.seen_alone is not None for v in on_day)
            file_value = "yes" if alone else ("no" if recorded else "not recorded")
            if file_value != dates.seen_alone:
                file_said = {
                    "yes": f"the visit recorded on {uk(day)} says the child was seen alone",
                    "no": f"the visit recorded on {uk(day)} says the child was not seen alone",
                    "not recorded": f"the visit recorded on {uk(day)} does not say whether "
                    "the child was seen alone",
                }[file_value]
                found.append(
                    Finding(
                        cid,
                        "seen_alone",
                        dates.source,
                        dates.seen_alone,
                        file_value,
                        f"Annex A: child seen alone at the last statutory visit: "
                        f"{dates.seen_alone}; {file_said}",
                    )
                )
        elif dates.seen_alone == "yes":
            on = f" on {uk(day)}" if day else ""
            found.append(
                Finding(
                    cid,
                    "seen_alone",
                    dates.source,
                    "yes",
                    None,
                    "Annex A: child seen alone at the last statutory visit: yes; no visit where "
                    f"the child was seen is recorded{on}",
                )
            )
    if "latest_review" in dates.has:
        wanted = _PLAN_TYPE.get(dates.list_id)
        plans = [p for p in case.plans if p.plan_type == wanted] or list(case.plans)
        reviewed = max(
            (
                p.last_review_date
                for p in plans
                if p.last_review_date is not None and p.last_review_date <= as_of
            ),
            default=None,
        )
        annex_day = dates.latest_review
        if annex_day != reviewed:
            label = _REVIEW_WORDS.get(dates.list_id, "latest review")
            said = f"Annex A: {label} {uk(annex_day)}" if annex_day else f"Annex A gives no {label}"
            file_said = (
                f"the latest plan review recorded is {uk(reviewed)}"
                if reviewed is not None
                else "no plan review is recorded"
            )
            found.append(
                Finding(
                    cid,
                    "latest_review",
                    dates.source,
                    uk(annex_day),
                    uk(reviewed),
                    f"{said}; {file_said}",
                )
            )
    if "last_iro_visit" in dates.has:
        iro = max(
            (
                e.event_date
                for e in case.chronology
                if e.event_date <= as_of
                and (_IRO.search(e.event_type or "") or _IRO.search(e.source or ""))
            ),
            default=None,
        )
        annex_day = dates.last_iro_visit
        if annex_day != iro:
            said = (
                f"Annex A: last IRO visit {uk(annex_day)}"
                if annex_day
                else "Annex A gives no last IRO visit"
            )
            file_said = (
                f"the latest IRO entry in the chronology is {uk(iro)}"
                if iro is not None
                else "the chronology records no IRO visit or contact"
            )
            found.append(
                Finding(
                    cid,
                    "last_iro_visit",
                    dates.source,
                    uk(annex_day),
                    uk(iro),
                    f"{said}; {file_said}",
                )
            )
    return found


def reconcile(
    cases: Iterable[CaseFile], dates: Mapping[str, StatutoryDates], as_of: date
) -> list[dict[str, Any]]:
    """Reconciliation rows for every case file that is on the return."""
    rows: list[dict[str, Any]] = []
    for case in cases:
        d = dates.get(case.child.child_id)
        if d is not None:
            rows.extend(f.row() for f in reconcile_case(case, d, as_of))
    return rows


# ------------------------------------------------------------------ children table vs return


def compare_children(children: Mapping[str, Child], annex: AnnexA) -> list[dict[str, Any]]:
    """Where the extract's children table and the return disagree: a child on one and not the
    other (a child in need, on a plan or looked after), or a field that differs. The extract's
    table is what is scored; these are listed for someone to resolve. A date of birth that
    differs is said without either value."""
    rows: list[dict[str, Any]] = []
    for cid in sorted(set(children) | set(annex.children)):
        child = children.get(cid)
        on_return = annex.children.get(cid)
        if on_return is None:
            assert child is not None
            if child.legal_status not in ON_LISTS:
                continue  # care leavers (List 9) and private fostering: not on Lists 6-8
            rows.append(
                Finding(
                    cid,
                    "on_return",
                    "",
                    None,
                    child.legal_status,
                    f"not on the Annex A return (Lists 6, 7, 8); the children table has the child "
                    f"as {child.legal_status}",
                ).row()
            )
            continue
        source = _source(on_return.entry)
        if child is None:
            rows.append(
                Finding(
                    cid,
                    "on_return",
                    source,
                    on_return.legal_status,
                    None,
                    f"on the Annex A return ({source}) but not among the extract's children "
                    "(absent or quarantined): the file is not scored",
                ).row()
            )
            continue
        rows.extend(f.row() for f in _differences(child, on_return, source))
    return rows


def _differences(child: Child, on_return: AnnexChild, source: str) -> list[Finding]:
    v = on_return.entry.values
    cid = child.child_id
    out: list[Finding] = []

    def differ(item: str, annex_value: Any, file_value: Any, words: str) -> None:
        if annex_value is None or annex_value == file_value:
            return
        a = uk(annex_value) if isinstance(annex_value, date) else annex_value
        f = uk(file_value) if isinstance(file_value, date) else file_value
        out.append(
            Finding(
                cid,
                item,
                source,
                str(a),
                None if f is None else str(f),
                f"Annex A: {words} {a}; the children table has {f or 'none'}",
            )
        )

    gender = v.get("gender")
    if gender not in (None, "unknown"):
        differ("gender", gender, child.gender, "gender")
    dob = v.get("date_of_birth")
    if dob is not None and child.date_of_birth is not None and dob != child.date_of_birth:
        out.append(
            Finding(
                cid,
                "date_of_birth",
                source,
                None,
                None,
                "the date of birth on Annex A differs from the children table's (not shown here)",
            )
        )
    differ("legal_status", on_return.legal_status, child.legal_status, "legal status")
    if on_return.legal_status == child.legal_status:
        differ(
            "status_start",
            v.get("status_start"),
            child.status_start,
            f"{child.legal_status} start date",
        )
    differ("team", v.get("team"), child.team, "allocated team")
    differ("worker_id", v.get("worker_id"), child.worker_id, "allocated worker")
    if on_return.legal_status == "LAC":
        differ(
            "placement_start",
            v.get("placement_start"),
            child.placement_start,
            "start of the most recent placement",
        )
    return out


def reconciliation_counts(rows: Iterable[Mapping[str, Any]], annex: AnnexA) -> dict[str, Any]:
    """run.json's ``reconciliation``: the return's rows, children compared, findings by item."""
    rows = list(rows)
    by_item = Counter(r["item"] for r in rows)
    return {
        "annex_a": annex.workbook,
        **annex.counts(),
        "children_on_return": len(annex.children),
        "findings": len(rows),
        "children_with_findings": len({r["child_id"] for r in rows}),
        "by_item": {item: by_item[item] for item in ITEMS if by_item[item]},
    }


def order_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows by child id, then in ITEMS order."""
    rank = {item: i for i, item in enumerate(ITEMS)}
    return sorted((dict(r) for r in rows), key=lambda r: (r["child_id"], rank.get(r["item"], 99)))
