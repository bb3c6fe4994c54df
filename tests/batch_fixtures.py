"""A messy synthetic extract for the batch tests: rows out of order, every kind of quarantine
reason, mixed formats and encodings. All text is generated; nothing real."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def _read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, folder: Path, table: str) -> None:
    frame.to_csv(folder / f"{table}.csv", index=False)


def messy_extract(folder: Path, children: int = 24, seed: int = 5) -> Path:
    """Generate ``children`` children and damage the extract in the ways ingest must handle."""
    from notereview.synth import generate

    generate(folder, children, seed)
    (folder / "answer_key.json").unlink()

    kids = _read(folder, "children")
    kids.loc[2, "legal_status"] = "XX"  # a quarantined child: its records follow it
    kids = pd.concat([kids, kids.iloc[[4]]])  # a duplicated child
    _write(kids.sample(frac=1.0, random_state=1), folder, "children")
    bad_child = kids.iloc[2]["child_id"]

    visits = _read(folder, "visits")
    extra = visits.iloc[[0, 1, 2, 3]].copy()
    extra["visit_id"] = ["VX1", "VX2", "VX3", visits.iloc[5]["visit_id"]]  # VX… new; last dup
    extra.iloc[0, extra.columns.get_loc("child_id")] = "C-UNKNOWN"
    extra.iloc[1, extra.columns.get_loc("visit_date")] = "2026-12-01"  # after as-of 2026-11-02
    extra.iloc[1, extra.columns.get_loc("recorded_at")] = "2026-12-02"
    extra.iloc[2, extra.columns.get_loc("text")] = "   "
    visits = pd.concat([visits, extra]).sample(frac=1.0, random_state=2)  # any order
    _write(visits, folder, "visits")
    assert bad_child in set(visits["child_id"])

    plans = _read(folder, "plans")
    plans.loc[0, "child_id"] = ""  # plan quarantined at parse: its actions follow it
    plans.loc[1, "start_date"] = "2026-12-05"  # quarantined at the as-of check
    _write(plans, folder, "plans")
    actions = _read(folder, "plan_actions")
    orphan = actions.iloc[[0]].copy()
    orphan["action_id"] = "AX1"
    orphan["plan_id"] = "P-UNKNOWN"
    _write(pd.concat([orphan, actions]).sample(frac=1.0, random_state=3), folder, "plan_actions")

    # case summaries as JSON Lines, with one line that is not JSON
    summaries = _read(folder, "case_summaries")
    (folder / "case_summaries.csv").unlink()
    lines = [json.dumps(r) for r in summaries.to_dict("records")]
    lines.insert(1, "{not json")
    (folder / "case_summaries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    # chronology as Parquet
    chronology = _read(folder, "chronology")
    (folder / "chronology.csv").unlink()
    chronology.to_parquet(folder / "chronology.parquet", index=False)

    # supervision in cp1252 with a pound sign and a NUL byte; a malformed CSV line
    supervision = _read(folder, "supervision")
    supervision.loc[0, "text"] = supervision.loc[0, "text"] + " Costs £40 agreed.\x00"
    data = supervision.to_csv(index=False).encode("cp1252", errors="replace")
    data += b'S-BAD,"C000001,2026-01-01,M1,"unbalanced\n'
    (folder / "supervision.csv").write_bytes(data)

    # genograms absent: a missing optional table
    (folder / "genograms.csv").unlink()
    return folder
