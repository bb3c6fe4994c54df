"""The column-mapping file: how a council's export is mapped onto the contract's shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from notereview.casefile import LEGAL_STATUSES, PLAN_TYPES
from notereview.errors import ConfigError
from notereview.extract._schema import CONTRACT_TABLES, TABLE_SPECS, Kind

_BOOL_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "1", "0"})
_ALL_COLUMNS = frozenset(c for spec in TABLE_SPECS.values() for c in spec.column_names)


class TableMapping(BaseModel):
    """Where one contract table lives in the export and what its columns are called there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str | None = Field(
        default=None, description="file stem in the export; default: the contract table name"
    )
    sheet: str | None = Field(
        default=None,
        description="the worksheet holding the table when it is in an .xlsx workbook; "
        "default: the sheet named like the file stem or the table, else the first sheet",
    )
    columns: dict[str, str] = Field(
        default_factory=dict, description="contract column -> the export's column name"
    )

    @field_validator("file")
    @classmethod
    def _file_is_a_stem(cls, value: str | None) -> str | None:
        if value is not None:
            value = value.strip()
            if not value or "/" in value or "\\" in value:
                raise ValueError("file must be a file name without folders, e.g. ContactRecords")
        return value

    @field_validator("columns")
    @classmethod
    def _names_not_empty(cls, value: dict[str, str]) -> dict[str, str]:
        for key, name in value.items():
            if not name.strip():
                raise ValueError(f"column name for {key!r} is empty")
        return {k: v.strip() for k, v in value.items()}


class ColumnMapping(BaseModel):
    """A council's mapping file (YAML), validated. Extra keys are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    dayfirst: bool = Field(
        default=False, description="dates are UK day-first (04/03/2026) as well as ISO"
    )
    tables: dict[str, TableMapping] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="contract column -> {export value: contract value}; "
        "matched case-insensitively after trimming",
    )

    @field_validator("values", mode="before")
    @classmethod
    def _yaml_scalars_as_text(cls, value: Any) -> Any:
        """YAML reads unquoted yes/no/on/off as booleans and 1/0 as numbers: take targets back
        to text; ask for quotes around an export value that YAML turned into a boolean."""
        if not isinstance(value, dict):
            return value
        out: dict[Any, Any] = {}
        for column, codes in value.items():
            if not isinstance(codes, dict):
                out[column] = codes
                continue
            fixed: dict[str, Any] = {}
            for raw, target in codes.items():
                if isinstance(raw, bool) or raw is None:
                    raise ValueError(
                        f"values.{column}: put the export's value {raw!r} in quotes "
                        "(YAML reads unquoted yes/no/on/off/null as booleans or null)"
                    )
                if isinstance(target, bool):
                    target = "true" if target else "false"
                elif isinstance(target, int | float):
                    target = str(target)
                fixed[str(raw)] = target
            out[column] = fixed
        return out

    @model_validator(mode="after")
    def _known_names(self) -> ColumnMapping:
        for table, tm in self.tables.items():
            if table not in TABLE_SPECS:
                raise ValueError(
                    f"tables.{table}: unknown table; the contract tables are "
                    + ", ".join(CONTRACT_TABLES)
                )
            known = TABLE_SPECS[table].column_names
            for column in tm.columns:
                if column not in known:
                    raise ValueError(
                        f"tables.{table}.columns.{column}: unknown column; "
                        f"the contract columns of {table} are " + ", ".join(known)
                    )
        for column, table_of_values in self.values.items():
            if column not in _ALL_COLUMNS:
                raise ValueError(f"values.{column}: not a contract column")
            allowed = _allowed_targets(column)
            for raw, target in table_of_values.items():
                if allowed is not None and target.strip().lower() not in allowed:
                    raise ValueError(
                        f"values.{column}.{raw}: {target!r} is not a value the contract accepts "
                        f"for {column}"
                    )
        return self

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name) or TableMapping()

    def file_stem(self, table: str) -> str:
        return self.table(table).file or table

    def sheet_name(self, table: str) -> str | None:
        """The worksheet named for ``table`` in the mapping, if any."""
        return self.table(table).sheet

    def source_column(self, table: str, column: str) -> str:
        """The export's name for a contract column (the contract name when not mapped)."""
        return self.table(table).columns.get(column, column)

    def value_maps(self) -> dict[str, dict[str, str]]:
        """``values`` with keys folded for matching: trimmed and lower-cased."""
        return {
            column: {raw.strip().casefold(): target.strip() for raw, target in vals.items()}
            for column, vals in self.values.items()
        }


def _allowed_targets(column: str) -> frozenset[str] | None:
    if column == "legal_status":
        return frozenset(s.lower() for s in LEGAL_STATUSES)
    if column == "plan_type":
        return frozenset(s.lower() for s in PLAN_TYPES)
    kinds = {
        spec.column(column).kind for spec in TABLE_SPECS.values() if column in spec.column_names
    }
    if Kind.BOOL in kinds:
        return _BOOL_WORDS
    return None


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read and validate a column-mapping YAML file. Raises ConfigError when it is missing,
    is not YAML, or does not validate (unknown keys, tables or columns included)."""
    p = Path(path)
    try:
        raw_text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"mapping file {p} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"mapping file {p} cannot be read ({type(exc).__name__})") from None
    try:
        data = yaml.safe_load(raw_text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        raise ConfigError(f"mapping file {p} is not valid YAML{at}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"mapping file {p} must hold a mapping (version, dayfirst, tables, values)"
        )
    try:
        return ColumnMapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"mapping file {p} does not validate: {problems}") from None
