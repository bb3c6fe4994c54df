"""CSV cells a spreadsheet would run as a formula, neutralised (CSV injection).

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``).
Every text the product writes to a CSV comes, in the end, from a council's extract, which an
attacker may have typed into, so each such text cell is written with a leading apostrophe,
as OWASP recommends: the spreadsheet shows the text and runs nothing. A text that itself
begins with an apostrophe gets one more, so ``read_output_csv`` gives back exactly what was
written. Numbers stay numbers (a negative number is a number, not text); Parquet files keep the
values as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pandas as pd

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED: tuple[str, ...] = (*FORMULA_STARTS, "'")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run as a formula prefixed with
    an apostrophe (a copy where any cell changes; ``frame`` itself where none does)."""
    return _map_text_cells(frame, _formula_like, lambda v: "'" + v)


def restore_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """The values ``neutralise_formulas`` was given: one leading apostrophe removed where it
    escapes a formula start or another apostrophe."""
    return _map_text_cells(frame, _escaped, lambda v: v[1:])


def write_output_csv(
    frame: pd.DataFrame, target: str | Path | IO[str], *, header: bool = True
) -> None:
    """``frame`` as CSV into ``target`` (a path, or a text file opened with ``newline=""``),
    as every output CSV is written: formulas neutralised, CR LF line ends, no index."""
    neutralise_formulas(frame).to_csv(target, index=False, header=header, lineterminator="\r\n")


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_ESCAPED)


def _escaped(value: object) -> bool:
    return isinstance(value, str) and value.startswith("'") and value[1:].startswith(_ESCAPED)


def _map_text_cells(
    frame: pd.DataFrame, test: Callable[[object], bool], change: Callable[[str], str]
) -> pd.DataFrame:
    """``frame`` with ``change`` applied to the text cells ``test`` picks (a copy where any
    cell changes; ``frame`` itself where none does)."""
    out = frame
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object and not isinstance(values.dtype, pd.StringDtype):
            continue
        if values.map(test).any():
            if out is frame:
                out = frame.copy()
            cells = [change(v) if test(v) else v for v in values]
            out[column] = pd.Series(cells, index=values.index, dtype=object)
    return out


def read_output_csv(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """A CSV the product wrote (``pandas.read_csv`` with ``kwargs``), its cells as written."""
    return restore_formulas(pd.read_csv(path, **kwargs))
