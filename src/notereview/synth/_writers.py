"""Streaming table writers (CSV, JSON Lines, Parquet) and the streaming answer-key writer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "children": (
        "child_id",
        "first_name",
        "date_of_birth",
        "age_years",
        "gender",
        "legal_status",
        "status_start",
        "team",
        "worker_id",
        "placement_start",
        "long_term_placement",
        "ethnicity",
        "disability",
    ),
    "visits": (
        "visit_id",
        "child_id",
        "visit_date",
        "recorded_at",
        "seen",
        "seen_alone",
        "visit_type",
        "worker_id",
        "text",
    ),
    "case_summaries": ("summary_id", "child_id", "updated_at", "text"),
    "plans": (
        "plan_id",
        "child_id",
        "plan_type",
        "start_date",
        "last_review_date",
        "next_review_date",
    ),
    "plan_actions": ("action_id", "plan_id", "text", "owner", "due_date", "status"),
    "chronology": (
        "entry_id",
        "child_id",
        "event_date",
        "entered_at",
        "event_type",
        "source",
        "text",
        "impact",
    ),
    "genograms": ("child_id", "updated_at", "members", "notes"),
    "supervision": ("record_id", "child_id", "date", "manager_id", "text"),
}
FORMATS: tuple[str, ...] = ("csv", "parquet", "jsonl")
PARQUET_ROW_GROUP = 5000


def _csv_field(value: str) -> str:
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_line(row: list[str]) -> str:
    """One RFC 4180 line (minimal quoting, LF line end): several times faster than csv.writer
    on long multi-paragraph cells."""
    return ",".join([_csv_field(v) for v in row]) + "\n"


#: Columns that can hold free text (and so may need quoting); ids, codes and dates never do.
FREE_TEXT = frozenset(
    {"text", "notes", "members", "first_name", "owner", "source", "impact", "team", "event_type"}
)


class TableWriter:
    """Writes one table row by row; every value is a string ("" = empty)."""

    def __init__(self, path: Path, columns: tuple[str, ...], fmt: str) -> None:
        self.path = path
        self.columns = columns
        self.fmt = fmt
        self.rows = 0
        self._fh: IO[str] | None = None
        self._buffer: list[list[str]] = []
        self._pq: Any = None
        self._free = tuple(i for i, c in enumerate(columns) if c in FREE_TEXT)
        if fmt == "csv":
            self._fh = path.open("w", encoding="utf-8", newline="")
            self._fh.write(_csv_line(list(columns)))
        elif fmt == "jsonl":
            self._fh = path.open("w", encoding="utf-8", newline="\n")

    def write(self, row: list[str]) -> None:
        self.rows += 1
        if self.fmt == "csv":
            assert self._fh is not None
            for i in self._free:
                v = row[i]
                if "," in v or '"' in v or "\n" in v or "\r" in v:
                    row[i] = '"' + v.replace('"', '""') + '"'
            self._fh.write(",".join(row))
            self._fh.write("\n")
        elif self.fmt == "jsonl":
            assert self._fh is not None
            record = {c: (v if v != "" else None) for c, v in zip(self.columns, row, strict=True)}
            self._fh.write(json.dumps(record, ensure_ascii=False))
            self._fh.write("\n")
        else:
            self._buffer.append(row)
            if len(self._buffer) >= PARQUET_ROW_GROUP:
                self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([(c, pa.string()) for c in self.columns])
        if self._pq is None:
            self._pq = pq.ParquetWriter(self.path, schema)
        cols = list(zip(*self._buffer, strict=True)) if self._buffer else [()] * len(self.columns)
        arrays = [pa.array([v if v != "" else None for v in col], type=pa.string()) for col in cols]
        self._pq.write_table(pa.Table.from_arrays(arrays, schema=schema))
        self._buffer.clear()

    def close(self) -> None:
        if self.fmt == "parquet":
            if self._buffer or self._pq is None:
                self._flush()
            self._pq.close()
        elif self._fh is not None:
            self._fh.close()


_KEY_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))


class AnswerKeyWriter:
    """Streams ``{"generator_version", "seed", "as_of", "styles", "children": {...}}``."""

    def __init__(self, path: Path, header: dict[str, object]) -> None:
        self._fh = path.open("w", encoding="utf-8", newline="\n")
        head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))
        self._fh.write(head[:-1] + ',"children":{')
        self._first = True

    def write(self, child_id: str, entry: dict[str, object]) -> None:
        if not self._first:
            self._fh.write(",\n")
        self._first = False
        self._fh.write(json.dumps(child_id))
        self._fh.write(":")
        self._fh.write(_KEY_ENCODER.encode(entry))

    def close(self) -> None:
        self._fh.write("}}\n")
        self._fh.close()
