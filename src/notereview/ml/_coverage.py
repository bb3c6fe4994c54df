"""Chronology coverage by meaning (H2): a significant event mentioned in a visit, summary or
supervision record, for which the rules find no chronology entry, is looked for among the
entries within the policy window by MiniLM cosine between the sentence that mentions it and
each entry's text. At or above the trained threshold the entry covers the event; the check
shows the cosine in its evidence.

Only a case file with an event the rules left uncovered costs an embedding call, and then one:
the mentions' sentences and the candidate entries (each distinct text once) together. The
check stays pure: :meth:`SemanticChronologyCoverage.match` runs before the checks and its
result reaches H2 through ``ReviewContext.extras`` (``COVERAGE_BY_MEANING``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from notereview.checks.chronology import (
    MeaningMatch,
    entries_in_window,
    judged_events,
    rules_covering_entry,
)

if TYPE_CHECKING:
    from notereview.casefile import ChronologyEntry
    from notereview.checks._context import EventMention, ReviewContext
    from notereview.ml._artefact import LoadedModel
    from notereview.ml._embed import Embedder
    from notereview.review import Reviewer


def mention_sentence(ctx: ReviewContext, event: EventMention) -> str:
    """The sentence of the record that holds the event's cue (the cue itself if the record's
    annotation is not there)."""
    at = ctx.annotation(event.table, event.record_id)
    if at is None:
        return event.quote
    for s in at.sentences:
        if s.start <= event.start < s.end:
            return at.text[s.start : s.end]
    return event.quote


def uncovered_events(ctx: ReviewContext) -> list[EventMention]:
    """The events H2 judges that the rules find no entry for."""
    return [ev for ev in judged_events(ctx) if rules_covering_entry(ctx, ev) is None]


def masked(text: str, first_name: str | None) -> str:
    """The text with the child's first name as "the child": MiniLM counts a shared name as
    shared meaning ("Nadia went to hospital" and "Nadia moved to a new placement" were
    0.62 alike), so neither text gets the name."""
    if not first_name or not first_name.strip():
        return text
    return re.sub(rf"\b{re.escape(first_name.strip())}\b", "the child", text)


def event_cosines(
    embedder: Embedder, ctx: ReviewContext, events: Sequence[EventMention]
) -> list[tuple[list[ChronologyEntry], np.ndarray]]:
    """For each event: its candidate entries and the cosine between its sentence and each
    (the child's name masked in both). One embedding call for the whole case file (the
    sentences and the entries, each distinct text once)."""
    name = ctx.case.child.first_name
    sentences = [masked(mention_sentence(ctx, ev), name) for ev in events]
    candidates = [entries_in_window(ctx, ev) for ev in events]
    entry_text = {e.entry_id: masked(e.text, name) for c in candidates for e in c}
    texts = list(dict.fromkeys([*sentences, *entry_text.values()]))
    if not any(candidates):
        return [(c, np.zeros(0, dtype=np.float32)) for c in candidates]
    vecs = embedder.embed(texts)
    row = {t: i for i, t in enumerate(texts)}
    return [
        (c, vecs[[row[entry_text[e.entry_id]] for e in c]] @ vecs[row[s]] if c
         else np.zeros(0, np.float32))
        for s, c in zip(sentences, candidates, strict=True)
    ]


class SemanticChronologyCoverage:
    """Finds the chronology entry that records an event in other words (H2's second look)."""

    def __init__(self, model: LoadedModel, embedder: Embedder) -> None:
        self.model = model
        self.embedder = embedder
        self.threshold = float(model.estimator.threshold_)
        self.name = f"chronology_coverage.{model.model_id}"
        self.cases_embedded = 0  # case files that needed an embedding call

    def match(self, ctx: ReviewContext) -> dict[EventMention, MeaningMatch]:
        """Each event the rules left uncovered that an entry in the window covers by meaning,
        with the best such entry (highest cosine; the earlier entry on a tie)."""
        events = uncovered_events(ctx)
        if not events or not ctx.case.chronology:
            return {}
        pairs = event_cosines(self.embedder, ctx, events)
        if any(len(c) for c, _ in pairs):
            self.cases_embedded += 1
        out: dict[EventMention, MeaningMatch] = {}
        for ev, (entries, cos) in zip(events, pairs, strict=True):
            if not entries:
                continue
            best = int(np.argmax(cos))
            if self.model.estimator.covers(float(cos[best])):
                entry = entries[best]
                out[ev] = MeaningMatch(
                    entry.entry_id, entry.event_date, round(float(cos[best]), 4),
                    self.threshold, self.name,
                )
        return out


@dataclass(frozen=True)
class CoverageExample:
    """One event mention of a synthetic case file, for choosing and measuring the threshold."""

    child_id: str
    style: str
    team: str
    age: int | None
    event_type: str
    rules_covered: bool
    best_cosine: float  # over the entries in the window (0 when there is none)
    truth: bool  # the event the sentence mentions has a chronology entry in the window


def _true_event(
    truth_events: Sequence[dict[str, Any]], event: EventMention
) -> dict[str, Any] | None:
    """The answer key's event that a detected mention refers to: the one of the same type
    mentioned in the same record; None when there is none (a detection the generator did not
    mean as that event, e.g. "three placement moves in a year" in a summary's history)."""
    here = [
        e for e in truth_events
        if {"table": event.table, "record_id": event.record_id} in e["mentioned_in"]
    ]
    same = [e for e in here if e["event_type"] == event.event_type]
    return same[0] if same else None


def coverage_examples(
    extract_dir: str | Path, embedder: Embedder, reviewer: Reviewer | None = None
) -> list[CoverageExample]:
    """One example per detected event mention of a synthetic extract whose answer key says
    which true event it refers to: the rules' verdict, the best cosine between its sentence
    and the entries in the window, and whether that event really has an entry there."""
    from notereview.ml._data import _contexts, load_answer_key
    from notereview.review import Reviewer

    folder = Path(extract_dir)
    key = load_answer_key(folder / "answer_key.json")
    as_of = date.fromisoformat(key["as_of"])
    reviewer = reviewer or Reviewer()
    window = timedelta(days=reviewer.policy.chronology_window_days)
    out: list[CoverageExample] = []
    for ctx in _contexts(folder, as_of, reviewer):
        truth = key["children"].get(ctx.case.child_id)
        if truth is None:
            continue
        events = judged_events(ctx)
        known = [(ev, t) for ev in events if (t := _true_event(truth["events"], ev))]
        if not known:
            continue
        pairs = event_cosines(embedder, ctx, [ev for ev, _ in known])
        for (ev, t), (_, cos) in zip(known, pairs, strict=True):
            # The generator wrote the event's entry on the event's day (in_chronology); the
            # entry's event_type column may be generic, so it is not read here.
            t_day = date.fromisoformat(t["date"])
            recorded = bool(t["in_chronology"]) and abs(t_day - ev.event_date) <= window
            out.append(
                CoverageExample(
                    child_id=ctx.case.child_id,
                    style=truth["style"],
                    team=truth["team"],
                    age=ctx.age,
                    event_type=ev.event_type,
                    rules_covered=rules_covering_entry(ctx, ev) is not None,
                    best_cosine=float(cos.max()) if cos.size else 0.0,
                    truth=recorded,
                )
            )
    return out
