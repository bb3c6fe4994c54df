"""generate(): writes a synthetic extract and its answer key, streaming child by child."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from notereview.errors import ConfigError
from notereview.synth._auditors import auditor_grades
from notereview.synth._calendar import england_calendar
from notereview.synth._case import CaseBuilder, genogram_members_json
from notereview.synth._case_facts import CaseFacts, GenContext, VisitFacts
from notereview.synth._criteria import band, case_score, criteria_for, missing_events, theme_scores
from notereview.synth._data import content_file, phenomena_file, records_file, styles_file
from notereview.synth._phenomena import worker_habits
from notereview.synth._rules import window_start
from notereview.synth._text import VisitLayout
from notereview.synth._world import build_world
from notereview.synth._writers import FORMATS, TABLE_COLUMNS, AnswerKeyWriter, TableWriter

GENERATOR_VERSION = "synth-1.2"
DEFAULT_AS_OF = date(2026, 11, 2)
PROGRESS_EVERY = 250


def style_names() -> tuple[str, ...]:
    return tuple(styles_file().styles)


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`generate` wrote."""

    out_dir: Path
    children: int
    seed: int
    as_of: date
    styles: tuple[str, ...]
    rows: dict[str, int]
    fmt: str


def _choose_styles(styles: Sequence[str] | None, exclude: Sequence[str] | None) -> tuple[str, ...]:
    valid = style_names()
    asked = list(styles) if styles else list(valid)
    unknown = sorted({s for s in [*asked, *(exclude or ())] if s not in valid})
    if unknown:
        raise ConfigError(
            f"unknown writer style(s) {', '.join(unknown)}; valid styles are: {', '.join(valid)}"
        )
    chosen = tuple(s for s in valid if s in asked and s not in set(exclude or ()))
    if not chosen:
        raise ConfigError(
            "no writer style left after --styles/--exclude-styles; "
            f"valid styles are: {', '.join(valid)}"
        )
    return chosen


def generate(
    out_dir: str | Path,
    children: int,
    seed: int,
    *,
    as_of: date | None = None,
    styles: Sequence[str] | None = None,
    exclude_styles: Sequence[str] | None = None,
    fmt: str = "csv",
    progress: Callable[[int], None] | None = None,
    chronology_retold: float = 0.0,
    interpreter_voice_hidden: float = 0.0,
) -> SynthSummary:
    """Write a synthetic extract (the eight contract tables) and ``answer_key.json``.

    Children are numbered from 1; child i depends only on (seed, i), so a smaller run is a
    prefix of a larger one. Same arguments, same bytes.

    ``chronology_retold``: the share of significant chronology entries that the worker writes
    in their own words (records.yaml ``chronology.retold``: other words than the visit's
    mention, often none of the cue words) with a generic or empty event_type instead of the
    event's code. For held-out evaluation of H2 by meaning only (training/evaluate_models.py
    uses it with the held-out writer styles); no training set uses it. 0, the default,
    changes nothing: the same bytes as before it existed.

    ``interpreter_voice_hidden``: a bias planted for testing equality monitoring (issue 20):
    the share of visits where a child speaks through an interpreter that record the words as
    the interpreter's account ("The Polish interpreter told me ..."), while the answer key
    still counts them as the child's voice. 0, the default, changes nothing.
    """
    if not 0.0 <= chronology_retold <= 1.0:
        raise ConfigError("chronology_retold must be between 0 and 1")
    if not 0.0 <= interpreter_voice_hidden <= 1.0:
        raise ConfigError("interpreter_voice_hidden must be between 0 and 1")
    if fmt not in FORMATS:
        raise ConfigError(f"unknown output format {fmt!r}; use one of {', '.join(FORMATS)}")
    if children < 0:
        raise ConfigError("children must be 0 or more")
    chosen = _choose_styles(styles, exclude_styles)
    as_of = as_of or DEFAULT_AS_OF
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    all_styles = styles_file().styles
    world = build_world(seed, chosen)
    gen = GenContext(
        as_of=as_of,
        cal=england_calendar(as_of.year - 25, as_of.year + 2),
        world=world,
        content=content_file(),
        records=records_file(),
        styles={n: all_styles[n] for n in chosen},
        layouts={n: VisitLayout(n, all_styles[n]) for n in chosen},
        seed=seed,
        phen=phenomena_file(),
        habits=worker_habits(seed, world),
        chronology_retold=chronology_retold,
        interpreter_voice_hidden=interpreter_voice_hidden,
    )
    writers = {t: TableWriter(out / f"{t}.{fmt}", cols, fmt) for t, cols in TABLE_COLUMNS.items()}
    key = AnswerKeyWriter(
        out / "answer_key.json",
        {
            "generator_version": GENERATOR_VERSION,
            "seed": seed,
            "as_of": as_of.isoformat(),
            "styles": list(chosen),
            **({"chronology_retold": chronology_retold} if chronology_retold else {}),
        },
    )
    try:
        for i in range(1, children + 1):
            builder = CaseBuilder(gen, i)
            facts = builder.build()
            write_rows(facts, writers)
            key.write(facts.child_id, key_entry(facts, gen, builder))
            if progress is not None and (i % PROGRESS_EVERY == 0 or i == children):
                progress(i)
    finally:
        for w in writers.values():
            w.close()
        key.close()
    return SynthSummary(
        out_dir=out,
        children=children,
        seed=seed,
        as_of=as_of,
        styles=chosen,
        rows={t: w.rows for t, w in writers.items()},
        fmt=fmt,
    )


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _yn(flag: bool | None) -> str:
    return "" if flag is None else ("y" if flag else "n")


def write_rows(f: CaseFacts, w: dict[str, TableWriter]) -> None:
    withhold_dob = f.status == "CL" and f.index % 37 == 0
    w["children"].write(
        [
            f.child_id,
            f.name,
            "" if withhold_dob else f.dob.isoformat(),
            str(f.age),
            f.gender,
            f.status,
            f.status_start.isoformat(),
            f.team,
            f.worker.worker_id,
            _iso(f.placement_start),
            _yn(f.long_term) if f.status == "LAC" else "",
            f.ethnicity,
            f.disability,
        ]
    )
    visits = w["visits"]
    for v in f.visits:
        visits.write(
            [
                v.visit_id,
                f.child_id,
                v.day.isoformat(),
                v.recorded.isoformat(),
                _yn(v.seen),
                _yn(v.seen_alone),
                v.visit_type,
                f.worker.worker_id,
                v.text,
            ]
        )
    if f.older_summary is not None:
        sid, day, text = f.older_summary
        w["case_summaries"].write([sid, f.child_id, day.isoformat(), text])
    if f.summary is not None:
        s = f.summary
        w["case_summaries"].write([s.summary_id, f.child_id, s.day.isoformat(), s.text])
    if f.plan is not None:
        p = f.plan
        w["plans"].write(
            [
                p.plan_id,
                f.child_id,
                p.plan_type,
                p.start.isoformat(),
                _iso(p.reviews[-1] if p.reviews else None),
                _iso(p.next_due if p.show_next else None),
            ]
        )
        for a in p.actions:
            w["plan_actions"].write(
                [a.action_id, p.plan_id, a.text, a.owner_col, _iso(a.due_col), a.status]
            )
    for e in f.chronology or ():
        w["chronology"].write(
            [
                e.entry_id,
                f.child_id,
                e.day.isoformat(),
                e.entered.isoformat(),
                e.etype if e.code is None else e.code,
                e.source,
                e.text,
                e.impact_col,
            ]
        )
    g = f.genogram
    if g is not None:
        if g.older is not None:
            day, members, notes = g.older
            w["genograms"].write(
                [f.child_id, day.isoformat(), genogram_members_json(members), notes]
            )
        w["genograms"].write(
            [f.child_id, g.day.isoformat(), genogram_members_json(g.members), g.notes]
        )
    for s in f.supervision:
        w["supervision"].write(
            [s.record_id, f.child_id, s.day.isoformat(), f.worker.manager_id, s.text]
        )


def _speakers(v: VisitFacts) -> list[dict[str, object]]:
    """Who speaks in a visit record, how, their words as the generator wrote them, and where
    they stand in the text (when a style's abbreviations or typos left them verbatim)."""
    out: list[dict[str, object]] = []
    for speaker, how, words in v.speakers:
        start = v.text.find(words) if words else -1
        out.append(
            {
                "speaker": speaker,
                "how": how,
                "words": words or None,
                "start": start if start >= 0 else None,
                "end": start + len(words) if start >= 0 else None,
            }
        )
    return out


def _names(builder: CaseBuilder) -> dict[str, object]:
    names = builder.names
    assert names is not None
    return {
        "registered": names.registered,
        "surname": names.surname,
        "habit": names.habit,
        "also_called": sorted(
            {names.text(form) for form in names.available()} - {names.registered}
        ),
    }


def key_entry(f: CaseFacts, gen: GenContext, builder: CaseBuilder) -> dict[str, object]:
    criteria = criteria_for(f, gen.cal, gen.as_of)
    themes = theme_scores(criteria)
    score = case_score(themes)
    visits = {
        v.visit_id: {
            "voice": v.voice,
            "plan_linked": v.plan_linked,
            "analysis": v.analysis,
            "on_time": v.on_time,
            "recorded_late_days": v.late_days,
            "copy_paste": v.copy_of is not None,
            "style": f.worker.style,
            "wishes_feelings": v.wishes,
            "events": [e.etype for e in v.events],
            "seen": v.seen,
            "observation": v.observation,
            "next_steps": v.next_steps,
            "network": v.network,
            "copy_of": v.copy_of,
            "hard_negatives": v.negatives,
            "name_form": v.name_form,
            "phenomena": sorted(set(v.tags)),
            "speakers": _speakers(v),
        }
        for v in f.visits
    }
    actions = {}
    if f.plan is not None:
        for a in f.plan.actions:
            actions[a.action_id] = {
                "smart": a.specific and a.measurable and a.owner_named and a.timebound,
                "specific": a.specific,
                "measurable": a.measurable,
                "owner_named": a.owner_named,
                "timebound": a.timebound,
                "child_wishes": a.child_wishes,
                "status": a.status,
                "owner_field_junk": a.owner_junk,
                "due_field_junk": a.due_junk,
                "time_in_text": a.time_in_text,
            }
    missing = []
    w_start = window_start(gen.as_of)
    for e in missing_events(f):
        table, record_id = e.mentions[0]
        missing.append(
            {
                "event_type": e.etype,
                "date": e.day.isoformat(),
                "mentioned_in": {"table": table, "record_id": record_id},
                # H2 judges only the events dated inside the review window
                "in_review_window": w_start <= e.day <= gen.as_of,
            }
        )
    summary = None
    if f.summary is not None:
        summary = {
            "summary_id": f.summary.summary_id,
            "words": f.summary.words,
            "safety_parts": f.summary.parts,
            "voice": f.summary.voice,
            "plan_shaped_by_voice": f.summary.shaped,
            "voice_sentences": f.summary.voice_sentences,
        }
    return {
        "team": f.team,
        "worker_id": f.worker.worker_id,
        "legal_status": f.status,
        "age": f.age,
        "style": f.worker.style,
        "verbal": f.verbal,
        "communication": f.comm,
        "ethnicity": f.ethnicity,
        "disability": f.disability,
        "names": _names(builder),
        "quality": round(f.quality, 4),
        "criteria": criteria,
        "theme_scores": {k: (round(v, 4) if v is not None else None) for k, v in themes.items()},
        "score": round(score, 4),
        "grade": band(score),
        "visits": visits,
        "plan_actions": actions,
        "chronology_missing_events": missing,
        "events": [
            {
                "event_type": e.etype,
                "date": e.day.isoformat(),
                "in_chronology": e.in_chron,
                "mentioned_in": [{"table": t, "record_id": r} for t, r in e.mentions],
            }
            for e in f.events
        ],
        "summary": summary,
        "supervision": {
            s.record_id: {
                "reflective": s.reflective,
                "actions_owned": s.actions_owned,
                "actions_timed": s.actions,
            }
            for s in f.supervision
        },
        "genogram": None
        if f.genogram is None
        else {"date": f.genogram.day.isoformat(), "discussed_with": f.genogram.discussed_with},
        "auditor_grades": auditor_grades(builder.rng, score, themes),
    }
