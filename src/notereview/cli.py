"""The notereview command line.

    notereview synth --children 400 --seed 7 --out demo/extract
    notereview score demo/extract --out demo/out --report demo/report.md
    notereview check --kind visit --child-name Kai "Kai told me he misses his brother."
    notereview evaluate demo/out --answer-key demo/extract/answer_key.json

Errors that notereview expects (a missing column, a bad mapping) print one line and exit 2;
nothing prints a traceback unless NOTEREVIEW_DEBUG=1.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from notereview.errors import NotereviewError

app = typer.Typer(
    name="notereview",
    help=(
        "Score children's social care case files against the practice standards, show the "
        "evidence, and put the weakest files in front of auditors first. It scores the record, "
        "never the family."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@contextmanager
def _progress(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar with rate and ETA on a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.update(task, completed=n)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def synth(
    out: Annotated[
        Path, typer.Option(help="Folder to write the extract and answer_key.json into.")
    ],
    children: Annotated[int, typer.Option(min=1, help="How many children.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 1,
    as_of: Annotated[str | None, typer.Option(help="Reference date (YYYY-MM-DD).")] = None,
    styles: Annotated[
        str | None, typer.Option(help="Only these writer styles (comma-separated).")
    ] = None,
    exclude_styles: Annotated[str | None, typer.Option(help="Never these writer styles.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet or jsonl.")] = "csv",
    list_styles: Annotated[bool, typer.Option(help="List the writer styles and stop.")] = False,
) -> None:
    """Write a synthetic extract (the contract's tables) with an answer key."""
    from notereview import synth as synth_mod
    from notereview.batch import parse_date

    if list_styles:
        typer.echo("\n".join(synth_mod.STYLE_NAMES))
        return
    with _progress("generating", children) as tick:
        summary = synth_mod.generate(
            out,
            children,
            seed,
            as_of=parse_date(as_of, "--as-of") if as_of else None,
            styles=[s.strip() for s in styles.split(",")] if styles else None,
            exclude_styles=[s.strip() for s in exclude_styles.split(",")]
            if exclude_styles
            else None,
            fmt=fmt,
            progress=tick,
        )
    rows = ", ".join(f"{t} {n}" for t, n in summary.rows.items())
    typer.echo(
        f"wrote {summary.children} children as of {summary.as_of} to {summary.out_dir}: {rows}"
    )


@app.command()
def score(
    extract: Annotated[Path, typer.Argument(help="The extract: a folder or .zip of tables.")],
    out: Annotated[Path, typer.Option(help="Folder for the run's files.")] = Path("out"),
    as_of: Annotated[
        str | None, typer.Option(help="Reference date; default: newest date in the extract.")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Column-mapping YAML for a council's own export.")
    ] = None,
    rubric: Annotated[
        Path | None, typer.Option(help="Rubric YAML (default: the shipped rubric).")
    ] = None,
    policy: Annotated[
        Path | None, typer.Option(help="Council policy YAML over the England defaults.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    report: Annotated[Path | None, typer.Option(help="Also write a Markdown report here.")] = None,
    top: Annotated[int, typer.Option(help="How many of the weakest files to print.")] = 10,
    db: Annotated[
        str | None, typer.Option(help="Also write the run into this database URL.")
    ] = None,
) -> None:
    """Score every case file of an extract: writes cases, criteria, visits, plan_actions,
    quarantine and run.json into OUT, and prints the weakest files with their reasons."""
    from notereview.batch import markdown_report, parse_date, score_extract, weakest, write_outputs
    from notereview.extract import load_mapping, read_extract
    from notereview.review import Reviewer

    column_mapping = load_mapping(mapping) if mapping else None
    ingested = read_extract(
        extract, mapping=column_mapping, as_of=parse_date(as_of, "--as-of") if as_of else None
    )
    reviewer = Reviewer(rubric_path=rubric, policy_path=policy)
    total = ingested.counts["children"].accepted
    with _progress("scoring", total) as tick:
        result = score_extract(
            ingested, reviewer, source=extract, keep_records=db is not None, progress=tick
        )
    write_outputs(result, out, fmt)
    info = result.run_info
    if db is not None:
        from notereview.store import write_run

        written = write_run(db, info, result.tables)
        state = "stored as run" if written.created else "already stored as run"
        typer.echo(f"{state} {written.run_id} in the database")
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(markdown_report(result, top), encoding="utf-8")
    typer.echo(
        f"as of {info['as_of']}: {info['children_scored']} children scored; rows read "
        f"{info['rows_read']} = scored {info['rows_scored']} + quarantined "
        f"{info['rows_quarantined']}; files in {out}"
    )
    typer.echo(f"\nThe {top} weakest files:")
    for item in weakest(result, top):
        typer.echo(
            f"{item['rank']:>3}. {item['child_id']}  {item['team']:<22} {item['legal_status']:<4}"
            f" score {item['score']:.2f}  {item['grade_band']}"
        )
        for reason in item["reasons"][:3]:
            typer.echo(f"       - {reason}")


@app.command()
def check(
    text: Annotated[str, typer.Argument(help="The text to check, or - to read standard input.")],
    kind: Annotated[
        str, typer.Option(help="visit, case_summary, plan_action, chronology_entry or supervision.")
    ],
    child_name: Annotated[
        str | None, typer.Option(help="The child's first name (to attribute speech).")
    ] = None,
    age: Annotated[
        int | None, typer.Option(min=0, max=25, help="The child's age in years.")
    ] = None,
) -> None:
    """Check one piece of text (an exemplar): the findings it can show, as JSON."""
    from notereview.review import check_text

    if text == "-":
        text = sys.stdin.read()
    typer.echo(json.dumps(check_text(kind, text, child_name=child_name, age=age), indent=2))


@app.command()
def evaluate(
    run: Annotated[Path | None, typer.Argument(help="A run's OUT folder (from score).")] = None,
    answer_key: Annotated[
        Path | None, typer.Option(help="The synth answer_key.json of that extract.")
    ] = None,
    exemplars: Annotated[
        Path | None,
        typer.Option(help="A JSONL file of labelled exemplars (id, theme, label, text)."),
    ] = None,
    markdown: Annotated[
        Path | None, typer.Option(help="Also write the tables as Markdown here.")
    ] = None,
) -> None:
    """Measure judgement: a run against a synth answer key, and/or labelled exemplars."""
    from notereview import evaluation

    if run is None and exemplars is None:
        _fail("give a run folder with --answer-key, and/or --exemplars FILE")
    parts = []
    if run is not None:
        if answer_key is None:
            _fail("--answer-key is needed to evaluate a run")
        report = evaluation.evaluate_run(run, answer_key)
        parts.append(evaluation.run_markdown(report))
    if exemplars is not None:
        ex = evaluation.evaluate_exemplars(exemplars)
        parts.append(evaluation.exemplars_markdown(ex))
    text = "\n".join(parts)
    typer.echo(text)
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(text, encoding="utf-8")


def _mount_subcommands() -> None:
    from notereview.store.commands import users_app

    app.add_typer(users_app, name="users", help="Accounts for the API: add, list, revoke.")


_mount_subcommands()


def main() -> None:
    """Entry point: expected errors are one line and exit 2, never a traceback."""
    try:
        app()
    except NotereviewError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # pragma: no cover - the last line of defence
        if os.environ.get("NOTEREVIEW_DEBUG"):
            raise
        typer.echo(
            f"internal error ({type(exc).__name__}); rerun with NOTEREVIEW_DEBUG=1 for details",
            err=True,
        )
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
