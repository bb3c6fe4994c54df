"""``notereview users add | token | list | revoke`` (the typer sub-app the CLI mounts)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from notereview.store import authenticate, connect
from notereview.store.commands import users_app

runner = CliRunner()


def test_users_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    added = runner.invoke(
        users_app,
        [
            "add",
            "amira",
            "--role",
            "auditor",
            "--team",
            "North",
            "--team",
            "East",
            "--expires-days",
            "30",
            "--database-url",
            url,
        ],
    )
    assert added.exit_code == 0, added.output
    lines = added.output.strip().splitlines()
    token = lines[-1]
    assert " " not in token and len(token) >= 43  # alone on the last line
    engine = connect(url)
    who = authenticate(engine, token)
    assert who is not None and who.teams == ("East", "North")

    again = runner.invoke(users_app, ["add", "amira", "--role", "admin", "--database-url", url])
    assert again.exit_code == 2 and "exists already" in again.output
    bad = runner.invoke(users_app, ["add", "x", "--role", "king", "--database-url", url])
    assert bad.exit_code != 0

    second = runner.invoke(users_app, ["token", "amira", "--database-url", url])
    assert second.exit_code == 0
    second_token = second.output.strip().splitlines()[-1]
    assert authenticate(engine, second_token) is not None

    listed = runner.invoke(users_app, ["list"], env={"NOTEREVIEW_DATABASE_URL": url})
    assert listed.exit_code == 0 and "amira" in listed.output and "East,North" in listed.output
    assert token not in listed.output

    revoked = runner.invoke(users_app, ["revoke", "amira", "--database-url", url])
    assert revoked.exit_code == 0
    assert authenticate(engine, token) is None and authenticate(engine, second_token) is None
    assert "revoked" in runner.invoke(users_app, ["list", "--database-url", url]).output
    missing = runner.invoke(users_app, ["revoke", "nobody", "--database-url", url])
    assert missing.exit_code == 2
    engine.dispose()
