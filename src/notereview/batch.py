"""Batch scoring of an extract: ingest → review every case file → the files of a run.

``run_batch`` is the nightly path (streamed, parallel over a process pool, incremental against
the store, resumable after a kill); ``score_extract`` scores an already ingested extract in
memory (tests, small extracts). Both write the same files.

The output shape is CONTRACT.md "What a run writes": cases, criteria, visits, plan_actions,
quarantine, reconciliation (Parquet or CSV, same columns) and run.json. The reconciliation
table is empty unless an Annex A return was given (``--annex-a``); the monitoring table holds
each child's equality-monitoring fields (:mod:`notereview.equality`), apart from the scores.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from notereview._spreadsheet import write_output_csv
from notereview.checks._rubric import THEMES
from notereview.equality import MONITORING_COLUMNS, monitoring_row
from notereview.errors import NotereviewError
from notereview.reconciliation import (
    RECONCILIATION_COLUMNS,
    order_rows,
    reconcile_case,
    reconciliation_counts,
    statutory_dates,
)
from notereview.review import CaseReview, Reviewer

if TYPE_CHECKING:
    from notereview._batch_engine import BatchOptions, BatchSummary
    from notereview.extract import Extract

CASES_COLUMNS = [
    "child_id", "team", "worker_id", "legal_status", "score", "grade_band", *THEMES,
    "confidence", "rank", "reasons", "p_inadequate",
]  # fmt: skip
CRITERIA_COLUMNS = [
    "child_id", "criterion", "theme", "status", "score", "confidence", "evidence", "missing",
]  # fmt: skip
VISITS_COLUMNS = [
    "visit_id", "child_id", "voice", "plan_linked", "analysis", "on_time", "recorded_late_days",
    "evidence",
]  # fmt: skip
PLAN_ACTIONS_COLUMNS = [
    "action_id", "plan_id", "child_id", "smart", "specific", "measurable", "owner_named",
    "timebound", "score",
]  # fmt: skip
QUARANTINE_COLUMNS = ["table", "row_number", "record_id", "reason"]
RECORDS_COLUMNS = ["child_id", "table", "record_id", "record_date", "text"]
OUTPUT_TABLES = (
    "cases", "criteria", "visits", "plan_actions", "quarantine", "reconciliation", "monitoring",
)  # fmt: skip


@dataclass
class RunResult:
    run_info: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    reviews_seen: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # Files per grade band where tables["cases"] holds only the weakest (a batch run's summary).
    grade_bands: dict[str, int] | None = None


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


def rank_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """rank 1 = weakest (lowest score; ties by child_id), reset index."""
    if cases.empty:
        return cases
    ordered = cases.sort_values(["score", "child_id"], kind="mergesort").reset_index(drop=True)
    ordered["rank"] = range(1, len(ordered) + 1)
    return ordered


def score_extract(
    extract: Extract,
    reviewer: Reviewer,
    *,
    source: str | Path | None = None,
    keep_records: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Review every accepted case file of an ingested extract."""
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    versions = reviewer.versions()
    t_load = time.perf_counter() - t0
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("cases", "criteria", "visits", "plan_actions")
    }
    records: list[dict[str, Any]] = []
    annex = extract.annex_a
    dates = statutory_dates(annex) if annex is not None else {}
    reconciled: list[dict[str, Any]] = list(extract.children_findings)
    monitoring: list[dict[str, Any]] = []
    t1 = time.perf_counter()
    n = 0
    for review in _reviews(extract, reviewer):
        for k, v in review_rows(review).items():
            rows[k].extend(v)
        monitoring.append(monitoring_row(review.case, extract.as_of))
        on_return = dates.get(review.case.child.child_id)
        if on_return is not None:
            reconciled += [f.row() for f in reconcile_case(review.case, on_return, extract.as_of)]
        if keep_records:
            records.extend(record_rows(review))
        n += 1
        if progress is not None:
            progress(n)
    t_review = time.perf_counter() - t1
    tables = {
        "cases": rank_cases(
            pd.DataFrame(rows["cases"], columns=CASES_COLUMNS).astype({"p_inadequate": float})
        ),
        "criteria": pd.DataFrame(rows["criteria"], columns=CRITERIA_COLUMNS),
        "visits": pd.DataFrame(rows["visits"], columns=VISITS_COLUMNS),
        "plan_actions": pd.DataFrame(rows["plan_actions"], columns=PLAN_ACTIONS_COLUMNS),
        "quarantine": extract.quarantine_frame(),
        "reconciliation": pd.DataFrame(order_rows(reconciled), columns=RECONCILIATION_COLUMNS),
        "monitoring": pd.DataFrame(
            sorted(monitoring, key=lambda r: r["child_id"]), columns=MONITORING_COLUMNS
        ),
    }
    if keep_records:
        tables["records"] = pd.DataFrame(records, columns=RECORDS_COLUMNS)
    counts = {
        t: {"rows_read": c.read, "rows_scored": c.accepted, "rows_quarantined": c.quarantined}
        for t, c in extract.counts.items()
    }
    for t, c in counts.items():
        if c["rows_read"] != c["rows_scored"] + c["rows_quarantined"]:
            raise NotereviewError(f"row accounting failed for table {t}: {c}")
    run_info: dict[str, Any] = {
        "as_of": extract.as_of.isoformat(),
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": counts,
        "rows_read": sum(c["rows_read"] for c in counts.values()),
        "rows_scored": sum(c["rows_scored"] for c in counts.values()),
        "rows_quarantined": sum(c["rows_quarantined"] for c in counts.values()),
        "children_scored": n,
        "tables_absent": list(extract.tables_absent),
        "extract_fingerprint": extract_fingerprint(source) if source is not None else None,
        "versions": versions,
        "models": {"path": "rules", "transformer": "not used: the rules path"},
        "timings_s": {"load": round(t_load, 3), "review": round(t_review, 3)},
        "ingest_notes": extract.notes,
        "reconciliation": reconciliation_counts(reconciled, annex) if annex is not None else None,
    }
    return RunResult(run_info=run_info, tables=tables, reviews_seen=n)


def _reviews(extract: Extract, reviewer: Reviewer) -> Iterator[CaseReview]:
    absent = tuple(extract.tables_absent)
    for case in extract.case_files():
        yield reviewer.review(case, extract.as_of, absent)


def write_outputs(result: RunResult, out_dir: str | Path, fmt: str = "parquet") -> list[Path]:
    """Write the run's files into out_dir; returns the paths written."""
    if fmt not in ("parquet", "csv"):
        raise NotereviewError(f"unknown output format {fmt!r}; use parquet or csv")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    written = []
    for name in OUTPUT_TABLES:
        frame = result.tables[name]
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:
            write_output_csv(frame, path)
        written.append(path)
    result.run_info["timings_s"]["write"] = round(time.perf_counter() - t0, 3)
    run_json = out / "run.json"
    run_json.write_text(json.dumps(result.run_info, indent=2, default=str) + "\n", encoding="utf-8")
    written.append(run_json)
    return written


def weakest(result: RunResult, top: int = 10) -> list[dict[str, Any]]:
    cases = result.tables["cases"].head(top)
    return [
        {
            "rank": int(r["rank"]),
            "child_id": r["child_id"],
            "team": r["team"],
            "legal_status": r["legal_status"],
            "score": float(r["score"]),
            "grade_band": r["grade_band"],
            "reasons": json.loads(r["reasons"]),
        }
        for _, r in cases.iterrows()
    ]


def markdown_report(result: RunResult, top: int = 10) -> str:
    """A short Markdown report of a run: counts, bands, criteria met, the weakest files."""
    info = result.run_info
    cases = result.tables["cases"]
    criteria = result.tables["criteria"]
    lines = [
        f"# notereview run as of {info['as_of']}",
        "",
        f"Children scored: {info['children_scored']}. Rows read {info['rows_read']}, "
        f"scored {info['rows_scored']}, quarantined {info['rows_quarantined']}.",
        "",
        "## Grade bands",
        "",
        "| band | files | share |",
        "|---|---|---|",
    ]
    bands = result.grade_bands
    if bands is None:
        bands = cases["grade_band"].value_counts().to_dict() if len(cases) else {}
    total = max(int(info.get("children_scored", len(cases))), 1)
    for band in ("good", "requires_improvement", "inadequate"):
        k = int(bands.get(band, 0))
        lines.append(f"| {band} | {k} | {k / total:.0%} |")
    lines += [
        "",
        "## Criteria met across the service",
        "",
        "| criterion | met | partly | not met | n/a |",
        "|---|---|---|---|---|",
    ]
    if len(criteria):
        if "rows" in criteria:  # a batch run's tally (criterion, status, rows)
            counts = criteria.pivot_table(
                index="criterion", columns="status", values="rows", aggfunc="sum", fill_value=0
            )
        else:
            counts = criteria.groupby(["criterion", "status"]).size().unstack(fill_value=0)
        from notereview.checks._rubric import CRITERIA

        for cid in CRITERIA:
            if cid not in counts.index:
                continue
            row = counts.loc[cid]
            lines.append(
                f"| {cid} | {row.get('met', 0)} | {row.get('partly_met', 0)} | "
                f"{row.get('not_met', 0)} | {row.get('not_applicable', 0)} |"
            )
    lines += ["", f"## The {top} weakest files", ""]
    for item in weakest(result, top):
        lines.append(
            f"{item['rank']}. **{item['child_id']}** ({item['team']}, {item['legal_status']}) "
            f"score {item['score']:.2f}, {item['grade_band'].replace('_', ' ')}"
        )
        for reason in item["reasons"][:3]:
            lines.append(f"   - {reason}")
    q = result.tables["quarantine"]
    if len(q):
        lines += ["", "## Quarantine", "", "| table | rows | first reason |", "|---|---|---|"]
        for table, group in q.groupby("table"):
            lines.append(f"| {table} | {len(group)} | {group.iloc[0]['reason']} |")
    return "\n".join(lines) + "\n"


def parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NotereviewError(f"{what} must be a date like 2026-11-02, got {value!r}") from None


def run_batch(
    extract: str | Path,
    out_dir: str | Path,
    options: BatchOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    """Streamed, parallel, incremental and resumable scoring of an extract into ``out_dir``
    (the files of CONTRACT.md "What a run writes"); see :mod:`notereview._batch_engine`."""
    from notereview._batch_engine import run_batch as _run

    return _run(extract, out_dir, options, progress)


def summary_result(summary: BatchSummary) -> RunResult:
    """A batch summary as a RunResult for :func:`weakest` and :func:`markdown_report`: its cases
    are the summary's weakest files, with every file's grade band counted."""
    return RunResult(
        run_info=summary.run_info,
        tables={
            "cases": summary.weakest_cases,
            "criteria": summary.criteria_counts,
            "quarantine": summary.quarantine,
            "reconciliation": summary.reconciliation
            if summary.reconciliation is not None
            else pd.DataFrame(columns=RECONCILIATION_COLUMNS),
        },
        reviews_seen=int(summary.run_info.get("children_scored", 0)),
        grade_bands=summary.grade_bands,
    )
