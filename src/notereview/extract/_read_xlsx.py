"""Reading a workbook's sheets as tables: finding the header row under a title block, Excel's
serial dates and column letters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from notereview.errors import ExtractError
from notereview.extract._raw import RawRow, split_location
from notereview.extract._read_text import to_cell

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
