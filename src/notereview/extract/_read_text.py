"""Parsing the text formats of a table: CSV (in any of the encodings councils export, malformed
lines kept as rows with a problem) and JSON Lines."""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from notereview.extract._raw import RawRow

_CSV_FIELD_LIMIT = 2**31 - 1


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
    return [
        (line_no, *jsonl_object(line))
        for line_no, line in enumerate(io.StringIO(text, newline="\n"), start=1)
        if line.strip(" \t\r\n")
    ]


def jsonl_object(line: str) -> tuple[dict[str, Any] | None, str | None]:
    """One JSON Lines line: the object, or None and why it is not one."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None, "line is not valid JSON"
    if not isinstance(obj, dict):
        return None, "line is not a JSON object"
    return obj, None


def _jsonl_rows(
    parsed: list[tuple[int, dict[str, Any] | None, str | None]], column_of: dict[str, str | None]
) -> Iterator[RawRow]:
    for line_no, obj, problem in parsed:
        yield jsonl_row(line_no, obj, problem, column_of)


def jsonl_row(
    line_no: int, obj: dict[str, Any] | None, problem: str | None, column_of: dict[str, str | None]
) -> RawRow:
    """One JSON Lines object as a row of the contract's columns (``column_of``: column -> the
    object's key, or None where the object has none); a line that is no object keeps its
    problem."""
    if obj is None:
        return RawRow(line_no, {}, problem)
    cells = {c: (to_cell(obj.get(s)) if s is not None else None) for c, s in column_of.items()}
    return RawRow(line_no, cells)
