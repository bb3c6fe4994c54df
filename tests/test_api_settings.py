"""Settings from the environment, and ``python -m notereview_api`` (with a fake server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import notereview_api.__main__ as entry
from notereview.errors import ConfigError
from notereview.store import connect, list_runs
from notereview_api import Settings

pytest_plugins = ["api_fixtures"]


def test_settings_from_env() -> None:
    settings = Settings.from_env(
        {
            "NOTEREVIEW_DATABASE_URL": "sqlite:///x.db",
            "NOTEREVIEW_CLAIM_HOURS": "2.5",
            "NOTEREVIEW_RATE_LIMIT_PER_MINUTE": "0",
            "NOTEREVIEW_TRUST_FORWARDED_FOR": "yes",
            "NOTEREVIEW_EXEMPLAR_MAX_CHARS": "",
        }
    )
    assert settings.database_url == "sqlite:///x.db" and settings.claim_hours == 2.5
    assert settings.rate_limit_per_minute == 0 and settings.trust_forwarded_for is True
    assert settings.exemplar_max_chars == 20_000
    assert settings.queue_use_case_model is True  # on by default
    off = Settings.from_env({"NOTEREVIEW_QUEUE_USE_CASE_MODEL": "off"})
    assert off.queue_use_case_model is False
    with pytest.raises(ConfigError, match="NOTEREVIEW_CLAIM_HOURS"):
        Settings.from_env({"NOTEREVIEW_CLAIM_HOURS": "soon"})
    with pytest.raises(ConfigError, match="NOTEREVIEW_MAX_BODY_BYTES"):
        Settings.from_env({"NOTEREVIEW_MAX_BODY_BYTES": "0"})


def test_serve_loads_the_demo_run(
    tmp_path: Path, run_factory: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    import uvicorn

    run_info, tables = run_factory(seed=51, n_children=4)
    out = tmp_path / "demo" / "out"
    out.mkdir(parents=True)
    (out / "run.json").write_text(json.dumps(run_info))
    for name, frame in tables.items():
        frame.to_parquet(out / f"{name}.parquet")
    served: list[dict[str, Any]] = []

    def fake_run(app: Any, **kwargs: Any) -> None:
        served.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.delenv("NOTEREVIEW_DATABASE_URL", raising=False)
    demo = str(tmp_path / "demo")
    assert entry.main(["--demo-dir", demo, "--port", "8765"]) == 0
    assert "No scoring run is stored yet" in capsys.readouterr().out
    assert entry.main(["--demo-dir", demo, "--load-run", str(out), "--port", "8765"]) == 0
    assert entry.main(["--demo-dir", demo, "--load-run", str(out), "--port", "8765"]) == 0
    printed = capsys.readouterr().out
    assert ": stored" in printed and "already stored" in printed
    assert "No scoring run" not in printed and "notereview users add" in printed
    call = served[0]
    assert call["host"] == "127.0.0.1" and call["port"] == 8765 and call["access_log"] is False
    for each in served:
        each["app"].state.engine.dispose()
    engine = connect(f"sqlite:///{(tmp_path / 'demo' / 'notereview.db').resolve()}")
    assert len(list_runs(engine)) == 1
    engine.dispose()
