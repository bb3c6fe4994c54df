"""Readers: find each table's file (or workbook sheet) in a folder or .zip, decode it, and yield
its rows as strings.

Every cell comes out as ``str`` or ``None``; nothing is type-guessed here. A row that cannot be
read as a row (wrong number of CSV fields, an unbalanced quote, a JSON Lines line that is not an
object) still comes out, with a ``problem``, so that it can be quarantined and counted.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from notereview.errors import ExtractError
from notereview.extract._raw import (
    _SUFFIXES,
    SHEET_MARK,
    RawRow,
    format_of,
    format_of_file,
    split_location,
)
from notereview.extract._read_text import (
    _CSV_FIELD_LIMIT,
    _MALFORMED,
    _cp1252_table,
    _CsvTable,
    _is_blank,
    _LineSource,
    _parse_lenient,
    decode,
    to_cell,
)
from notereview.extract._read_xlsx import (
    SheetTable,
    column_letter,
    excel_serial_date,
    find_header_row,
    read_sheet,
    workbook_sheets,
)
from notereview.extract._table_file import (
    TableFile,
    open_csv,
    open_jsonl,
    open_parquet,
    open_xlsx,
)

#: Files that are never tables: hidden files, and the lock files Excel leaves beside an open
#: workbook ("~$visits.xlsx", a few bytes that are not a workbook).
_SKIPPED_PREFIXES = (".", "~$")


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


# What the ingest and the batch reader take from here; the private names are for
# _batch_ingest, until it reads through one public path (issue 18).
__all__ = [
    "SHEET_MARK",
    "_CSV_FIELD_LIMIT",
    "_MALFORMED",
    "ExtractContainer",
    "RawRow",
    "SheetTable",
    "TableFile",
    "_CsvTable",
    "_LineSource",
    "_cp1252_table",
    "_is_blank",
    "_parse_lenient",
    "column_letter",
    "decode",
    "excel_serial_date",
    "find_header_row",
    "format_of",
    "open_csv",
    "open_jsonl",
    "open_parquet",
    "open_xlsx",
    "read_sheet",
    "split_location",
    "to_cell",
    "workbook_sheets",
]
