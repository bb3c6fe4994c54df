"""``notereview users ...``: add, list and revoke the people (and services) who use the API;
``notereview purge``: remove what the store holds of runs older than the retention period.

Mounted by the CLI as ``app.add_typer(users_app, name="users")`` and
``app.command("purge")(purge_command)``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, TypeVar

import typer
from sqlalchemy import Engine

from notereview.errors import NotereviewError
from notereview.store._engine import URL_ENV, connect, upgrade
from notereview.store._people import (
    Role,
    add_user,
    issue_token,
    list_users,
    revoke_user,
    rotate_token,
)

T = TypeVar("T")

users_app = typer.Typer(
    help="Manage API users: each has one role and bearer tokens that expire (add, token, "
    "rotate, list, revoke).",
    no_args_is_help=True,
)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar=URL_ENV,
        help="SQLAlchemy URL of the store (default sqlite:///notereview.db).",
        show_envvar=True,
    ),
]
ExpiresOption = Annotated[
    int, typer.Option("--expires-days", min=1, help="Days until the token expires.")
]


def _on_store(database_url: str | None, action: Callable[[Engine], T]) -> T:
    """``action`` on the store at ``database_url`` (migrated first); a store error is one line
    on stderr and the error's exit status."""
    try:
        engine = connect(database_url)
        upgrade(engine)
        return action(engine)
    except NotereviewError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from None


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A unique user name (not a child's name).")],
    role: Annotated[Role, typer.Option("--role", help="What the user may do.")],
    team: Annotated[
        list[str] | None,
        typer.Option("--team", help="Limit the user to this team's files (repeatable)."),
    ] = None,
    expires_days: ExpiresOption = 90,
    database_url: DatabaseOption = None,
) -> None:
    """Add a user and print their bearer token (shown once, alone on the last line)."""
    issued = _on_store(
        database_url,
        lambda engine: add_user(engine, name, role.value, team or (), expires_days=expires_days),
    )
    scope = ", ".join(issued.user.teams) if issued.user.teams else "all teams"
    typer.echo(f"Added {issued.user.name} as {issued.user.role} ({scope}).")
    typer.echo(f"The token expires {issued.expires_at:%Y-%m-%d %H:%M} UTC. It is shown once:")
    typer.echo(issued.token)


@users_app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="An existing user.")],
    expires_days: ExpiresOption = 90,
    database_url: DatabaseOption = None,
) -> None:
    """Issue another token to an existing user (printed once, alone on the last line)."""
    issued = _on_store(
        database_url, lambda engine: issue_token(engine, name, expires_days=expires_days)
    )
    typer.echo(f"New token for {issued.user.name}; expires {issued.expires_at:%Y-%m-%d %H:%M} UTC:")
    typer.echo(issued.token)


@users_app.command("rotate")
def rotate(
    name: Annotated[str, typer.Argument(help="An existing user.")],
    expires_days: ExpiresOption = 90,
    database_url: DatabaseOption = None,
) -> None:
    """Replace a user's tokens: a new one (printed once, alone on the last line), every other
    revoked at the same moment, with the browser sessions opened with them."""
    issued = _on_store(
        database_url, lambda engine: rotate_token(engine, name, expires_days=expires_days)
    )
    typer.echo(
        f"Rotated {issued.user.name}'s tokens: the old ones are revoked; the new one expires "
        f"{issued.expires_at:%Y-%m-%d %H:%M} UTC:"
    )
    typer.echo(issued.token)


@users_app.command("list")
def list_(database_url: DatabaseOption = None) -> None:
    """List users: role, teams, state and when their newest token expires."""
    users = _on_store(database_url, list_users)
    typer.echo(f"{'name':<24} {'role':<14} {'teams':<24} {'state':<8} token expires")
    for user in users:
        state = "revoked" if user.revoked_at else "active"
        expires = f"{user.token_expires_at:%Y-%m-%d}" if user.token_expires_at else "-"
        teams = ",".join(user.teams) or "all"
        typer.echo(f"{user.name:<24} {user.role:<14} {teams:<24} {state:<8} {expires}")


@users_app.command("revoke")
def revoke(
    name: Annotated[str, typer.Argument(help="The user to revoke.")],
    database_url: DatabaseOption = None,
) -> None:
    """Revoke a user and all their tokens at once."""
    _on_store(database_url, lambda engine: revoke_user(engine, name))
    typer.echo(f"Revoked {name} and all their tokens.")


def purge_command(
    before: Annotated[
        datetime,
        typer.Option(
            "--before",
            formats=["%Y-%m-%d"],
            help="Remove runs whose as-of date is before this day (YYYY-MM-DD).",
        ),
    ],
    keep_audits: Annotated[
        bool,
        typer.Option(
            "--keep-audits",
            help="Keep the auditors' outcomes (and the dip samples and run summaries they name).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be removed; change nothing.")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Remove stored runs, scores and record text older than the retention period, and say
    what was removed. The access log is always kept."""
    from notereview.store._retention import purge

    day: date = before.date()
    if day > date.today():
        typer.echo(f"error: --before {day.isoformat()} is in the future", err=True)
        raise typer.Exit(code=2)
    report = _on_store(
        database_url, lambda engine: purge(engine, day, keep_audits=keep_audits, dry_run=dry_run)
    )
    for line in report.lines():
        typer.echo(line)
