"""Readers: find each table's file (or workbook sheet) in a folder or .zip, decode it, and yield
its rows as strings.

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

_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".xlsx": "xlsx"}
#: Between a workbook's file name and a sheet's name in a table's location ("book.xlsx#Visits").
SHEET_MARK = "#"
#: Files that are never tables: hidden files, and the lock files Excel leaves beside an open
#: workbook ("~$visits.xlsx", a few bytes that are not a workbook).
_SKIPPED_PREFIXES = (".", "~$")
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
        self._sheets: dict[str, list[str]] = {}

    def __enter__(self) -> ExtractContainer:
        p = self.path
        if p.is_file() and p.suffix.lower() == ".xlsx":  # one workbook holding the tables
            self._root = p.parent
            self._names = [p.name]
        elif p.is_dir():
            self._root = _step_into_single_folder(p)
            self._names = sorted(
                c.name
                for c in self._root.iterdir()
                if c.is_file() and not c.name.startswith(_SKIPPED_PREFIXES)
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

    def sheet_names(self, name: str) -> list[str]:
        """The worksheets of workbook ``name`` (read once)."""
        if name not in self._sheets:
            self._sheets[name] = workbook_sheets(name, self.open_binary(name))
        return self._sheets[name]

    def find_table(self, table: str, stem: str, sheet: str | None = None) -> str | None:
        """Where ``table`` is: the one file named ``stem`` plus a known suffix (any case), or
        failing that the one workbook sheet named ``sheet`` (default: ``stem``). A workbook's
        location is ``book.xlsx#Sheet``: in a workbook named ``stem``, the sheet named
        ``sheet``, ``stem`` or ``table``, else its first sheet."""
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
        if hits:
            if format_of(hits[0]) != "xlsx":
                return hits[0]
            return self._sheet_in(table, hits[0], sheet, (stem, table))
        wanted = (sheet or stem).casefold()
        found = [
            f"{n}{SHEET_MARK}{s}"
            for n in self._names
            if format_of_file(n) == "xlsx"
            for s in self.sheet_names(n)
            if s.strip().casefold() == wanted
        ]
        if len(found) > 1:
            raise ExtractError(
                f"table '{table}' is a sheet of more than one workbook in extract {self.path} "
                f"({', '.join(found)}); set tables.{table}.file in the mapping file"
            )
        return found[0] if found else None

    def _sheet_in(self, table: str, book: str, sheet: str | None, defaults: tuple[str, ...]) -> str:
        names = self.sheet_names(book)
        if not names:
            raise ExtractError(f"workbook {book} in extract {self.path} has no worksheets")
        folded = {n.strip().casefold(): n for n in names}
        if sheet is not None:
            if sheet.strip().casefold() not in folded:
                raise ExtractError(
                    f"workbook {book} has no sheet '{sheet}' for table '{table}' (sheets: "
                    f"{', '.join(names)}); correct tables.{table}.sheet in the mapping file"
                )
            return f"{book}{SHEET_MARK}{folded[sheet.strip().casefold()]}"
        for name in defaults:
            if name.casefold() in folded:
                return f"{book}{SHEET_MARK}{folded[name.casefold()]}"
        return f"{book}{SHEET_MARK}{names[0]}"


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
        and not PurePosixPath(info.filename).name.startswith(_SKIPPED_PREFIXES)
    ]
    prefix = ""
    firsts = {n.split("/", 1)[0] for n in names}
    if names and len(firsts) == 1 and all("/" in n for n in names):
        prefix = next(iter(firsts)) + "/"
    top = sorted(n[len(prefix) :] for n in names if "/" not in n[len(prefix) :])
    return prefix, top


def split_location(location: str) -> tuple[str, str | None]:
    """A table's location as (file name, sheet name or None)."""
    head, mark, sheet = location.partition(".xlsx" + SHEET_MARK)
    if not mark:
        head, mark, sheet = location.partition(".XLSX" + SHEET_MARK)
        if not mark:
            return location, None
        return head + ".XLSX", sheet
    return head + ".xlsx", sheet


def format_of_file(file_name: str) -> str | None:
    return _SUFFIXES.get(PurePosixPath(file_name).suffix.lower())


def format_of(location: str) -> str:
    return _SUFFIXES[PurePosixPath(split_location(location)[0]).suffix.lower()]


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


# ------------------------------------------------------------------ Excel workbooks

#: Rows at the top of a sheet searched for its header row (title rows, merged or not, above it).
_HEADER_SEARCH_ROWS = 30
#: Excel's 1900 date system: serial 1 is 1900-01-01, and serial 60 is the 29 February 1900 that
#: never was; from serial 61 on, the day is this epoch plus the serial.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31


def workbook_sheets(name: str, source: Any) -> list[str]:
    """The worksheets' names of an .xlsx workbook (chart sheets left out)."""
    return [s.name for s in _sheets_meta(name, source)]


def _load_workbook(name: str, source: Any) -> Any:
    import python_calamine

    try:
        if isinstance(source, str):
            return python_calamine.CalamineWorkbook.from_path(source)
        return python_calamine.CalamineWorkbook.from_filelike(source)
    except Exception as exc:  # third-party errors become ours
        raise ExtractError(
            f"workbook {name} cannot be read as an Excel .xlsx workbook ({type(exc).__name__}); "
            "save it again from Excel as .xlsx"
        ) from None


def _sheets_meta(name: str, source: Any) -> list[Any]:
    book = _load_workbook(name, source)
    try:
        return _sheets_meta_of(book)
    finally:
        book.close()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: a column as Excel names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def excel_serial_date(value: float) -> date | None:
    """A day from an Excel serial number (1900 date system); None when it cannot be one."""
    if not 1 <= value <= _EXCEL_MAX_SERIAL or value != value:
        return None
    whole = int(value)
    if whole < 61:  # before Excel's phantom 29 February 1900
        whole += 1
    return date.fromordinal(_EXCEL_EPOCH.toordinal() + whole)


def _header_text(value: Any) -> str:
    text = to_cell(value) or ""
    return " ".join(text.split())


def _blank(row: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def find_header_row(
    grid: Sequence[Sequence[Any]], wanted: set[str], match: Any = None
) -> int | None:
    """The index of a sheet's header row among its first rows: the one naming most of the
    ``wanted`` columns (folded names; or ``match(name) -> bool``); failing that, the first row
    with two or more filled cells (a title row, merged or not, has one); failing that, the
    first non-blank row. None for an empty sheet."""
    folded = {w.strip().casefold() for w in wanted}
    best: tuple[int, int] | None = None
    first_wide: int | None = None
    first_any: int | None = None
    for i, row in enumerate(grid[:_HEADER_SEARCH_ROWS]):
        if _blank(row):
            continue
        if first_any is None:
            first_any = i
        names = [_header_text(v) for v in row]
        filled = sum(1 for n in names if n)
        if first_wide is None and filled >= 2:
            first_wide = i
        hits = sum(
            1 for n in names if n and (n.casefold() in folded or (match is not None and match(n)))
        )
        if hits and (best is None or hits > best[1]):
            best = (i, hits)
    if best is not None:
        return best[0]
    return first_wide if first_wide is not None else first_any


class SheetTable:
    """One worksheet read whole (calamine reads a sheet at once): cached formula values, merged
    title rows above the header skipped, blank rows (trailing ones too) neither read nor
    counted. Rows are numbered as the sheet shows them. In a date column, a number is an Excel
    serial date and a date cell is its day; elsewhere a whole number loses its ``.0``."""

    def __init__(
        self,
        book: str,
        sheet: str,
        grid: list[list[Any]],
        merged: list[tuple[tuple[int, int], tuple[int, int]]],
        wanted: set[str],
        date_columns: frozenset[str],
        match: Any = None,
    ) -> None:
        self.book = book
        self.sheet = sheet
        self._grid = grid
        self._date_columns = date_columns
        self.header_row = find_header_row(grid, wanted, match)
        self.header: list[str] = []
        if self.header_row is not None:
            self.header = [_header_text(v) for v in grid[self.header_row]]
            for (r0, c0), (r1, c1) in merged:  # a header cell inside a merge takes its text
                if r0 <= self.header_row <= r1:
                    for c in range(c0, min(c1 + 1, len(self.header))):
                        if not self.header[c] and r0 < len(grid) and c0 < len(grid[r0]):
                            self.header[c] = _header_text(grid[r0][c0])

    def where(self, row_number: int) -> str:
        """Where a row is, for a message: 'workbook W, sheet 'S', row N'."""
        return f"workbook {self.book}, sheet '{self.sheet}', row {row_number}"

    def column_index(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for i, name in enumerate(self.header):
            if name:
                index.setdefault(name, i)
        return index

    def cell_text(self, column: str, value: Any) -> str | None:
        if column in self._date_columns:
            if isinstance(value, bool):
                return to_cell(value)
            if isinstance(value, int | float):
                day = excel_serial_date(float(value))
                return day.isoformat() if day is not None else to_cell(value)
            if isinstance(value, datetime):
                return value.date().isoformat()
        if isinstance(value, str) and not value.strip():
            return None
        return to_cell(value)

    def rows(self, column_of: dict[str, str | None]) -> Iterator[RawRow]:
        if self.header_row is None:
            return
        index = self.column_index()
        picks = [(c, index.get(s) if s is not None else None) for c, s in column_of.items()]
        for i in range(self.header_row + 1, len(self._grid)):
            row = self._grid[i]
            if _blank(row):
                continue
            values = {
                c: (self.cell_text(c, row[j]) if j is not None and j < len(row) else None)
                for c, j in picks
            }
            yield RawRow(i + 1, values)


def read_sheet(
    location: str,
    source: Any,
    wanted: set[str],
    date_columns: frozenset[str],
    match: Any = None,
) -> SheetTable:
    """One worksheet of a workbook (``location``: ``book.xlsx#Sheet``) as a SheetTable."""
    book_name, sheet = split_location(location)
    book = _load_workbook(book_name, source)
    try:
        names = [s.name for s in _sheets_meta_of(book)]
        name = sheet if sheet is not None else (names[0] if names else None)
        if name is None or name not in names:
            raise ExtractError(
                f"workbook {book_name} has no sheet '{sheet}' (sheets: {', '.join(names)})"
            )
        ws = book.get_sheet_by_name(name)
        grid = ws.to_python(skip_empty_area=False)
        merged = list(ws.merged_cell_ranges or [])
    except ExtractError:
        raise
    except Exception as exc:
        raise ExtractError(
            f"workbook {book_name}, sheet '{sheet}' cannot be read ({type(exc).__name__})"
        ) from None
    finally:
        book.close()
    return SheetTable(book_name, name, grid, merged, wanted, date_columns, match)


def _sheets_meta_of(book: Any) -> list[Any]:
    import python_calamine

    return [s for s in book.sheets_metadata if s.typ == python_calamine.SheetTypeEnum.WorkSheet]


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
