"""The output tables are declared once (notereview.batch.tables): the files, their Arrow
schemas, the store's columns and its SQL tables all come from that declaration, and the SQL
side is exactly what the (unchanged) migrations create."""

from __future__ import annotations

import sqlalchemy as sa

from notereview.batch import tables
from notereview.batch.tables import OUTPUT_TABLES, arrow_schema
from notereview.store import connect, upgrade
from notereview.store._runs import RUN_COLUMNS
from notereview.store.models import Base

SQL_KINDS = {
    "text": (sa.String, sa.Text),
    "json": (sa.JSON,),
    "number": (sa.Float,),
    "count": (sa.Integer,),
    "flag": (sa.Boolean,),
    "date": (sa.Date,),
}


def _migrated() -> sa.Inspector:
    engine = connect("sqlite://")
    upgrade(engine)
    return sa.inspect(engine)


def test_the_declaration_is_the_migrated_schema() -> None:
    inspector = _migrated()
    for spec in OUTPUT_TABLES.values():
        got = {c["name"]: c for c in inspector.get_columns(spec.sql_table)}
        lead = ["id", "run_id"] if spec.numbered else ["run_id"]
        assert list(got) == lead + [c.stored_as for c in spec.stored_columns], spec.name
        for column in spec.columns:
            migrated = got[column.stored_as]
            where = f"{spec.sql_table}.{column.stored_as}"
            assert isinstance(migrated["type"], SQL_KINDS[column.kind]), where
            if column.kind == "text":
                assert getattr(migrated["type"], "length", None) == column.length, where
            assert migrated["nullable"] == (column.nullable and not column.key), where
        key = inspector.get_pk_constraint(spec.sql_table)["constrained_columns"]
        declared = [c.stored_as for c in spec.columns if c.key]
        assert key == (["id"] if spec.numbered else ["run_id", *declared]), spec.sql_table
        indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes(spec.sql_table)}
        wanted = {name: list(cols) for name, cols in spec.indexes}
        wanted |= {f"ix_{spec.sql_table}_{c.stored_as}": [c.stored_as]
                   for c in spec.columns if c.index}  # fmt: skip
        if spec.run_index:
            wanted[f"ix_{spec.sql_table}_run_id"] = ["run_id"]
        assert indexes == wanted, spec.sql_table
        (fk,) = inspector.get_foreign_keys(spec.sql_table)
        assert (fk["constrained_columns"], fk["referred_table"]) == (["run_id"], "runs")
        assert fk["options"].get("ondelete") == "CASCADE"


def test_the_store_models_are_derived_from_the_declaration() -> None:
    for spec in OUTPUT_TABLES.values():
        table = Base.metadata.tables[spec.sql_table]
        names = [c.name for c in table.columns]
        assert names[-len(spec.columns) :] == [c.stored_as for c in spec.stored_columns]
        assert RUN_COLUMNS[spec.name] == tuple(spec.column_names)


def test_every_derived_shape_has_the_declared_columns() -> None:
    from notereview.equality import MONITORING_COLUMNS
    from notereview.reconciliation import RECONCILIATION_COLUMNS

    for name, spec in OUTPUT_TABLES.items():
        assert arrow_schema(name).names == spec.column_names
    assert list(MONITORING_COLUMNS) == tables.MONITORING_COLUMNS
    assert list(RECONCILIATION_COLUMNS) == tables.RECONCILIATION_COLUMNS
    assert tables.FILE_TABLES == (
        "cases", "criteria", "visits", "plan_actions", "quarantine", "reconciliation",
        "monitoring",
    )  # fmt: skip
    assert not OUTPUT_TABLES["records"].file  # the records' texts go to the store only
