"""The invented service: teams, team managers and workers with their styles and habits."""

from __future__ import annotations

import random
from dataclasses import dataclass

from notereview.synth._data import records_file

#: A style's pull on its writers' record quality (mild: style must not give quality away).
STYLE_QUALITY_SHIFT: dict[str, float] = {
    "locum_minimal": -0.12,
    "typo_prone": -0.05,
    "long_rambling": -0.05,
    "reflective_analytic": 0.08,
    "signs_of_safety": 0.04,
    "child_centred": 0.05,
    "terse_abbreviated": -0.04,
    "dictated_voice_note": -0.03,
}


QUALITY_MEAN = 0.6
QUALITY_SD = 0.19


@dataclass(frozen=True, slots=True)
class Worker:
    worker_id: str
    team: str
    manager_id: str
    style: str
    quality: float  # tendency 0..1
    timeliness: float  # 0..1: how reliably visits happen on time
    recording: float  # 0..1: how promptly records are written
    copy_paste: float  # chance of pasting the previous record
    manager_reflective: float  # the manager's supervision habit


@dataclass(frozen=True, slots=True)
class Team:
    name: str
    manager_id: str
    statuses: dict[str, float]
    workers: tuple[Worker, ...]


@dataclass(frozen=True, slots=True)
class World:
    teams: tuple[Team, ...]

    def team_weights(self, status: str) -> list[float]:
        return [t.statuses.get(status, 0.0) * len(t.workers) for t in self.teams]


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def build_world(seed: int, styles: tuple[str, ...]) -> World:
    """Teams and workers for ``seed``; every style in ``styles`` is given to some worker."""
    rng = random.Random(f"notereview-synth/{seed}/world")
    spec = records_file().teams
    counts = [rng.randint(t.workers[0], t.workers[1]) for t in spec]
    total = sum(counts)
    deck = list(styles)
    rng.shuffle(deck)
    while len(deck) < total:
        deck.append(rng.choice(styles))
    # worker qualities, standardised so that every seed's service is about as good as another's
    raw = [rng.betavariate(3.0, 2.0) for _ in range(total)]
    mean = sum(raw) / total
    sd = (sum((x - mean) ** 2 for x in raw) / total) ** 0.5 or 1.0
    qualities = [_clip(QUALITY_MEAN + (x - mean) * QUALITY_SD / sd) for x in raw]
    teams: list[Team] = []
    n = 0
    for ti, (t, count) in enumerate(zip(spec, counts, strict=True)):
        manager_id = f"TM{ti + 1:02d}"
        manager_reflective = _clip(rng.betavariate(2.5, 2.0))
        workers: list[Worker] = []
        for _ in range(count):
            style = deck[n]
            n += 1
            quality = _clip(qualities[n - 1] + STYLE_QUALITY_SHIFT.get(style, 0.0))
            copy = rng.uniform(0.1, 0.45) if rng.random() < 0.25 else 0.0
            workers.append(
                Worker(
                    worker_id=f"W{n:03d}",
                    team=t.name,
                    manager_id=manager_id,
                    style=style,
                    quality=quality,
                    timeliness=_clip(quality + rng.gauss(0, 0.15)),
                    recording=_clip(quality + rng.gauss(0, 0.2)),
                    copy_paste=copy,
                    manager_reflective=manager_reflective,
                )
            )
        teams.append(
            Team(
                name=t.name,
                manager_id=manager_id,
                statuses=dict(t.statuses),
                workers=tuple(workers),
            )
        )
    return World(teams=tuple(teams))
