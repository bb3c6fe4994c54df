"""Readers: find each table's file in a folder or .zip, decode it, and yield its rows as strings.

Every cell comes out as ``str`` or ``None``; nothing is type-guessed here. A row that cannot be
read as a row (wrong number of CSV fields, an unbalanced quote, a JSON Lines line that is not an
object) still comes out, with a ``problem``, so that it can be quarantined and counted.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from notereview.errors import ExtractError

_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl"}
_CSV_FIELD_LIMIT = 2**31 - 1


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row of a table file: contract column -> cell text (None: absent or null)."""

    row_number: int
    values: dict[str, str | None]
    problem: str | None = None


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

    @property
    def has_data(self) -> bool:
        """False for a file with no header and no rows (an empty export of a table)."""
        if self._csv is not None:
            return self._csv.header is not None
        if self._jsonl is not None:
            return bool(self._jsonl)
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
        elif self._parquet is not None:
            n_rows, data = self._parquet
            picks = {c: (data.get(s) if s is not None else None) for c, s in column_of.items()}
            for i in range(n_rows):
                yield RawRow(
                    i + 1, {c: (col[i] if col is not None else None) for c, col in picks.items()}
                )


# ------------------------------------------------------------------ finding the files


class ExtractContainer:
    """A folder or a zip archive of table files; file names at its top level (after stepping
    into a single enclosing folder)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        self._root = self.path
        self._names: list[str] = []

    def __enter__(self) -> ExtractContainer:
        p = self.path
        if p.is_dir():
            self._root = _step_into_single_folder(p)
            self._names = sorted(
                c.name for c in self._root.iterdir() if c.is_file() and not c.name.startswith(".")
            )
        elif p.is_file():
            try:
                self._zip = zipfile.ZipFile(p)
            except (zipfile.BadZipFile, OSError):
                raise ExtractError(
                    f"extract {p} is neither a folder nor a readable .zip archive"
                ) from None
            self._prefix, self._names = _zip_top_level(self._zip)
        else:
            raise ExtractError(f"extract {p} does not exist (expected a folder or a .zip)")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._zip is not None:
            self._zip.close()

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def read_bytes(self, name: str) -> bytes:
        try:
            if self._zip is not None:
                return self._zip.read(self._prefix + name)
            return (self._root / name).read_bytes()
        except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as exc:
            raise ExtractError(
                f"file {name} in extract {self.path} cannot be read ({type(exc).__name__})"
            ) from None

    def open_binary(self, name: str) -> Any:
        """A seekable binary stream (Parquet needs one)."""
        if self._zip is None:
            return str(self._root / name)
        return io.BytesIO(self.read_bytes(name))

    def find_table(self, table: str, stem: str) -> str | None:
        """The one file holding ``table`` (named ``stem`` plus a known suffix, any case)."""
        hits = [
            n
            for n in self._names
            if PurePosixPath(n).suffix.lower() in _SUFFIXES
            and PurePosixPath(n).stem.casefold() == stem.casefold()
        ]
        if len(hits) > 1:
            raise ExtractError(
                f"table '{table}' has more than one file in extract {self.path} "
                f"({', '.join(hits)}); keep one of them"
            )
        return hits[0] if hits else None


def _step_into_single_folder(p: Path) -> Path:
    entries = [c for c in p.iterdir() if not c.name.startswith(".") and c.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return p


def _zip_top_level(zf: zipfile.ZipFile) -> tuple[str, list[str]]:
    names = [
        info.filename
        for info in zf.infolist()
        if not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and not PurePosixPath(info.filename).name.startswith(".")
    ]
    prefix = ""
    firsts = {n.split("/", 1)[0] for n in names}
    if names and len(firsts) == 1 and all("/" in n for n in names):
        prefix = next(iter(firsts)) + "/"
    top = sorted(n[len(prefix) :] for n in names if "/" not in n[len(prefix) :])
    return prefix, top


def format_of(file_name: str) -> str:
    return _SUFFIXES[PurePosixPath(file_name).suffix.lower()]


# ------------------------------------------------------------------ decoding


@cache
def _cp1252_table() -> dict[int, str]:
    """latin-1 code point -> cp1252 character, for the bytes 0x80-0x9F where they differ
    (the five bytes cp1252 leaves undefined keep their latin-1 meaning)."""
    table: dict[int, str] = {}
    for b in range(0x80, 0xA0):
        try:
            table[b] = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return table


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252
    (latin-1 for the bytes cp1252 does not define)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1").translate(_cp1252_table()), "cp1252"


def _decode_text(data: bytes) -> tuple[str, str, dict[str, Any]]:
    """Decoded text without NUL characters (which no export means), and what was done."""
    text, encoding = decode(data)
    extra: dict[str, Any] = {}
    if "\x00" in text:
        extra["nul_characters_removed"] = text.count("\x00")
        text = text.replace("\x00", "")
    return text, encoding, extra


# ------------------------------------------------------------------ CSV


class _LineSource:
    """Physical lines of a text, with push-back, remembering the lines of the current record."""

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self._pushed: list[str] = []
        self.consumed: list[str] = []

    def __iter__(self) -> _LineSource:
        return self

    def __next__(self) -> str:
        line = self._pushed.pop() if self._pushed else next(self._lines)
        self.consumed.append(line)
        return line

    def push_back(self, lines: Sequence[str]) -> None:
        self._pushed.extend(reversed(lines))


def _is_blank(record: list[str]) -> bool:
    return not record or (len(record) == 1 and not record[0].strip())


def _parse_lenient(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return []


_MALFORMED = "malformed CSV row (unbalanced or misplaced quote)"


class _CsvTable:
    """CSV parsed with the csv module over decoded text, so that one bad row is one row.

    Quoting is parsed strictly. Where strict parsing fails, the lines it took are parsed
    leniently; if that gives one row of the header's width, it is a row like any other.
    Otherwise the first of those lines is one malformed row and reading resumes on the next
    line, so a stray quote cannot swallow the rest of the file.
    """

    def __init__(self, text: str) -> None:
        if csv.field_size_limit() < _CSV_FIELD_LIMIT:
            csv.field_size_limit(_CSV_FIELD_LIMIT)  # a 1 MB note is a field too
        self._src = _LineSource(text)
        self._reader = csv.reader(self._src, strict=True)
        self.header: list[str] | None = None
        for record, _problem in self._records(None):
            if record is None or _is_blank(record):
                continue
            self.header = [h.strip().lstrip("\ufeff") for h in record]
            break

    def _records(self, width: int | None) -> Iterator[tuple[list[str] | None, str | None]]:
        while True:
            self._src.consumed = []
            try:
                record = next(self._reader)
            except StopIteration:
                return
            except csv.Error:
                lines = list(self._src.consumed)
                self._reader = csv.reader(self._src, strict=True)
                lenient = _parse_lenient("".join(lines))
                if len(lenient) == 1 and (width is None or len(lenient[0]) == width):
                    yield lenient[0], None
                    continue
                if len(lines) > 1:
                    self._src.push_back(lines[1:])
                first = _parse_lenient(lines[0]) if lines else []
                yield (first[0] if first else []), _MALFORMED
                continue
            yield record, None

    def rows(self, column_of: dict[str, str | None]) -> Iterator[RawRow]:
        assert self.header is not None
        width = len(self.header)
        index: dict[str, int] = {}
        for i, name in enumerate(self.header):
            index.setdefault(name, i)
        picks = [(c, index[s] if s is not None else None) for c, s in column_of.items()]
        row_number = 0
        for record, problem in self._records(width):
            row_number += 1  # blank lines are numbered (as a spreadsheet shows them), not read
            if record is None:
                yield RawRow(row_number, {}, problem)
                continue
            if problem is None and _is_blank(record):
                continue
            if problem is None and len(record) != width:
                problem = f"row has {len(record)} fields but the header has {width}"
            values = {
                c: (record[i] if i is not None and i < len(record) else None) for c, i in picks
            }
            yield RawRow(row_number, values, problem)


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


# ------------------------------------------------------------------ JSON Lines


def to_cell(value: Any) -> str | None:
    """A JSON or Parquet value as cell text (None for null / NaN)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _parse_jsonl(text: str) -> list[tuple[int, dict[str, Any] | None, str | None]]:
    parsed: list[tuple[int, dict[str, Any] | None, str | None]] = []
    for line_no, line in enumerate(io.StringIO(text, newline="\n"), start=1):
        if not line.strip(" \t\r\n"):
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):
            parsed.append((line_no, None, "line is not valid JSON"))
            continue
        if not isinstance(obj, dict):
            parsed.append((line_no, None, "line is not a JSON object"))
            continue
        parsed.append((line_no, obj, None))
    return parsed


def _jsonl_rows(
    parsed: list[tuple[int, dict[str, Any] | None, str | None]], column_of: dict[str, str | None]
) -> Iterator[RawRow]:
    for line_no, obj, problem in parsed:
        if obj is None:
            yield RawRow(line_no, {}, problem)
            continue
        yield RawRow(
            line_no,
            {c: (to_cell(obj.get(s)) if s is not None else None) for c, s in column_of.items()},
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


# ------------------------------------------------------------------ Parquet


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
