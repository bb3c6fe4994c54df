"""``notereview train``: retrain the case model from auditors, or the text models from synth.

    notereview train --from-audits --db sqlite:///demo/notereview.db
    notereview train --from-audits --answer-key demo/extract/answer_key.json
    notereview train text --work /tmp/nr-train
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

train_app = typer.Typer(
    help="Train notereview's models (artefacts go to models/<name>/<version>/).",
    invoke_without_command=True,
    no_args_is_help=False,
)


@train_app.callback()
def train(
    ctx: typer.Context,
    from_audits: Annotated[
        bool, typer.Option("--from-audits", help="Retrain the case model from audit outcomes.")
    ] = False,
    db: Annotated[
        str | None, typer.Option(help="Database URL holding audit_outcomes.")
    ] = None,
    answer_key: Annotated[
        Path | None,
        typer.Option(help="Fallback: a synth answer_key.json (its extract beside it)."),
    ] = None,
    models_dir: Annotated[Path | None, typer.Option(help="Where artefacts go.")] = None,
    version: Annotated[str, typer.Option(help="Artefact version to write.")] = "1",
    report_dir: Annotated[Path, typer.Option(help="Learning-curve report folder.")] = Path(
        "training/reports"
    ),
) -> None:
    """Retrain the case model from auditors' recorded grades (--from-audits)."""
    if ctx.invoked_subcommand is not None:
        return
    if not from_audits:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    from notereview.errors import NotereviewError
    from notereview.ml._audits import (
        MIN_AUDITS,
        rows_from_answer_key,
        rows_from_store,
        train_case_audit,
    )
    from notereview.ml._runtime import default_models_dir

    rows = rows_from_store(db) if db else []
    source = f"audit_outcomes in {db.split('@')[-1] if db else '-'}"
    if len(rows) < MIN_AUDITS:
        if answer_key is None:
            raise NotereviewError(
                f"{len(rows)} audit outcomes recorded; the case model needs {MIN_AUDITS}. "
                "Give --answer-key to learn from simulated auditors meanwhile."
            )
        typer.echo(f"{len(rows)} audit outcomes recorded (< {MIN_AUDITS}): using the simulated "
                   "auditors of the answer key")
        rows = rows_from_answer_key(answer_key.parent)
        source = "synth answer key's simulated auditors"
    cut = int(len(rows) * 0.7)
    train_case_audit(rows[:cut], rows[cut:], models_dir or default_models_dir(), source,
                     version=version, report_dir=report_dir, log=typer.echo)


@train_app.command("text")
def text_models(
    work: Annotated[Path, typer.Option(help="Scratch folder for the synthetic sets.")] = Path(
        "/tmp/notereview-train"
    ),
    models_dir: Annotated[Path | None, typer.Option(help="Where artefacts go.")] = None,
    train_children: Annotated[int, typer.Option()] = 250,
    eval_children: Annotated[int, typer.Option()] = 120,
    seed: Annotated[int, typer.Option(help="random_state of every estimator.")] = 0,
    no_transformer: Annotated[bool, typer.Option(help="Skip the plan-link model.")] = False,
) -> None:
    """Train the voice, SMART, analysis, supervision and plan-link models on synthetic text
    (training styles and held-out styles never overlap)."""
    from notereview.ml._runtime import default_models_dir
    from notereview.ml.training import TrainConfig, train_all

    train_all(
        TrainConfig(work_dir=work, models_dir=models_dir or default_models_dir(),
                    train_children=train_children, eval_children=eval_children,
                    random_state=seed, with_transformer=not no_transformer),
        log=typer.echo,
    )
