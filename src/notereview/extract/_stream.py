"""Streamed reading of an extract's tables: each table file is read row by row (CSV, JSON
Lines and Parquet never loaded whole), with the same parsing rules as the in-memory readers of
:mod:`notereview.extract._readers` (strict CSV with lenient recovery, one bad row is one row,
cp1252 fallback, NUL characters removed and counted). A workbook sheet is read whole, as
calamine reads it. Used by :func:`read_extract` and by pass 1 of a batch run
(:mod:`notereview.extract._partition`).
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from notereview.errors import ExtractError
from notereview.extract._columns import open_table, resolve_columns
from notereview.extract._mapping import ColumnMapping
from notereview.extract._read_text import jsonl_object, jsonl_row
from notereview.extract._readers import (
    _CSV_FIELD_LIMIT,
    ExtractContainer,
    RawRow,
    TableFile,
    _cp1252_table,
    _CsvTable,
    _is_blank,
    _LineSource,
    format_of,
    open_csv,
    open_jsonl,
    to_cell,
)
from notereview.extract._schema import TABLE_SPECS


class _StreamLines(_LineSource):
    """The ingest's line source over an iterator of physical lines instead of one string."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._pushed = []
        self.consumed = []


class _StreamCsv(_CsvTable):
    """``_CsvTable`` (strict parsing, lenient recovery, one bad row is one row) over a stream."""

    def __init__(self, lines: Iterator[str]) -> None:
        import csv

        if csv.field_size_limit() < _CSV_FIELD_LIMIT:
            csv.field_size_limit(_CSV_FIELD_LIMIT)
        self._src = _StreamLines(lines)
        self._reader = csv.reader(self._src, strict=True)
        self.header = None
        for record, _problem in self._records(None):
            if record is None or _is_blank(record):
                continue
            self.header = [h.strip().lstrip("\ufeff") for h in record]
            break


class _Source:
    """One table file in a folder or zip, opened as often as needed as a binary stream."""

    def __init__(self, box: ExtractContainer, name: str) -> None:
        self.box = box
        self.name = name

    def open(self) -> IO[bytes]:
        try:
            if box_zip(self.box) is not None:
                return box_zip(self.box).open(self.box._prefix + self.name)  # type: ignore[union-attr]
            return (self.box._root / self.name).open("rb")
        except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, KeyError) as exc:
            raise ExtractError(
                f"file {self.name} in extract {self.box.path} cannot be read ({type(exc).__name__})"
            ) from None

    def size(self) -> int:
        z = box_zip(self.box)
        if z is not None:
            return z.getinfo(self.box._prefix + self.name).file_size
        return (self.box._root / self.name).stat().st_size


def box_zip(box: ExtractContainer) -> zipfile.ZipFile | None:
    return box._zip


def _sniff_encoding(src: _Source) -> str | None:
    """'utf-8' or 'cp1252' as ``decode`` would choose over the whole file; None for UTF-16
    (left to the in-memory reader)."""
    with src.open() as fh:
        head = fh.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head)
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


class _Lines:
    """Decoded physical lines of a file (newline kept), NUL characters removed and counted."""

    def __init__(self, src: _Source, encoding: str, newline: str) -> None:
        self.src = src
        self.encoding = encoding
        self.newline = newline
        self.nul = 0

    def __iter__(self) -> Iterator[str]:
        table = _cp1252_table() if self.encoding == "cp1252" else None
        codec = "utf-8-sig" if self.encoding == "utf-8" else "latin-1"
        with self.src.open() as fh:
            text = io.TextIOWrapper(fh, encoding=codec, newline=self.newline)
            for line in text:
                if table is not None:
                    line = line.translate(table)
                if "\x00" in line:
                    self.nul += line.count("\x00")
                    line = line.replace("\x00", "")
                yield line


@dataclass(frozen=True)
class _Header:
    """What ``resolve_columns`` reads of a table file."""

    table: str
    columns: list[str]
    header_known: bool
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class StreamTable:
    """A table file opened for streaming: its columns, and rows on demand."""

    table: str
    file_name: str
    fmt: str
    encoding: str | None
    columns: list[str]
    header_known: bool
    has_data: bool
    rows_of: Any  # column_of -> Iterator[RawRow]
    extra_of: Any  # () -> dict (after the rows were read)
    _sheet: Any = None  # a workbook sheet's SheetTable (read whole, as calamine reads it)


def open_stream(
    box: ExtractContainer, table: str, file_name: str, mapping: ColumnMapping
) -> StreamTable:
    fmt = format_of(file_name)
    if fmt == "xlsx":  # calamine reads a sheet whole: the in-memory reader is the stream
        return _from_table_file(open_table(box, table, file_name, mapping))
    src = _Source(box, file_name)
    if fmt == "parquet":
        return _open_parquet(src, table, mapping)
    encoding = _sniff_encoding(src)
    if encoding is None:  # UTF-16: rare enough to read whole
        data = box.read_bytes(file_name)
        tf = (
            open_csv(table, file_name, data) if fmt == "csv" else open_jsonl(table, file_name, data)
        )
        return _from_table_file(tf)
    if fmt == "csv":
        return _open_csv(src, table, encoding)
    return _open_jsonl(src, table, encoding)


def _from_table_file(tf: TableFile) -> StreamTable:
    return StreamTable(
        tf.table, tf.file_name, tf.fmt, tf.encoding, tf.columns, tf.header_known, tf.has_data,
        tf.rows, lambda: dict(tf.extra), tf._sheet,
    )  # fmt: skip


def _nul_extra(lines: _Lines) -> dict[str, Any]:
    return {"nul_characters_removed": lines.nul} if lines.nul else {}


def _open_csv(src: _Source, table: str, encoding: str) -> StreamTable:
    head_lines = _Lines(src, encoding, "")
    head = _StreamCsv(iter(head_lines))
    header = head.header
    del head
    body = _Lines(src, encoding, "")

    def rows(column_of: dict[str, str | None]) -> Iterator[RawRow]:
        parsed = _StreamCsv(iter(body))
        yield from parsed.rows(column_of)

    return StreamTable(
        table, src.name, "csv", encoding, list(header or []), header is not None,
        header is not None, rows, lambda: _nul_extra(body),
    )  # fmt: skip


def _open_jsonl(src: _Source, table: str, encoding: str) -> StreamTable:
    columns: dict[str, None] = {}
    any_obj = False
    any_line = False
    for line in _Lines(src, encoding, "\n"):
        if not line.strip(" \t\r\n"):
            continue
        any_line = True
        obj, _ = jsonl_object(line)
        if obj is not None:
            any_obj = True
            for key in obj:
                columns.setdefault(str(key), None)
    body = _Lines(src, encoding, "\n")

    def rows(column_of: dict[str, str | None]) -> Iterator[RawRow]:
        for line_no, line in enumerate(body, start=1):
            if not line.strip(" \t\r\n"):
                continue
            yield jsonl_row(line_no, *jsonl_object(line), column_of)

    return StreamTable(
        table, src.name, "jsonl", encoding, list(columns), any_obj, any_line, rows,
        lambda: _nul_extra(body),
    )  # fmt: skip


def _open_parquet(src: _Source, table: str, mapping: ColumnMapping) -> StreamTable:
    import pyarrow.parquet as pq

    wanted = {mapping.source_column(table, c) for c in TABLE_SPECS[table].column_names}
    wanted_folded = {w.strip().casefold() for w in wanted}
    fail = ExtractError(f"table '{table}' file {src.name} cannot be read as Parquet")
    try:
        with src.open() as fh:
            names = [str(n) for n in pq.ParquetFile(fh).schema_arrow.names]
    except ExtractError:
        raise
    except Exception:  # third-party errors become ours
        raise fail from None
    picked = list(dict.fromkeys(n for n in names if n.strip().casefold() in wanted_folded))

    def rows(column_of: dict[str, str | None]) -> Iterator[RawRow]:
        n = 0
        try:
            with src.open() as fh:
                for batch in pq.ParquetFile(fh).iter_batches(batch_size=4096, columns=picked):
                    data = {name: [to_cell(v) for v in batch.column(name).to_pylist()]
                            for name in picked}  # fmt: skip
                    picks = {c: (data.get(s) if s is not None else None)
                             for c, s in column_of.items()}  # fmt: skip
                    for i in range(batch.num_rows):
                        n += 1
                        yield RawRow(
                            n, {c: (col[i] if col is not None else None)
                                for c, col in picks.items()},
                        )  # fmt: skip
        except ExtractError:
            raise
        except Exception:
            raise fail from None

    return StreamTable(table, src.name, "parquet", None, names, True, True, rows, dict)


def open_table_stream(
    box: ExtractContainer, table: str, file_name: str, mapping: ColumnMapping
) -> tuple[StreamTable, dict[str, str | None], Iterator[RawRow]]:
    """A table file opened for streaming, its columns resolved (ExtractError for a missing
    required column), and its rows (none for a file without data)."""
    st = open_stream(box, table, file_name, mapping)
    header = _Header(table, st.columns, st.header_known, st.extra_of() if st._sheet else {})
    column_of = resolve_columns(header, mapping)  # type: ignore[arg-type]
    rows = st.rows_of(column_of) if st.has_data else iter(())
    return st, column_of, rows
