"""Extract ingest: read a folder or .zip of contract tables (CSV, Parquet, JSON Lines), map a
council's column names onto the contract, validate every row, and quarantine what fails.

Bad rows never stop a run and never disappear: each is a :class:`QuarantinedRow` with its
table, row number, id and a reason, and for every table rows read = accepted + quarantined.
"""

from notereview.extract._annexa import AnnexA, read_annex_a
from notereview.extract._columns import locate_reason
from notereview.extract._ingest import read_extract
from notereview.extract._mapping import ColumnMapping, TableMapping, load_mapping
from notereview.extract._model import Extract, QuarantinedRow, TableCount
from notereview.extract._partition import (
    TEXT_TABLES,
    AssembledChunk,
    ChunkTask,
    Partitioned,
    TableMap,
    assemble_chunk,
    auto_chunk,
    partition_extract,
    remove_tree,
    table_counts,
)
from notereview.extract._schema import CONTRACT_TABLES, REQUIRED_TABLES

__all__ = [
    "CONTRACT_TABLES",
    "REQUIRED_TABLES",
    "TEXT_TABLES",
    "AnnexA",
    "AssembledChunk",
    "ChunkTask",
    "ColumnMapping",
    "Extract",
    "Partitioned",
    "QuarantinedRow",
    "TableCount",
    "TableMap",
    "TableMapping",
    "assemble_chunk",
    "auto_chunk",
    "load_mapping",
    "locate_reason",
    "partition_extract",
    "read_annex_a",
    "read_extract",
    "remove_tree",
    "table_counts",
]
