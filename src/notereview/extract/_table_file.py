"""A table's file, opened: its header and its rows, whatever the format (CSV, JSON Lines,
Parquet or a workbook's sheet)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from notereview.errors import ExtractError
from notereview.extract._raw import RawRow
from notereview.extract._read_text import (
    _CsvTable,
    _decode_text,
    _jsonl_rows,
    _parse_jsonl,
    to_cell,
)
from notereview.extract._read_xlsx import SheetTable, read_sheet


@dataclass(slots=True)
class TableFile:
    """A table's file, decoded and split into a header and a row iterator."""

    table: str
    file_name: str
    fmt: str
    encoding: str | None
    columns: list[str]  # the column names found (CSV header, JSON keys, Parquet schema)
    extra: dict[str, Any] = field(default_factory=dict)
    _csv: _CsvTable | None = None
    _jsonl: list[tuple[int, dict[str, Any] | None, str | None]] | None = None
    _parquet: tuple[int, dict[str, list[str | None]]] | None = None
    _sheet: SheetTable | None = None

    @property
    def has_data(self) -> bool:
        """False for a file with no header and no rows (an empty export of a table)."""
        if self._csv is not None:
            return self._csv.header is not None
        if self._jsonl is not None:
            return bool(self._jsonl)
        if self._sheet is not None:
            return self._sheet.header_row is not None
        return True

    @property
    def header_known(self) -> bool:
        """Whether ``columns`` can be trusted to say which columns exist."""
        if self._jsonl is not None:
            return any(obj is not None for _, obj, _ in self._jsonl)
        return self.has_data

    def rows(self, column_of: dict[str, str | None]) -> Iterator[RawRow]:
        """The rows, with cells picked by ``column_of`` (contract column -> source column)."""
        if self._csv is not None:
            yield from self._csv.rows(column_of)
        elif self._jsonl is not None:
            yield from _jsonl_rows(self._jsonl, column_of)
        elif self._sheet is not None:
            yield from self._sheet.rows(column_of)
        elif self._parquet is not None:
            n_rows, data = self._parquet
            picks = {c: (data.get(s) if s is not None else None) for c, s in column_of.items()}
            for i in range(n_rows):
                yield RawRow(
                    i + 1, {c: (col[i] if col is not None else None) for c, col in picks.items()}
                )


def open_csv(table: str, file_name: str, data: bytes) -> TableFile:
    text, encoding, extra = _decode_text(data)
    del data
    parsed = _CsvTable(text)
    return TableFile(
        table=table,
        file_name=file_name,
        fmt="csv",
        encoding=encoding,
        columns=list(parsed.header or []),
        extra=extra,
        _csv=parsed,
    )


def open_jsonl(table: str, file_name: str, data: bytes) -> TableFile:
    text, encoding, extra = _decode_text(data)
    del data
    parsed = _parse_jsonl(text)
    columns: dict[str, None] = {}
    for _, obj, _ in parsed:
        if obj is not None:
            for key in obj:
                columns.setdefault(str(key), None)
    return TableFile(
        table=table,
        file_name=file_name,
        fmt="jsonl",
        encoding=encoding,
        columns=list(columns),
        extra=extra,
        _jsonl=parsed,
    )


def open_parquet(table: str, file_name: str, source: Any, wanted: set[str]) -> TableFile:
    """Read the wanted columns of a Parquet file (``wanted`` are source column names)."""
    import pyarrow.parquet as pq

    wanted_folded = {w.strip().casefold() for w in wanted}
    try:
        pf = pq.ParquetFile(source)
        names = [str(n) for n in pf.schema_arrow.names]
        picked = list(dict.fromkeys(n for n in names if n.strip().casefold() in wanted_folded))
        tbl = pf.read(columns=picked)
        n_rows = tbl.num_rows
        data = {n: [to_cell(v) for v in tbl.column(n).to_pylist()] for n in picked}
    except Exception as exc:  # third-party errors become ours
        raise ExtractError(
            f"table '{table}' file {file_name} cannot be read as Parquet ({type(exc).__name__})"
        ) from None
    return TableFile(
        table=table,
        file_name=file_name,
        fmt="parquet",
        encoding=None,
        columns=names,
        _parquet=(n_rows, data),
    )


def open_xlsx(
    table: str, location: str, source: Any, wanted: set[str], date_columns: frozenset[str]
) -> TableFile:
    """A workbook sheet holding a contract table (``wanted``: the source column names, which
    find the header row; ``date_columns``: the contract columns holding dates)."""
    sheet = read_sheet(location, source, wanted, date_columns)
    return TableFile(
        table=table,
        file_name=location,
        fmt="xlsx",
        encoding=None,
        columns=[h for h in sheet.header if h],
        extra={
            "workbook": sheet.book,
            "sheet": sheet.sheet,
            "header_row": None if sheet.header_row is None else sheet.header_row + 1,
        },
        _sheet=sheet,
    )
