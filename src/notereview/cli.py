"""The notereview command line.

    notereview synth --children 400 --seed 7 --out demo/extract
    notereview score demo/extract --out demo/out --report demo/report.md
    notereview check --kind visit --child-name Kai "Kai told me he misses his brother."
    notereview evaluate demo/out --answer-key demo/extract/answer_key.json

Errors that notereview expects (a missing column, a bad mapping) print one line and exit 2;
nothing prints a traceback unless NOTEREVIEW_DEBUG=1.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

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


def _fail(message: str, code: int = 2) -> NoReturn:
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
    annex_a: Annotated[
        Path | None,
        typer.Option(
            help="Also write the children as an Ofsted Annex A return (.xlsx) here, with a few "
            "planted disagreements listed in annex_a_key.json beside it (CSV format only)."
        ),
    ] = None,
) -> None:
    """Write a synthetic extract (the contract's tables) with an answer key."""
    from notereview import synth as synth_mod
    from notereview.batch import parse_date

    if list_styles:
        typer.echo("\n".join(synth_mod.STYLE_NAMES))
        return
    if annex_a is not None and fmt != "csv":
        _fail("--annex-a is written from a CSV extract: leave --format at csv")
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
    if annex_a is not None:
        from notereview.synth._annexa import write_return

        key = write_return(Path(summary.out_dir), annex_a, seed)
        lists = ", ".join(f"{name} {n}" for name, n in key["lists"].items())
        typer.echo(
            f"wrote the Annex A return {annex_a} ({lists}; {len(key['planted'])} planted "
            "disagreements in annex_a_key.json)"
        )


@contextmanager
def _score_progress() -> Iterator[Callable[[int, int], None]]:
    """Children scored, with rate and ETA, on a terminal only (stderr); silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("scoring"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("scoring", total=None, rate="")

        def tick(done: int, total: int) -> None:
            speed = bar.tasks[0].speed
            rate = f"{speed:,.0f} children/s" if speed else ""
            bar.update(task, completed=done, total=total, rate=rate)

        yield tick


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
    annex_a: Annotated[
        Path | None,
        typer.Option(
            "--annex-a",
            help="The council's Ofsted Annex A return (.xlsx): Lists 6, 7 and 8 supply the "
            "children table (or are checked against it), and their statutory dates are "
            "reconciled with the files (reconciliation table).",
        ),
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
        str | None,
        typer.Option(
            help="Also write the run into this database URL; files unchanged since a run "
            "stored there (same content, as-of and versions) are not scored again."
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default: one per core).")
    ] = None,
    chunk_size: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Children per chunk, the unit of work and of resuming (default: about 16 "
            "chunks, 10 to 200 children each).",
        ),
    ] = None,
    models: Annotated[
        str,
        typer.Option(
            help="'none' (or 'rules'): the rules path alone; 'auto': the models the rubric "
            "names; or a folder of trained models."
        ),
    ] = "rules",
    resume: Annotated[
        bool,
        typer.Option(help="Go on from the chunks a killed run of the same extract finished."),
    ] = True,
    engine: Annotated[
        str, typer.Option(help="local (process pool) or spark (needs notereview[spark]).")
    ] = "local",
) -> None:
    """Score every case file of an extract: writes cases, criteria, visits, plan_actions,
    quarantine and run.json into OUT, and prints the weakest files with their reasons.

    The extract is read in chunks of whole case files and scored in a process pool; a run that
    was killed resumes where it stopped when started again with the same arguments."""
    from notereview.batch import BatchOptions, markdown_report, parse_date, weakest
    from notereview.engines.local import run_local

    options = BatchOptions(
        workers=workers,
        chunk_children=chunk_size,
        fmt=fmt,
        db=db,
        models=models,
        mapping_path=mapping,
        annex_a_path=annex_a,
        rubric_path=rubric,
        policy_path=policy,
        as_of=parse_date(as_of, "--as-of") if as_of else None,
        resume=resume,
        keep_weakest=max(top, 100),
    )
    if engine == "spark":
        from notereview.engines.spark import run_spark

        summary = run_spark(extract, out, options)
    elif engine == "local":
        with _score_progress() as tick:
            summary = run_local(extract, out, options, progress=tick)
    else:
        _fail(f"unknown --engine {engine!r}; use local or spark")
    info = summary.run_info
    result = summary
    if summary.db_run is not None:
        run_id, created = summary.db_run
        state = "stored as run" if created else "already stored as run"
        typer.echo(f"{state} {run_id} in the database")
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(markdown_report(result, top), encoding="utf-8")
    typer.echo(
        f"as of {info['as_of']}: {info['children_scored']} children scored; rows read "
        f"{info['rows_read']} = scored {info['rows_scored']} + quarantined "
        f"{info['rows_quarantined']}; files in {out}"
    )
    if info.get("reconciliation"):
        rec = info["reconciliation"]
        typer.echo(
            f"Annex A {rec['annex_a']}: rows read {rec['rows_read']} = used {rec['rows_used']} + "
            f"quarantined {rec['rows_quarantined']}; {rec['findings']} disagreements with the "
            f"files for {rec['children_with_findings']} children (reconciliation table)"
        )
    batch = info.get("batch", {})
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in info["timings_s"].items())
    typer.echo(
        f"children reviewed {batch.get('children_reviewed', 0)}, skipped as unchanged "
        f"{batch.get('children_skipped_unchanged', 0)}, chunks resumed "
        f"{summary.chunks_resumed}; time per stage: {stages}"
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
    from notereview.review import check_text, keep_torch_out

    keep_torch_out()  # the exemplar checker runs the rules path
    if text == "-":
        text = sys.stdin.read()
    typer.echo(json.dumps(check_text(kind, text, child_name=child_name, age=age), indent=2))


corrections_app = typer.Typer(
    help="Auditors' corrections of the reviewer's verdicts.", no_args_is_help=True
)


@corrections_app.command("import")
def corrections_import(
    answer_key: Annotated[Path, typer.Argument(help="An answer key (casefiles_dev format).")],
    run: Annotated[Path, typer.Option("--run", help="The folder `notereview score` wrote.")],
    auditor: Annotated[str, typer.Option("--auditor", help="Whose corrections these are.")],
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", envvar="NOTEREVIEW_DATABASE_URL", help="SQLAlchemy URL of the store."
        ),
    ] = None,
    extract: Annotated[
        Path | None,
        typer.Option("--extract", help="The extract the run scored (default: the key's folder)."),
    ] = None,
    children: Annotated[
        str | None,
        typer.Option("--children", help="Only these child ids (comma-separated, or @FILE)."),
    ] = None,
) -> None:
    """Store an answer key's visit and SMART labels as corrections of a run's verdicts."""
    from notereview.corrections import import_answer_key
    from notereview.store import connect, upgrade

    wanted = None
    if children:
        text = (
            Path(children[1:]).read_text(encoding="utf-8")
            if children.startswith("@")
            else (children)
        )
        wanted = [c.strip() for c in text.replace("\n", ",").split(",") if c.strip()]
    engine = connect(database_url)
    upgrade(engine)
    result = import_answer_key(engine, answer_key, run, auditor, extract=extract, children=wanted)
    typer.echo(
        f"{result.corrections} corrections stored for {result.children} children "
        f"({result.confirmations} confirm the run's verdict); "
        f"{result.records_not_in_run} records of the key are not in the run"
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Processes serving requests.")] = 1,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="SQLAlchemy URL (default: $NOTEREVIEW_DATABASE_URL)."),
    ] = None,
    demo_dir: Annotated[
        Path | None, typer.Option(help="The folder of `make demo` (its notereview.db).")
    ] = None,
    load_run: Annotated[
        Path | None, typer.Option(help="Store this `score --out` folder first.")
    ] = None,
) -> None:
    """Serve the API and the web pages (the installed package notereview_api)."""
    try:
        from notereview_api.__main__ import main as serve_main
    except ImportError as exc:
        _fail(f"the service needs the 'api' extra: pip install 'notereview[api]' ({exc.name})")
    argv = ["--host", host, "--port", str(port), "--workers", str(workers)]
    for flag, value in (("--database-url", database_url), ("--demo-dir", demo_dir),
                        ("--load-run", load_run)):
        if value is not None:
            argv += [flag, str(value)]
    code = serve_main(argv)
    if code:
        raise typer.Exit(code)


def _mount_subcommands() -> None:
    from notereview.store.commands import purge_command, users_app

    app.add_typer(
        users_app, name="users", help="Accounts for the API: add, token, rotate, list, revoke."
    )
    app.command("purge")(purge_command)
    from notereview.equality.commands import equality_command
    from notereview.evaluation.commands import evaluate_command

    app.command("equality")(equality_command)
    app.command("evaluate")(evaluate_command)
    from notereview.ml.commands import models_app, train_app

    app.add_typer(train_app, name="train", help="Train the models (--from-audits: case model).")
    app.add_typer(models_app, name="models", help="Visit judgement versions: list, promote.")
    app.add_typer(corrections_app, name="corrections", help="Auditors' corrections: import.")


_mount_subcommands()


#: Write failures that are the machine's state, not a fault in notereview.
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS})


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
        if isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS:
            # the disk is full, a quota or a file-size limit is reached, or it is read-only: the
            # user's to fix; a run keeps its finished work and the same command resumes it
            where = f" {exc.filename}" if exc.filename else ""
            typer.echo(
                f"error: could not write{where}: {exc.strerror} "
                f"({errno.errorcode[exc.errno]}); the work finished so far is kept: make room "
                "and run the same command again",
                err=True,
            )
            sys.exit(2)
        from notereview.store import database_away

        if database_away(exc):  # a server stopped, a network cut: the user's to fix, no bug
            typer.echo(
                f"error: the database could not be reached or the connection was lost "
                f"({type(exc).__name__}); what was being written in that transaction was not "
                "stored (a run is stored whole or not at all): run the command again when the "
                "database is back",
                err=True,
            )
            sys.exit(2)
        typer.echo(
            f"internal error ({type(exc).__name__}); rerun with NOTEREVIEW_DEBUG=1 for details",
            err=True,
        )
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
