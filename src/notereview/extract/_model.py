"""What an ingest returns: the accepted records, grouped by child, and an account of every row."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from notereview.casefile import (
    CaseFile,
)


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """A row that failed validation. ``reason`` names columns and ids, never a cell's text."""

    table: str
    row_number: int
    record_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class TableCount:
    """Rows of one table: read == accepted + quarantined, always."""

    read: int
    accepted: int
    quarantined: int


QUARANTINE_COLUMNS: tuple[str, ...] = ("table", "row_number", "record_id", "reason")


@dataclass(frozen=True)
class Extract:
    """The result of an ingest.

    ``as_of`` is the given reference date or the newest date in the accepted records;
    ``counts`` has every contract table (absent ones 0/0/0); ``quarantine`` is in table order,
    then row order; ``notes`` says per table which file was read, its format and encoding, and
    how many texts were cleaned of HTML or RTF or truncated.
    """

    as_of: date
    counts: dict[str, TableCount]
    quarantine: list[QuarantinedRow]
    tables_absent: list[str]
    notes: dict[str, Any]
    #: each accepted child's accepted records, as read (CaseFile.in_order sorts them)
    _records: Mapping[str, CaseFile] = field(default_factory=dict, repr=False, compare=False)
    #: The Annex A return read with the extract (``--annex-a``), and where the extract's own
    #: children table disagrees with it (rows of the reconciliation table).
    annex_a: Any = field(default=None, repr=False, compare=False)
    children_findings: list[dict[str, Any]] = field(default_factory=list, compare=False)

    @property
    def child_ids(self) -> list[str]:
        """The accepted children's ids, sorted."""
        return sorted(self._records)

    def case_files(self) -> Iterator[CaseFile]:
        """One CaseFile per accepted child, sorted by child_id."""
        for child_id in sorted(self._records):
            yield self._records[child_id].in_order()

    def quarantine_frame(self) -> pd.DataFrame:
        """The quarantine as a table with columns exactly table, row_number, record_id, reason."""
        frame = pd.DataFrame(
            [(q.table, q.row_number, q.record_id, q.reason) for q in self.quarantine],
            columns=list(QUARANTINE_COLUMNS),
        )
        return frame.astype({"table": object, "row_number": "int64", "record_id": object,
                             "reason": object})  # fmt: skip
