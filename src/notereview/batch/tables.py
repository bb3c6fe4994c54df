"""The tables a run writes, declared once (CONTRACT.md "What a run writes", plus ``records``).

Every other shape is derived from :data:`OUTPUT_TABLES`: the column lists of the run's files,
their Arrow schemas (:func:`arrow_schema`), the columns the store reads back
(``store._runs.RUN_COLUMNS``) and the store's SQL tables (``store.models``). The SQL side is
what the Alembic migrations create (history, never edited): a test compares the two on SQLite.

Light on purpose: the store imports this module, so it imports nothing heavy (pyarrow only
inside :func:`arrow_schema`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from notereview.checks._rubric import THEMES

if TYPE_CHECKING:
    import pyarrow as pa

#: What a column holds. ``json``: a JSON list, written to the files as text and kept in the
#: store as JSON; ``count``: a whole number; ``flag``: true or false.
Kind = Literal["text", "number", "count", "flag", "date", "json"]


@dataclass(frozen=True, slots=True)
class OutputColumn:
    name: str
    kind: Kind
    #: In the store: None, no length limit (TEXT); a number, VARCHAR(n).
    length: int | None = None
    nullable: bool = True
    key: bool = False  # part of the store's primary key (with run_id)
    index: bool = False  # the store indexes it alone
    sql_name: str | None = None  # the store's column name where it differs ("table")

    @property
    def stored_as(self) -> str:
        return self.sql_name or self.name


@dataclass(frozen=True, slots=True)
class OutputTable:
    name: str  # the file's name (cases.parquet) and the key of a run's tables
    sql_table: str  # the store's table
    columns: tuple[OutputColumn, ...]
    file: bool = True  # written into OUT (records only go to the store)
    #: The store keys each row by its own number (``id``), not by the run and a column.
    numbered: bool = False
    #: The store's indexes over several columns (run_id first): name -> columns.
    indexes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: The store indexes run_id alone.
    run_index: bool = False
    #: The store's column order where it differs from the file's (the columns' names).
    store_order: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def stored_columns(self) -> tuple[OutputColumn, ...]:
        """The columns in the store's order."""
        if not self.store_order:
            return self.columns
        by_name = {c.name: c for c in self.columns}
        return tuple(by_name[n] for n in self.store_order)


def _text(name: str, length: int | None = None, **kw: bool) -> OutputColumn:
    return OutputColumn(name, "text", length, **kw)


_ID = 64
_REQUIRED = {"nullable": False}

OUTPUT_TABLES: dict[str, OutputTable] = {
    t.name: t
    for t in (
        OutputTable(
            "cases",
            "case_scores",
            (
                _text("child_id", _ID, nullable=False, key=True),
                _text("team", 128, **_REQUIRED),
                _text("worker_id", 128, **_REQUIRED),
                _text("legal_status", 8, **_REQUIRED),
                OutputColumn("score", "number", nullable=False),
                _text("grade_band", 32, **_REQUIRED),
                *(OutputColumn(theme, "number") for theme in THEMES),
                OutputColumn("confidence", "number", nullable=False),
                OutputColumn("rank", "count", nullable=False),
                OutputColumn("reasons", "json", nullable=False),
                OutputColumn("p_inadequate", "number"),
            ),
            indexes=(("ix_case_scores_run_team", ("run_id", "team")),),
        ),
        OutputTable(
            "criteria",
            "criterion_findings",
            (
                _text("child_id", _ID, nullable=False, key=True),
                _text("criterion", 8, nullable=False, key=True),
                _text("theme", 32, **_REQUIRED),
                _text("status", 32, **_REQUIRED),
                OutputColumn("score", "number"),
                OutputColumn("confidence", "number"),
                OutputColumn("evidence", "json", nullable=False),
                _text("missing"),
            ),
        ),
        OutputTable(
            "visits",
            "visit_labels",
            (
                _text("visit_id", _ID, nullable=False, key=True),
                _text("child_id", _ID, nullable=False, index=True),
                _text("voice", 32),
                OutputColumn("plan_linked", "flag"),
                OutputColumn("analysis", "flag"),
                OutputColumn("on_time", "flag"),
                OutputColumn("recorded_late_days", "count"),
                OutputColumn("evidence", "json", nullable=False),
                # added after evidence (migration 0011), so earlier columns keep their places
                OutputColumn("child_seen", "flag"),
            ),
            # one child's rows of a run in order, for the case file (migration 0010)
            indexes=(("ix_visit_labels_run_child", ("run_id", "child_id", "visit_id")),),
        ),
        OutputTable(
            "plan_actions",
            "plan_action_labels",
            (
                _text("action_id", _ID, nullable=False, key=True),
                _text("plan_id", _ID, **_REQUIRED),
                _text("child_id", _ID, nullable=False, index=True),
                *(
                    OutputColumn(flag, "flag")
                    for flag in ("smart", "specific", "measurable", "owner_named", "timebound")
                ),
                OutputColumn("score", "number"),
            ),
            indexes=(("ix_plan_action_labels_run_child", ("run_id", "child_id", "action_id")),),
        ),
        OutputTable(
            "quarantine",
            "quarantined_rows",
            (
                _text("table", 64, nullable=False, sql_name="table_name"),
                OutputColumn("row_number", "count"),
                _text("record_id", 128),
                _text("reason", **_REQUIRED),
            ),
            numbered=True,
            run_index=True,
        ),
        OutputTable(
            "reconciliation",
            "reconciliation_findings",
            (
                _text("child_id", 128, nullable=False, index=True),
                _text("item", 64, **_REQUIRED),
                _text("source", 128),
                _text("annex_a_value", 256),
                _text("file_value", 256),
                _text("finding", **_REQUIRED),
            ),
            numbered=True,
            run_index=True,
            indexes=(("ix_reconciliation_findings_run_child", ("run_id", "child_id")),),
        ),
        OutputTable(
            "monitoring",
            "monitoring_fields",
            (
                _text("child_id", 128, nullable=False, key=True),
                _text("gender", 32),
                _text("age_band", 32),
                _text("legal_status", 8),
                _text("ethnicity", 64),
                _text("disability", 32),
                _text("communication_need", 64),
            ),
        ),
        OutputTable(
            "records",
            "record_texts",
            (
                _text("child_id", _ID, **_REQUIRED),
                _text("table", 64, nullable=False, key=True, sql_name="table_name"),
                _text("record_id", 128, nullable=False, key=True),
                OutputColumn("record_date", "date"),
                _text("text", **_REQUIRED),
            ),
            file=False,
            indexes=(("ix_record_texts_run_child", ("run_id", "child_id")),),
            store_order=("table", "record_id", "child_id", "record_date", "text"),
        ),
    )
}

#: The files of a run, in the order they are written (run.json last, apart).
FILE_TABLES: tuple[str, ...] = tuple(name for name, t in OUTPUT_TABLES.items() if t.file)
#: The tables of case-file rows that every chunk of a batch run writes.
ROW_TABLES: tuple[str, ...] = ("cases", "criteria", "visits", "plan_actions")


def columns(name: str) -> list[str]:
    """The columns of one output table, in file order."""
    return OUTPUT_TABLES[name].column_names


CASES_COLUMNS = columns("cases")
CRITERIA_COLUMNS = columns("criteria")
VISITS_COLUMNS = columns("visits")
PLAN_ACTIONS_COLUMNS = columns("plan_actions")
QUARANTINE_COLUMNS = columns("quarantine")
RECONCILIATION_COLUMNS = columns("reconciliation")
MONITORING_COLUMNS = columns("monitoring")
RECORDS_COLUMNS = columns("records")


@cache
def arrow_schema(name: str) -> pa.Schema:
    """The Arrow schema of one output table (JSON columns are text in the files)."""
    import pyarrow as pa

    types = {
        "text": pa.string(),
        "json": pa.string(),
        "number": pa.float64(),
        "count": pa.int64(),
        "flag": pa.bool_(),
        "date": pa.date32(),
    }
    return pa.schema([(c.name, types[c.kind]) for c in OUTPUT_TABLES[name].columns])
