"""``notereview evaluate``: measure the judgement against an answer key or exemplars."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from notereview.errors import NotereviewError


def evaluate_command(
    run: Annotated[Path | None, typer.Argument(help="A run's OUT folder (from score).")] = None,
    answer_key: Annotated[
        Path | None,
        typer.Option(
            help="That extract's answer key: synth's answer_key.json or an auditor's "
            "(criteria with status and why, weakest_first)."
        ),
    ] = None,
    errors: Annotated[
        Path | None,
        typer.Option(
            help="Write every miss here (JSON Lines: record id, truth, verdict, evidence); "
            "it quotes the records, so keep it with the run's files."
        ),
    ] = None,
    exemplars: Annotated[
        Path | None,
        typer.Option(help="A JSONL file of labelled exemplars (id, theme, label, text)."),
    ] = None,
    markdown: Annotated[
        Path | None, typer.Option(help="Also write the tables as Markdown here.")
    ] = None,
    models: Annotated[
        str | None,
        typer.Option(help="Compare rules only with rules + models ('auto' or a models folder)."),
    ] = None,
    extract: Annotated[
        Path | None,
        typer.Option(help="With --models: a held-out synth extract to score both ways."),
    ] = None,
) -> None:
    """Measure judgement: a run against a synth answer key, and/or labelled exemplars; with
    --models, rules only versus rules + models on --extract and/or --exemplars."""
    from notereview import evaluation

    if models is not None:
        if extract is None and exemplars is None:
            raise NotereviewError("with --models give --extract EXTRACT and/or --exemplars FILE")
        text = evaluation.compare_markdown(
            evaluation.compare(models, extract=extract, exemplars=exemplars)
        )
        typer.echo(text)
        if markdown is not None:
            markdown.parent.mkdir(parents=True, exist_ok=True)
            markdown.write_text(text, encoding="utf-8")
        return
    if run is None and exemplars is None:
        raise NotereviewError("give a run folder with --answer-key, and/or --exemplars FILE")
    parts = []
    if run is not None:
        if answer_key is None:
            raise NotereviewError("--answer-key is needed to evaluate a run")
        report = evaluation.evaluate_run(run, answer_key)
        parts.append(evaluation.run_markdown(report))
        if errors is not None:
            n = evaluation.write_errors(report, errors)
            parts.append(f"{n} misses written to {errors}")
    if exemplars is not None:
        ex = evaluation.evaluate_exemplars(exemplars)
        parts.append(evaluation.exemplars_markdown(ex))
    text = "\n".join(parts)
    typer.echo(text)
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(text, encoding="utf-8")
