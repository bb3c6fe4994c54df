"""Extract ingest: read a folder or .zip of contract tables (CSV, Parquet, JSON Lines), map a
council's column names onto the contract, validate every row, and quarantine what fails.

Bad rows never stop a run and never disappear: each is a :class:`QuarantinedRow` with its
table, row number, id and a reason, and for every table rows read = accepted + quarantined.
"""

from notereview.extract._ingest import read_extract
from notereview.extract._mapping import ColumnMapping, TableMapping, load_mapping
from notereview.extract._model import Extract, QuarantinedRow, TableCount
from notereview.extract._schema import CONTRACT_TABLES, REQUIRED_TABLES

__all__ = [
    "CONTRACT_TABLES",
    "REQUIRED_TABLES",
    "ColumnMapping",
    "Extract",
    "QuarantinedRow",
    "TableCount",
    "TableMapping",
    "load_mapping",
    "read_extract",
]
