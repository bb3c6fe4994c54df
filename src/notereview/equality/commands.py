"""``notereview equality``: equality monitoring of a run, as Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from notereview.errors import NotereviewError


def equality_command(
    run: Annotated[Path, typer.Argument(help="A run's folder (what `notereview score` wrote).")],
    audits: Annotated[
        Path | None,
        typer.Option(
            help="Auditors' grades: a CSV or Parquet of child_id, overall, or a generated "
            "extract's answer_key.json."
        ),
    ] = None,
    min_cell: Annotated[
        int, typer.Option(min=1, help="Suppress groups (and audited counts) below this.")
    ] = 10,
    theme: Annotated[
        str | None,
        typer.Option(help="Disagreement on this theme's grade (e.g. voice), not the overall."),
    ] = None,
    criterion: Annotated[
        str | None,
        typer.Option(help="Disagreement on this criterion's status (e.g. C1), not the overall."),
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Also write the Markdown here.")] = None,
    as_json: Annotated[Path | None, typer.Option("--json", help="Also write JSON here.")] = None,
) -> None:
    """Equality monitoring of the reviewer: per group of ethnicity, disability, gender, age
    band, legal status and communication need, the mean case score, the share in the queue's
    top decile and, where audited, the rubric's disagreement with auditors, with 95%
    intervals, small cells suppressed and differences flagged (questions, not findings)."""
    from notereview.equality import (
        equality_report,
        load_audits,
        markdown,
        read_run_statuses,
        read_run_tables,
    )
    from notereview.vocabulary import CRITERIA, THEMES

    if theme is not None and theme not in THEMES:
        raise NotereviewError(f"unknown --theme {theme!r}; use one of {', '.join(THEMES)}")
    if criterion is not None and criterion not in CRITERIA:
        raise NotereviewError(
            f"unknown --criterion {criterion!r}; use one of {', '.join(CRITERIA)}"
        )
    if theme is not None and criterion is not None:
        raise NotereviewError("give --theme or --criterion, not both")
    cases, monitoring = read_run_tables(str(run))
    result = equality_report(
        cases, monitoring,
        load_audits(str(audits), theme, criterion) if audits else None,
        min_cell, theme, criterion,
        read_run_statuses(str(run), criterion) if criterion else None,
    )  # fmt: skip
    text = markdown(result)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(text, encoding="utf-8")
    if as_json is not None:
        as_json.parent.mkdir(parents=True, exist_ok=True)
        as_json.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
    typer.echo(text)
