"""Training and evaluation examples from a synthetic extract and its answer key.

Every example carries the answer key's label (what the generator wrote), the rules' label for
the same record (a weak label, and the baseline the models must beat) and the writer style, so
that training can keep to some styles and evaluation to others.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notereview.errors import NotereviewError
from notereview.ml._features import action_features, record_features, sentence_features

if TYPE_CHECKING:
    from notereview.checks._context import ReviewContext
    from notereview.review import Reviewer


@dataclass
class VisitExample:
    visit_id: str
    child_id: str
    style: str
    team: str
    age: int | None
    sentences: list[str]  # feature strings
    sentence_rule_voice: list[str]
    sentence_text: list[str]  # masked plain sentences (for embeddings)
    record: str  # feature string of the whole record
    truth: dict[str, Any]
    rules: dict[str, Any]
    actions: list[str] = field(default_factory=list)  # plan action texts of the child's plan
    rule_link_shared: int = 0
    plan_language: bool = False


@dataclass
class ActionExample:
    action_id: str
    child_id: str
    style: str
    team: str
    age: int | None
    features: str
    truth: dict[str, bool]
    rules: dict[str, bool]


@dataclass
class RecordExample:
    record_id: str
    child_id: str
    style: str
    team: str
    age: int | None
    features: str
    truth: bool | None
    rules: bool


@dataclass
class Dataset:
    visits: list[VisitExample] = field(default_factory=list)
    actions: list[ActionExample] = field(default_factory=list)
    supervision: list[RecordExample] = field(default_factory=list)
    chronology: list[RecordExample] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)  # child_id, team, age, truth, key

    def extend(self, other: Dataset) -> None:
        self.visits += other.visits
        self.actions += other.actions
        self.supervision += other.supervision
        self.chronology += other.chronology
        self.cases += other.cases


def load_answer_key(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise NotereviewError(f"answer key {p} does not exist; write one with notereview synth")
    return json.loads(p.read_text(encoding="utf-8"))


def _contexts(extract_dir: Path, as_of: date, reviewer: Reviewer) -> Iterator[ReviewContext]:
    from notereview.extract import read_extract

    extract = read_extract(extract_dir, as_of=as_of)
    absent = tuple(extract.tables_absent)
    for case in extract.case_files():
        yield reviewer.context(case, as_of, absent)


def build_dataset(extract_dir: str | Path, reviewer: Reviewer | None = None) -> Dataset:
    """Examples for every visit, plan action, supervision record and chronology entry."""
    from notereview.checks._linking import content_stems
    from notereview.review import Reviewer

    folder = Path(extract_dir)
    key = load_answer_key(folder / "answer_key.json")
    as_of = date.fromisoformat(key["as_of"])
    reviewer = reviewer or Reviewer()
    data = Dataset()
    for ctx in _contexts(folder, as_of, reviewer):
        case = ctx.case
        truth = key["children"].get(case.child_id)
        if truth is None:
            continue
        style, team, age = truth["style"], truth["team"], ctx.age
        name = case.child.first_name
        action_texts = [a.text for a in case.plan_actions]
        action_stems = [content_stems(t) for t in action_texts]
        for v in case.visits:
            at = ctx.annotations[("visits", v.visit_id)]
            lab = ctx.visit_labels[v.visit_id]
            t = truth["visits"].get(v.visit_id)
            if t is None:
                continue
            shared = 0
            plan_lang = False
            for s in at.sentences:
                stems = content_stems(v.text[s.start : s.end])
                shared = max([shared, *(len(stems & a) for a in action_stems)])
                plan_lang = plan_lang or any(c.kind == "plan_language" for c in s.cues)
            data.visits.append(
                VisitExample(
                    visit_id=v.visit_id,
                    child_id=case.child_id,
                    style=style,
                    team=team,
                    age=age,
                    sentences=[sentence_features(v.text, s, name, age) for s in at.sentences],
                    sentence_rule_voice=[s.voice for s in at.sentences],
                    sentence_text=[v.text[s.start : s.end] for s in at.sentences],
                    record=record_features(v.text, at, name),
                    truth={k: t[k] for k in ("voice", "plan_linked", "analysis")},
                    rules={"voice": lab.voice, "plan_linked": lab.plan_linked,
                           "analysis": lab.analysis},
                    actions=action_texts,
                    rule_link_shared=shared,
                    plan_language=plan_lang,
                )
            )
        for a in case.plan_actions:
            t = truth["plan_actions"].get(a.action_id)
            alab = ctx.action_labels.get(a.action_id)
            if t is None or alab is None:
                continue
            parts = {k: bool(getattr(alab, k)) for k in SMART_PARTS}
            data.actions.append(
                ActionExample(
                    action_id=a.action_id,
                    child_id=case.child_id,
                    style=style,
                    team=team,
                    age=age,
                    features=action_features(
                        a.text,
                        ctx.annotations.get(("plan_actions", a.action_id)),
                        bool(a.owner and a.owner.strip()),
                        a.due_date is not None,
                        parts,
                    ),
                    truth={k: bool(t[k]) for k in (*SMART_PARTS, "smart")},
                    rules={**parts, "smart": alab.smart},
                )
            )
        for r in case.supervision:
            t = truth["supervision"].get(r.record_id)
            at = ctx.annotations.get(("supervision", r.record_id))
            data.supervision.append(
                RecordExample(
                    r.record_id, case.child_id, style, team, age,
                    record_features(r.text, at, name),
                    None if t is None else bool(t["reflective"]),
                    rules=_rule_analysis(at),
                )
            )
        for e in case.chronology:
            at = ctx.annotations.get(("chronology", e.entry_id))
            impact = bool(e.impact and e.impact.strip())
            data.chronology.append(
                RecordExample(
                    e.entry_id, case.child_id, style, team, age,
                    record_features(e.text, at, name),
                    None,
                    rules=impact or _rule_analysis(at),
                )
            )
        data.cases.append({"child_id": case.child_id, "team": team, "age": age,
                           "style": style, "truth": truth})
    return data


SMART_PARTS: tuple[str, ...] = ("specific", "measurable", "owner_named", "timebound")


def _rule_analysis(at: Any) -> bool:
    if at is None:
        return False
    return any(
        c.kind == "analysis"
        for s in at.sentences
        if not ({"hypothetical", "negated"} & s.qualifiers)
        for c in s.cues
    )
