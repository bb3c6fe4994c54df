"""Fixtures and fakes for the store, triage and API tests (loaded with
``pytest_plugins = ["api_fixtures"]``; the lead owns conftest.py).

``fake_run`` builds a plausible scoring run by hand (fakes, not mocks): ~30 children across
3 teams and 5 legal statuses, random scores, every criterion with evidence quoting the
children's invented record texts.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
import warnings
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine

from notereview.store import add_user, connect, upgrade

PG_URL = os.environ.get(
    "NOTEREVIEW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEAMS = ("North", "South", "East")
STATUSES = ("CP", "LAC", "PF", "CIN", "CL")
THEMES = ("visits", "voice", "case_summary", "chronology", "plans", "genogram", "oversight")
CRITERIA_THEMES = {
    **dict.fromkeys(("V1", "V2", "V3", "V4", "V5"), "visits"),
    **dict.fromkeys(("C1", "C2", "C3", "C4"), "voice"),
    **dict.fromkeys(("S1", "S2", "S3", "S4"), "case_summary"),
    **dict.fromkeys(("H1", "H2", "H3", "H4"), "chronology"),
    **dict.fromkeys(("P1", "P2", "P3"), "plans"),
    **dict.fromkeys(("G1", "G2", "G3"), "genogram"),
    **dict.fromkeys(("M1", "M2", "M3"), "oversight"),
}
STATUS_SCORE = {"met": 1.0, "partly_met": 0.5, "not_met": 0.0}

_VISIT_LINES = (
    "Visited the home after school and spent time in the kitchen with the carer.",
    "The bedroom was tidy and there was food in the fridge.",
    "Talked about the plan for contact and what happens at the weekend.",
    "Next steps: speak to the school about attendance before the review.",
)


def band(score: float) -> str:
    if score >= 0.75:
        return "good"
    if score >= 0.5:
        return "requires_improvement"
    return "inadequate"


def fake_run(
    seed: int = 0,
    n_children: int = 30,
    as_of: str = "2026-03-31",
    fingerprint: str | None = None,
    marker: str | None = None,
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """A plausible run: (run_info, tables) with the columns of CONTRACT.md plus ``records``.
    ``marker`` (if given) is planted in every record text, quote and reason's neighbourhood
    of text, so privacy tests can look for it."""
    rng = random.Random(seed)
    day = date.fromisoformat(as_of)
    cases, criteria, visits, actions, records = [], [], [], [], []
    for i in range(n_children):
        child = f"C{i + 1:04d}"
        team = TEAMS[i % len(TEAMS)]
        status = STATUSES[(i // len(TEAMS)) % len(STATUSES)]
        visit_texts = []
        for v in range(3):
            lines = rng.sample(_VISIT_LINES, 3)
            if marker:
                lines.insert(1, f"She said {marker} about school.")
            text = " ".join(lines)
            visit_id = f"{child}-V{v + 1}"
            visit_date = day - timedelta(days=20 * (v + 1))
            records.append(
                {
                    "child_id": child,
                    "table": "visits",
                    "record_id": visit_id,
                    "record_date": visit_date,
                    "text": text,
                }
            )
            visit_texts.append((visit_id, text))
            quote = lines[0]
            visits.append(
                {
                    "visit_id": visit_id,
                    "child_id": child,
                    "voice": rng.choice(["direct", "reported", "none", "attempted_not_obtained"]),
                    "plan_linked": rng.random() < 0.5,
                    "analysis": rng.random() < 0.4,
                    "on_time": rng.random() < 0.7,
                    "recorded_late_days": rng.choice([0, 0, 0, 2, 5]),
                    "child_seen": v != 1,  # the second visit did not see the child
                    "evidence": json.dumps(
                        [
                            {
                                "table": "visits",
                                "record_id": visit_id,
                                "start": 0,
                                "end": len(quote),
                                "quote": quote,
                                "source": "rule:visit.voice@1",
                                "why": "what the record says happened",
                            }
                        ]
                    ),
                }
            )
        summary_text = "Case summary. Worries: missed school. Strengths: grandmother helps."
        if marker:
            summary_text += f" Lives with {marker}."
        records.append(
            {
                "child_id": child,
                "table": "case_summaries",
                "record_id": f"{child}-S1",
                "record_date": day - timedelta(days=40),
                "text": summary_text,
            }
        )
        for a in range(2):
            parts = [rng.random() < 0.6 for _ in range(4)]
            actions.append(
                {
                    "action_id": f"{child}-A{a + 1}",
                    "plan_id": f"{child}-P1",
                    "child_id": child,
                    "smart": all(parts),
                    "specific": parts[0],
                    "measurable": parts[1],
                    "owner_named": parts[2],
                    "timebound": parts[3],
                    "score": sum(parts) / 4,
                }
            )
        quality = rng.random()
        theme_scores: dict[str, list[float]] = {theme: [] for theme in THEMES}
        for criterion, theme in CRITERIA_THEMES.items():
            roll = rng.random()
            if criterion in {"C3", "G3"} and rng.random() < 0.3:
                status_ = "not_applicable"
            elif roll < quality * 0.8:
                status_ = "met"
            elif roll < quality * 0.8 + 0.2:
                status_ = "partly_met"
            else:
                status_ = "not_met"
            score = STATUS_SCORE.get(status_)
            if score is not None:
                theme_scores[theme].append(score)
            visit_id, text = visit_texts[0]
            start = text.index(".") + 2 if "." in text[:-1] else 0
            quote = text[start : start + 30]
            evidence = (
                [
                    {
                        "table": "visits",
                        "record_id": visit_id,
                        "start": start,
                        "end": start + len(quote),
                        "quote": quote,
                        "source": f"rule:{criterion.lower()}@1",
                        "why": "matched the pattern for this criterion",
                    }
                ]
                if status_ != "not_applicable"
                else []
            )
            criteria.append(
                {
                    "child_id": child,
                    "criterion": criterion,
                    "theme": theme,
                    "status": status_,
                    "score": score,
                    "confidence": round(rng.uniform(0.4, 0.99), 3),
                    "evidence": json.dumps(evidence),
                    "missing": "" if status_ == "met" else f"{criterion}: not enough shown",
                }
            )
        themes = {
            theme: (sum(v) / len(v) if v else float("nan")) for theme, v in theme_scores.items()
        }
        present = [v for v in themes.values() if v == v]
        score = sum(present) / len(present)
        cases.append(
            {
                "child_id": child,
                "team": team,
                "worker_id": f"W{(i * 7) % 9 + 1}",
                "legal_status": status,
                "score": round(score, 4),
                "grade_band": band(score),
                **themes,
                "confidence": round(rng.uniform(0.3, 0.98), 3),
                "rank": 0,
                "reasons": json.dumps(
                    [f"{theme} weak" for theme, v in sorted(themes.items(), key=lambda x: x[1])][:3]
                ),
            }
        )
    cases.sort(key=lambda c: (c["score"], c["child_id"]))
    for rank, case in enumerate(cases, start=1):
        case["rank"] = rank
    quarantine = [
        {"table": "visits", "row_number": 17, "record_id": "X-1", "reason": "unknown child_id"},
        {"table": "chronology", "row_number": 4, "record_id": None, "reason": "bad event_date"},
    ]
    tables = {
        "cases": pd.DataFrame(cases),
        "criteria": pd.DataFrame(criteria),
        "visits": pd.DataFrame(visits),
        "plan_actions": pd.DataFrame(actions),
        "quarantine": pd.DataFrame(quarantine),
        "records": pd.DataFrame(records),
    }
    per_table = {"children": n_children, "visits": len(visits) + 1, "chronology": 1}
    run_info = {
        "as_of": as_of,
        "started_at": f"{as_of}T01:00:00+00:00",
        "finished_at": f"{as_of}T01:05:00+00:00",
        "rows_read": per_table,
        "rows_scored": {"children": n_children, "visits": len(visits), "chronology": 0},
        "rows_quarantined": {"children": 0, "visits": 1, "chronology": 1},
        "versions": {"rubric": "2026.11-1", "policy": "england-1", "models": {"voice": "0.1"}},
        "timings": {"total_s": 300.0},
        "extract_fingerprint": fingerprint or f"sha256:{seed:064d}"[-64:],
    }
    return run_info, tables


#: Seconds to wait for PostgreSQL to answer, and tries: a busy machine (a CI runner sharing
#: its cores) can take more than a few seconds to accept a connection.
PG_CONNECT_TIMEOUT_S = 10
PG_CONNECT_TRIES = 3
_pg_unreachable: list[str] = []  # once a session finds no server, later tests skip at once


def _pg_schema_url() -> tuple[str, str]:
    import psycopg

    schema = f"nr_test_{uuid.uuid4().hex[:12]}"
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    error = _pg_unreachable[0] if _pg_unreachable else None
    for attempt in range(0 if error else PG_CONNECT_TRIES):
        try:
            with psycopg.connect(
                plain, connect_timeout=PG_CONNECT_TIMEOUT_S, autocommit=True
            ) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            error = None
            break
        except psycopg.OperationalError as exc:
            error = type(exc).__name__
            time.sleep(0.5 * (attempt + 1))
    if error is not None:
        _pg_unreachable[:] = [error]
        message = f"PostgreSQL is not reachable at {PG_URL} ({error})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return schema, f"{PG_URL}?options=-csearch_path%3D{schema}"


def _drop_pg_schema(schema: str) -> None:
    import psycopg

    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, connect_timeout=3, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema (dropped afterwards).
    Without a reachable server the PostgreSQL case fails when $CI is set and skips otherwise."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    schema, url = _pg_schema_url()
    try:
        yield url
    finally:
        _drop_pg_schema(schema)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema only (for tests that need real concurrency)."""
    schema, url = _pg_schema_url()
    try:
        yield url
    finally:
        _drop_pg_schema(schema)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty store."""
    eng = connect(db_url)
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


def make_token(
    engine: Engine, role: str, teams: tuple[str, ...] = (), name: str | None = None
) -> str:
    issued = add_user(engine, name or f"{role}-{uuid.uuid4().hex[:6]}", role, teams)
    return issued.token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def run_factory() -> Any:
    """``fake_run`` as a fixture: ``run_factory(seed=1, n_children=30, marker=None, ...)``."""
    return fake_run


@pytest.fixture
def token_factory(engine: Engine) -> Any:
    """``token_factory(role, teams=(), name=None)`` -> a bearer token for a new user."""

    def factory(role: str, teams: tuple[str, ...] = (), name: str | None = None) -> str:
        return make_token(engine, role, teams, name)

    return factory


def run_payload(run_info: dict[str, Any], tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """A run as the JSON body of POST /runs (NaN as null, dates as ISO strings)."""
    body: dict[str, list[dict[str, Any]]] = {}
    for name, frame in tables.items():
        rows = []
        for row in frame.to_dict("records"):
            clean = {}
            for key, value in row.items():
                if isinstance(value, float) and value != value:
                    value = None
                elif isinstance(value, date):
                    value = value.isoformat()
                elif key in ("reasons", "evidence") and isinstance(value, str):
                    value = json.loads(value)  # the typed body takes JSON lists, not text
                clean[key] = value
            rows.append(clean)
        body[name] = rows
    return {"run_info": run_info, "tables": body}


@pytest.fixture
def app_factory(db_url: str) -> Iterator[Any]:
    """``app_factory(**settings)`` -> a FastAPI app on the test database."""
    from notereview_api import Settings, create_app

    apps: list[Any] = []

    def factory(**overrides: Any) -> Any:
        app = create_app(Settings(database_url=db_url, **overrides))
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.state.engine.dispose()


@pytest.fixture
def payload_factory() -> Any:
    """``run_payload`` as a fixture."""
    return run_payload


@pytest.fixture
def client_factory(app_factory: Any) -> Any:
    """``client_factory(**settings)`` -> a TestClient; its app is ``client.app``."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with")
        from fastapi.testclient import TestClient

    def factory(**overrides: Any) -> Any:
        return TestClient(app_factory(**overrides))

    return factory
