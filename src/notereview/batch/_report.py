"""What a run says about itself: run.json's content (one builder for every path), the weakest
files and the Markdown report."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Protocol

import pandas as pd

from notereview.checks._rubric import CRITERIA
from notereview.errors import NotereviewError
from notereview.extract import AnnexA, TableCount
from notereview.reconciliation import reconciliation_counts


class RunTables(Protocol):
    """A run as the report reads it: run.json's content; ``tables`` with the ranked cases (all
    of them, or the weakest), the criteria (the table, or a tally: criterion, status, rows) and
    the quarantine; the files per grade band (empty: counted from the cases)."""

    run_info: dict[str, Any]
    grade_bands: dict[str, int] | None

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]: ...


def build_run_info(
    *,
    as_of: date,
    started: datetime,
    counts: Mapping[str, TableCount],
    children_scored: int,
    tables_absent: list[str],
    fingerprint: str | None,
    versions: dict[str, Any],
    models: dict[str, Any],
    notes: dict[str, Any],
    reconciliation: dict[str, Any] | None,
    timings: dict[str, float] | None = None,
    batch: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """run.json's content. Raises if a table's rows read are not rows scored + quarantined."""
    tables = {
        t: {"rows_read": c.read, "rows_scored": c.accepted, "rows_quarantined": c.quarantined}
        for t, c in counts.items()
    }
    for t, c in tables.items():
        if c["rows_read"] != c["rows_scored"] + c["rows_quarantined"]:
            raise NotereviewError(f"row accounting failed for table {t}: {c}")
    info: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": tables,
        "rows_read": sum(c["rows_read"] for c in tables.values()),
        "rows_scored": sum(c["rows_scored"] for c in tables.values()),
        "rows_quarantined": sum(c["rows_quarantined"] for c in tables.values()),
        "children_scored": children_scored,
        "tables_absent": list(tables_absent),
        "extract_fingerprint": fingerprint,
        "versions": versions,
        "models": models,
        "timings_s": {k: round(v, 3) for k, v in (timings or {}).items()},
        "ingest_notes": notes,
        "reconciliation": reconciliation,
    }
    if batch is not None:
        info["batch"] = batch
    return info


def reconciliation_info(frame: pd.DataFrame, annex: AnnexA | None) -> dict[str, Any] | None:
    """run.json's ``reconciliation``: None without an Annex A return."""
    if annex is None:
        return None
    return reconciliation_counts(frame.to_dict("records"), annex)


def weakest(result: RunTables, top: int = 10) -> list[dict[str, Any]]:
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


def markdown_report(result: RunTables, top: int = 10) -> str:
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
    if not bands:
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
