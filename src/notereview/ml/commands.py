"""``notereview train``: retrain the case model from auditors, or the text models from synth.

    notereview train --from-audits --db sqlite:///demo/notereview.db
    notereview train --from-audits --answer-key demo/extract/answer_key.json
    notereview train text --work /tmp/nr-train
    notereview train --from-corrections --database-url sqlite:///notereview.db [--out models/]
    notereview models list|promote VERSION|rollback [--models-dir models/]
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
    from_corrections: Annotated[
        bool,
        typer.Option(
            "--from-corrections",
            help="Retrain the visit judgement on auditors' corrections; promoted only when it "
            "beats the current version on held-out children.",
        ),
    ] = False,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", envvar="NOTEREVIEW_DATABASE_URL",
                     help="Database holding the corrections."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Models folder for --from-corrections.")
    ] = None,
    train_dir: Annotated[
        Path | None,
        typer.Option("--train-dir", help="The judgement's training passages (../shared/train)."),
    ] = None,
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
    if from_corrections:
        _from_corrections(database_url, out or models_dir, train_dir)
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
    from notereview.ml._runtime import writable_models_dir

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
    train_case_audit(rows[:cut], rows[cut:], writable_models_dir(models_dir), source,
                     version=version, report_dir=report_dir, log=typer.echo)


def default_train_dir() -> Path:
    """The judgement's training passages: ../shared/train beside the repository."""
    from notereview.ml._runtime import default_models_dir

    return default_models_dir().resolve().parent.parent / "shared" / "train"


def _from_corrections(database_url: str | None, out: Path | None, train_dir: Path | None) -> None:
    from notereview.ml._judgement_fit import train_from_corrections
    from notereview.ml._runtime import writable_models_dir
    from notereview.store import connect, upgrade

    engine = connect(database_url)
    upgrade(engine)
    outcome = train_from_corrections(
        engine, writable_models_dir(out), train_dir or default_train_dir(), log=typer.echo
    )
    typer.echo(f"wrote visit_judgement@{outcome.version} in {outcome.folder}")
    typer.echo(outcome.reason)


models_app = typer.Typer(
    help="Versions of the visit judgement: list, promote, roll back.", no_args_is_help=True
)
ModelsDir = Annotated[
    Path | None, typer.Option("--models-dir", help="Models folder (default: models/).")
]


def _models_dir(models_dir: Path | None) -> Path:
    from notereview.ml._runtime import default_models_dir

    return models_dir or default_models_dir()


@models_app.command("list")
def models_list(models_dir: ModelsDir = None) -> None:
    """Every version of the visit judgement; * marks the promoted one."""
    from notereview.ml._judgement_fit import list_versions

    for v in list_versions(_models_dir(models_dir)):
        mark = "*" if v["promoted"] else " "
        typer.echo(f"{mark} visit_judgement@{v['version']:<4} {v['created_at'] or '-':<26} "
                   f"sha256 {v['sha256'][:12]}  {v['gate']}")


@models_app.command("promote")
def models_promote(
    version: Annotated[str, typer.Argument(help="The version to promote.")],
    models_dir: ModelsDir = None,
) -> None:
    """Make VERSION the one the rubric uses (visit_judgement@promoted)."""
    from notereview.ml._judgement_fit import promote
    from notereview.ml._runtime import writable_models_dir

    promote(writable_models_dir(models_dir), version)
    typer.echo(f"visit_judgement@{version} promoted")


@models_app.command("rollback")
def models_rollback(models_dir: ModelsDir = None) -> None:
    """Promote again the version promoted before the current one."""
    from notereview.ml._judgement_fit import rollback
    from notereview.ml._runtime import writable_models_dir

    target = rollback(writable_models_dir(models_dir))
    typer.echo(f"rolled back: visit_judgement@{target} promoted")


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
    from notereview.ml._runtime import writable_models_dir
    from notereview.ml.training import TrainConfig, train_all

    train_all(
        TrainConfig(work_dir=work, models_dir=writable_models_dir(models_dir),
                    train_children=train_children, eval_children=eval_children,
                    random_state=seed, with_transformer=not no_transformer),
        log=typer.echo,
    )
