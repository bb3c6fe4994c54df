"""The one scoring core: a reviewed case file's output rows, for every engine and for the
in-memory path alike (:func:`score_case_files`), and what identifies a scoring (the extract's
fingerprint, the scoring identity and a file's cache key)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notereview.checks._rubric import THEMES

if TYPE_CHECKING:
    from notereview.casefile import CaseFile
    from notereview.review import CaseReview


def extract_fingerprint(path: str | Path) -> str:
    """sha256 over the extract's files (names and bytes), for no-op reruns."""
    p = Path(path)
    h = hashlib.sha256()
    files = [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.is_file())
    for f in files:
        if f.name == "answer_key.json":
            continue
        h.update(f.relative_to(p).as_posix().encode() if f != p else f.name.encode())
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # json.dumps would build one every call


def _json(value: Any) -> str:
    return _ENCODER.encode(value)


def review_rows(review: CaseReview) -> dict[str, list[dict[str, Any]]]:
    """The output rows of one reviewed case file (rank is filled in later)."""
    case = review.case
    child = case.child
    s = review.score
    case_row: dict[str, Any] = {
        "child_id": child.child_id,
        "team": child.team,
        "worker_id": child.worker_id,
        "legal_status": child.legal_status,
        "score": s.score,
        "grade_band": s.grade_band,
        **{t: s.themes.get(t) for t in THEMES},
        "confidence": s.confidence,
        "rank": 0,
        "reasons": _json(list(s.reasons)),
        "p_inadequate": s.p_inadequate,
    }
    criteria = [
        {
            "child_id": child.child_id,
            "criterion": f.criterion,
            "theme": f.theme,
            "status": f.status,
            "score": round(f.score, 4),
            "confidence": round(f.confidence, 4),
            "evidence": _json([e.as_dict() for e in f.evidence]),
            "missing": f.missing,
        }
        for f in review.findings
    ]
    visits = [
        {
            "visit_id": v.visit_id,
            "child_id": child.child_id,
            "voice": lab.voice,
            "plan_linked": lab.plan_linked,
            "analysis": lab.analysis,
            "on_time": lab.on_time,
            "recorded_late_days": int(lab.recorded_late_days),
            "child_seen": v.seen,
            "evidence": _json([e.as_dict() for e in lab.evidence]),
        }
        for v in case.visits
        for lab in (review.visit_labels[v.visit_id],)
    ]
    actions = [
        {
            "action_id": lab.action_id,
            "plan_id": lab.plan_id,
            "child_id": child.child_id,
            "smart": lab.smart,
            "specific": lab.specific,
            "measurable": lab.measurable,
            "owner_named": lab.owner_named,
            "timebound": lab.timebound,
            "score": round(lab.score, 4),
        }
        for lab in review.action_labels.values()
    ]
    return {"cases": [case_row], "criteria": criteria, "visits": visits, "plan_actions": actions}


def record_rows(review: CaseReview) -> list[dict[str, Any]]:
    """Full texts of the file's records, for the store's case view (never written to OUT)."""
    case = review.case
    cid = case.child_id
    rows = [
        {"child_id": cid, "table": "visits", "record_id": v.visit_id,
         "record_date": v.visit_date, "text": v.text}
        for v in case.visits
    ]  # fmt: skip
    rows += [
        {"child_id": cid, "table": "case_summaries", "record_id": s.summary_id,
         "record_date": s.updated_at, "text": s.text}
        for s in case.case_summaries
    ]  # fmt: skip
    rows += [
        {"child_id": cid, "table": "plan_actions", "record_id": a.action_id,
         "record_date": p.start_date, "text": a.text}
        for p in case.plans for a in p.actions
    ]  # fmt: skip
    rows += [
        {"child_id": cid, "table": "chronology", "record_id": c.entry_id,
         "record_date": c.event_date, "text": c.text}
        for c in case.chronology
    ]  # fmt: skip
    rows += [
        {"child_id": cid, "table": "supervision", "record_id": r.record_id,
         "record_date": r.date, "text": r.text}
        for r in case.supervision
    ]  # fmt: skip
    rows += [
        {"child_id": cid, "table": "genograms", "record_id": g.genogram_id,
         "record_date": g.updated_at, "text": g.notes or ""}
        for g in case.genograms
    ]  # fmt: skip
    return rows


def score_case_files(
    reviewer: Any,
    case_files: Iterable[CaseFile],
    as_of: date,
    tables_absent: Iterable[str],
    keep_records: bool = False,
) -> Iterator[tuple[CaseFile, dict[str, list[dict[str, Any]]]]]:
    """Review each case file and give its output rows (cases, criteria, visits, plan_actions and,
    with ``keep_records``, records). The one function every engine calls."""
    absent = tuple(tables_absent)
    for case in case_files:
        review = reviewer.review(case, as_of, absent)
        rows = review_rows(review)
        if keep_records:
            rows["records"] = record_rows(review)
        yield case, rows
