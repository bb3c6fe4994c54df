"""The service's queue (notereview_api.services.ranking) gives build_queue's own answer, from
the files that can reach its first places: the same items, positions, priorities and reasons,
across filters, themes, audits, case-model estimates (all, none, mixed) and queue lengths."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine

from notereview.store import CaseScoreRow, RunSummary
from notereview.triage import THEMES, QueueParams, build_queue
from notereview_api.services import ranking

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _cases(rng: random.Random, n: int, estimates: str) -> list[CaseScoreRow]:
    teams = [f"T{i}" for i in range(rng.choice([1, 3, 12]))]
    workers = [f"W{i}" for i in range(rng.choice([2, 20, 400]))]
    out = []
    for i in range(n):
        score = round(rng.random(), rng.choice([1, 2, 4]))  # coarse scores: many ties
        has = estimates == "all" or (estimates == "mixed" and rng.random() < 0.5)
        out.append(
            CaseScoreRow(
                child_id=f"C{i:05d}",
                team=rng.choice(teams),
                worker_id=rng.choice(workers),
                legal_status=rng.choice(["CP", "LAC", "PF", "CIN", "CL", "XX"]),
                score=score,
                grade_band="good",
                themes={t: (None if rng.random() < 0.2 else rng.random()) for t in THEMES},
                confidence=rng.random(),
                rank=i + 1,
                reasons=("r1", "r2", "r3", "r4"),
                p_inadequate=round(rng.random(), 3) if has else None,
            )
        )
    return out


def _run(seed: int) -> RunSummary:
    return RunSummary(
        run_id=seed, as_of=date(2026, 12, 1), started_at=None, finished_at=None,
        created_at=NOW, extract_fingerprint="f", versions={}, rows_read=0, rows_scored=0,
        rows_quarantined=0, run_key=f"key-{seed}",
    )  # fmt: skip


def _count_builds(monkeypatch: Any) -> list[int]:
    """The number of files each build_queue call of the ranking weighs, in call order."""
    sizes: list[int] = []

    def counted(files: Any, **kw: Any) -> Any:
        files = list(files)
        sizes.append(len(files))
        return build_queue(files, **kw)

    monkeypatch.setattr(ranking, "build_queue", counted)
    return sizes


@pytest.mark.parametrize("seed", range(40))
def test_the_same_queue_as_build_queue(seed: int) -> None:
    rng = random.Random(seed)
    engine = create_engine("sqlite://")
    cases = _cases(rng, rng.choice([5, 150, 1500]), rng.choice(["all", "none", "mixed"]))
    params = QueueParams(use_case_model=rng.random() < 0.7)
    if seed % 5 == 0:
        params = replace(params, team_penalty=0.3, worker_penalty=0.4, spread_window=15)
    audited = {
        c.child_id: NOW - timedelta(days=rng.uniform(0, 120))
        for c in rng.sample(cases, len(cases) // 4)
    }
    for theme in (None, rng.choice(THEMES)):
        for legal_status in (None, "CP"):
            for limit in (1, 20, 60):
                want = build_queue(
                    [c for c in cases if legal_status is None or c.legal_status == legal_status],
                    theme=theme, last_audited=audited, now=NOW, limit=limit, params=params,
                )  # fmt: skip
                got = ranking.ranked_queue(
                    engine, _run(seed), None, cases, legal_status=legal_status, theme=theme,
                    last_audited=audited, now=NOW, limit=limit, params=params,
                )  # fmt: skip
                assert got == want, (theme, legal_status, limit)


def test_a_long_run_is_ranked_from_a_head(monkeypatch: Any) -> None:
    """On 5,000 files a queue of 20 is built from a few hundred of them, not from all."""
    rng = random.Random(7)
    engine = create_engine("sqlite://")
    cases = _cases(rng, 5000, "none")
    sizes = _count_builds(monkeypatch)
    audited = {c.child_id: NOW - timedelta(days=3) for c in cases[:400]}
    got = ranking.ranked_queue(
        engine, _run(99), None, cases, legal_status=None, theme=None, last_audited=audited,
        now=NOW, limit=20, params=QueueParams(),
    )  # fmt: skip
    assert got == build_queue(cases, last_audited=audited, now=NOW, limit=20)
    assert max(sizes) < 1000


def test_a_bound_that_does_not_hold_falls_back_to_every_file(monkeypatch: Any) -> None:
    """Were the triage to weigh files above the bound, the whole queue is built instead."""
    rng = random.Random(3)
    engine = create_engine("sqlite://")
    cases = _cases(rng, 1500, "none")
    monkeypatch.setattr(
        ranking, "priority_bounds",
        lambda files, theme, params: sorted(
            ((0.0, c) for c in files), key=lambda p: p[1].child_id
        ),
    )  # fmt: skip
    got = ranking.ranked_queue(
        engine, _run(123), None, cases, legal_status=None, theme=None, last_audited={},
        now=NOW, limit=20, params=QueueParams(),
    )  # fmt: skip
    assert got == build_queue(cases, now=NOW, limit=20)


def test_a_queue_whose_top_was_just_audited_is_still_ranked_from_a_head(
    monkeypatch: Any,
) -> None:
    """Auditors read the top of the queue: those files sink (recent audits), and the head
    follows them down instead of falling back to every file."""
    rng = random.Random(11)
    engine = create_engine("sqlite://")
    cases = _cases(rng, 5000, "none")
    top = build_queue(cases, now=NOW, limit=300)
    audited = {item.child_id: NOW - timedelta(hours=rng.uniform(0, 48)) for item in top}
    sizes = _count_builds(monkeypatch)
    got = ranking.ranked_queue(
        engine, _run(77), None, cases, legal_status=None, theme=None, last_audited=audited,
        now=NOW, limit=20, params=QueueParams(),
    )  # fmt: skip
    assert got == build_queue(cases, last_audited=audited, now=NOW, limit=20)
    assert not {item.child_id for item in got} & set(audited)
    assert sum(sizes) < 2000


def test_the_next_queue_starts_at_the_head_that_proved(monkeypatch: Any) -> None:
    """A small team whose files are all a little stronger is picked for the spread from deep
    in the ranking, so the head must grow; the next request for the same run starts at the
    head that proved: one build, and still build_queue's answer."""
    rng = random.Random(13)
    engine = create_engine("sqlite://")
    cases = [
        replace(c, team="Big") if i % 10 else replace(c, team="Small", score=0.5 + c.score / 2)
        for i, c in enumerate(_cases(rng, 5000, "none"))
    ]
    sizes = _count_builds(monkeypatch)
    want = build_queue(cases, now=NOW, limit=20)
    builds = []
    for _ in range(2):
        sizes.clear()
        got = ranking.ranked_queue(
            engine, _run(78), None, cases, legal_status=None, theme=None,
            last_audited={}, now=NOW, limit=20, params=QueueParams(),
        )  # fmt: skip
        assert got == want
        builds.append(list(sizes))
    assert len(builds[0]) > 1  # the first grew its head
    assert builds[1] == builds[0][-1:]  # the second started where the first proved
