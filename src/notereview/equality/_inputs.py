"""What the equality report reads: a run's tables and statuses, and the auditors' grades."""

from __future__ import annotations

from typing import Any

from notereview._spreadsheet import read_output_csv
from notereview.equality._report import _status


def load_audits(
    path: str, theme: str | None = None, criterion: str | None = None
) -> dict[str, str]:
    """Child id -> the auditor's overall grade (or their grade of ``theme``, or their status of
    ``criterion``), from a table (CSV or Parquet with child_id and overall, or a column named
    after the theme or criterion) or a generated extract's answer key (the first auditor's
    grades of each child; the key's criterion statuses)."""
    import json
    from pathlib import Path

    import pandas as pd

    from notereview.errors import NotereviewError

    p = Path(path)
    if not p.is_file():
        raise NotereviewError(f"audits file {p} does not exist")
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            children = data["children"]
            if criterion is not None:
                return {
                    cid: _status(c["criteria"][criterion])
                    for cid, c in children.items()
                    if criterion in c.get("criteria", {})
                }
            return {
                cid: (
                    c["auditor_grades"][0]["overall"]
                    if theme is None
                    else c["auditor_grades"][0]["themes"][theme]
                )
                for cid, c in children.items()
                if c.get("auditor_grades")
            }
        except (ValueError, KeyError, TypeError, IndexError):
            raise NotereviewError(
                f"audits file {p} is not an answer key with children.*.auditor_grades"
            ) from None
    frame = pd.read_parquet(p) if p.suffix.lower() == ".parquet" else pd.read_csv(p, dtype=str)
    column = criterion or theme or "overall"
    if not {"child_id", column} <= set(frame.columns):
        raise NotereviewError(f"audits file {p} needs the columns child_id and {column}")
    return dict(zip(frame["child_id"].astype(str), frame[column].astype(str), strict=True))


def read_run_tables(run_dir: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A run folder's cases and monitoring rows (Parquet or CSV)."""
    from pathlib import Path

    import pandas as pd

    from notereview.errors import NotereviewError

    folder = Path(run_dir)
    out = []
    for name in ("cases", "monitoring"):
        for fmt in ("parquet", "csv"):
            f = folder / f"{name}.{fmt}"
            if f.is_file():
                frame = pd.read_parquet(f) if fmt == "parquet" else read_output_csv(f, dtype=str)
                out.append(frame.to_dict("records"))
                break
        else:
            raise NotereviewError(
                f"{folder} has no {name}.parquet or {name}.csv: point at a folder that "
                "`notereview score` wrote (runs before equality monitoring have no monitoring "
                "table: score the extract again)"
            )
    return out[0], out[1]


def read_run_statuses(run_dir: str, criterion: str) -> dict[str, str]:
    """Child id -> the run's status of ``criterion`` (its criteria table)."""
    from pathlib import Path

    import pandas as pd

    from notereview.errors import NotereviewError

    folder = Path(run_dir)
    for fmt in ("parquet", "csv"):
        f = folder / f"criteria.{fmt}"
        if f.is_file():
            frame = pd.read_parquet(f) if fmt == "parquet" else read_output_csv(f, dtype=str)
            frame = frame[frame["criterion"] == criterion]
            return dict(zip(frame["child_id"].astype(str), frame["status"], strict=True))
    raise NotereviewError(f"{folder} has no criteria.parquet or criteria.csv")
