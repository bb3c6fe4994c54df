"""Builders for small extracts used by the test_extract_* modules (no tests here).

All names and note text are invented.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from notereview.extract import CONTRACT_TABLES, Extract

AS_OF = date(2026, 3, 31)
NEWEST = date(2026, 3, 20)  # the newest as-of date in valid_tables()

Rows = list[dict[str, str]]

_MEMBERS_C1 = json.dumps(
    [
        {"name": "Aria", "relationship": "self", "side": "other", "generation": 0},
        {"name": "Mum", "relationship": "mother", "side": "maternal", "generation": 1},
        {"name": "Nan Rose", "relationship": "grandmother", "side": "maternal", "generation": 2},
        {"name": "Dad", "relationship": "father", "side": "paternal", "generation": 1},
    ]
)
_MEMBERS_C2 = json.dumps(
    [{"name": "Uncle Tom", "relationship": "uncle", "side": "paternal", "generation": 1}]
)


def valid_tables() -> dict[str, Rows]:
    """Three children (CP, LAC, CIN) with a few rows in every table; all valid."""
    return {
        "children": [
            dict(child_id="C1", first_name="Aria", date_of_birth="2015-04-02", gender="F",
                 legal_status="CP", status_start="2025-10-01", team="North", worker_id="W1"),
            dict(child_id="C2", first_name="Ben", age_years="9", gender="M", legal_status="LAC",
                 status_start="2024-05-01", team="North", worker_id="W2",
                 placement_start="2025-01-15", long_term_placement="no"),
            dict(child_id="C3", first_name="Cal", date_of_birth="2023-01-10", gender="other",
                 legal_status="CIN", status_start="2025-12-01", team="South", worker_id="W1"),
        ],
        "visits": [
            dict(visit_id="V1", child_id="C1", visit_date="2026-01-05", recorded_at="2026-01-06",
                 seen="y", seen_alone="y", visit_type="home", worker_id="W1",
                 text="Aria said she likes her new school. Home was warm."),
            dict(visit_id="V2", child_id="C1", visit_date="2026-01-19", recorded_at="2026-01-19",
                 seen="yes", seen_alone="no", text="Seen with Mum; discussed the safety plan."),
            dict(visit_id="V3", child_id="C2", visit_date="2026-02-01", recorded_at="2026-02-03",
                 seen="TRUE", text="Ben told me he misses his brother."),
            dict(visit_id="V4", child_id="C3", visit_date="2026-03-02", recorded_at="2026-03-20",
                 seen="1", seen_alone="0", text="Cal played with blocks and smiled at carer."),
        ],
        "case_summaries": [
            dict(summary_id="S1", child_id="C1", updated_at="2026-02-10",
                 text="Worries: neglect. Strengths: Nan Rose visits weekly."),
            dict(summary_id="S2", child_id="C2", updated_at="2025-12-01",
                 text="Ben is settled in his placement."),
        ],
        "plans": [
            dict(plan_id="P1", child_id="C1", plan_type="CP", start_date="2025-10-20",
                 last_review_date="2026-01-15", next_review_date="2026-07-15"),
            dict(plan_id="P2", child_id="C2", plan_type="care", start_date="2024-06-01"),
        ],
        "plan_actions": [
            dict(action_id="A1", plan_id="P1", text="Mum to attend parenting course weekly.",
                 owner="Family support worker", due_date="2026-04-30", status="open"),
            dict(action_id="A2", plan_id="P1", text="School to report attendance monthly.",
                 status="done"),
            dict(action_id="A3", plan_id="P2", text="Arrange contact with brother.",
                 owner="Social worker", due_date="2026-05-01", status="open"),
        ],
        "chronology": [
            dict(entry_id="E1", child_id="C1", event_date="2025-10-01", entered_at="2025-10-02",
                 event_type="conference", source="CP chair", text="Initial conference held.",
                 impact="Plan agreed."),
            dict(entry_id="E2", child_id="C1", event_date="2026-01-02", event_type="police",
                 source="Police", text="Police called to the home."),
            dict(entry_id="E3", child_id="C2", event_date="2025-01-15", entered_at="2025-01-16",
                 source="SW", text="Placement started."),
        ],
        "genograms": [
            dict(child_id="C1", updated_at="2025-11-01", members=_MEMBERS_C1,
                 notes="Discussed with Mum."),
            dict(child_id="C2", updated_at="2025-06-01", members=_MEMBERS_C2),
        ],
        "supervision": [
            dict(record_id="R1", child_id="C1", date="2026-02-01", manager_id="M1",
                 text="Reflected on impact of neglect; action: SW to visit school by 10/02."),
            dict(record_id="R2", child_id="C2", date="2026-01-10", text="Case discussed."),
        ],
    }  # fmt: skip


def csv_bytes(rows: Rows, encoding: str = "utf-8", columns: list[str] | None = None) -> bytes:
    if columns is None:
        columns = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def jsonl_bytes(rows: Rows) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def parquet_bytes(rows: Rows) -> bytes:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    table = pa.table({c: pa.array([r.get(c) for r in rows], type=pa.string()) for c in columns})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def table_bytes(rows: Rows, fmt: str, encoding: str = "utf-8") -> bytes:
    if fmt == "csv":
        return csv_bytes(rows, encoding)
    if fmt == "jsonl":
        return jsonl_bytes(rows)
    return parquet_bytes(rows)


def write_extract(
    folder: Path,
    tables: dict[str, Rows] | None = None,
    formats: str | dict[str, str] = "csv",
    encoding: str = "utf-8",
) -> Path:
    """Write ``tables`` (default: valid_tables()) as <table>.<fmt> files into ``folder``."""
    tables = valid_tables() if tables is None else tables
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        fmt = formats if isinstance(formats, str) else formats.get(name, "csv")
        (folder / f"{name}.{fmt}").write_bytes(table_bytes(rows, fmt, encoding))
    return folder


def zip_folder(folder: Path, target: Path, inner: str = "") -> Path:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, arcname=f"{inner}/{f.name}" if inner else f.name)
    return target


def assert_accounting(ex: Extract) -> None:
    """read == accepted + quarantined for every table, and the quarantine list agrees."""
    assert set(ex.counts) == set(CONTRACT_TABLES)
    for table, c in ex.counts.items():
        assert c.read == c.accepted + c.quarantined, table
        assert c.quarantined == sum(1 for q in ex.quarantine if q.table == table), table
    order = [(CONTRACT_TABLES.index(q.table), q.row_number) for q in ex.quarantine]
    assert order == sorted(order)


def reasons(ex: Extract, table: str) -> list[tuple[int, str | None, str]]:
    return [(q.row_number, q.record_id, q.reason) for q in ex.quarantine if q.table == table]
