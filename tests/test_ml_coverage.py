"""H2 by meaning: a significant event the rules find no chronology entry for is covered by an
entry that says it in other words (MiniLM cosine at or above the trained threshold), with
evidence that says so; the entries are embedded once per case file; the check stays pure (the
model's result comes in through the review context); and without torch the rules path runs."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from tests.ml_fixtures import HashEmbedder, rubric_with_models

from notereview.casefile import CaseFile, Child, ChronologyEntry, Visit
from notereview.checks.chronology import (
    COVERAGE_BY_MEANING,
    ChronologyCoverage,
    MeaningMatch,
    rules_covering_entry,
)
from notereview.ml import describe_models, load_model, save_model, transformer_available
from notereview.ml._artefact import LoadedModel
from notereview.ml._coverage import SemanticChronologyCoverage, masked
from notereview.ml._estimators import CosineThreshold
from notereview.review import Reviewer

needs_transformer = pytest.mark.skipif(
    not transformer_available()[0], reason="transformer extra not installed"
)
MODELS = Path(__file__).resolve().parents[1] / "models"

DAY = date(2026, 5, 11)
VISIT = (
    "Visited Kai at home. Kai told me that on 9 May the police were called to the house after "
    "a row between Mum and her partner. Kai said he stayed in his room."
)
PARAPHRASE = (
    "Neighbour phoned about raised voices at the flat; officers spoke to Mum and her partner."
)
UNRELATED = ("Family time took place.", "PEP meeting held at school.")


def _case(entries: Sequence[tuple[str, str]]) -> CaseFile:
    child = Child(child_id="c1", legal_status="CIN", status_start=date(2025, 6, 1), team="t",
                  worker_id="w", first_name="Kai", age_years=9, gender="male")
    visit = Visit("v1", "c1", DAY, DAY, True, VISIT, seen_alone=True)
    chron = [
        ChronologyEntry(eid, "c1", date(2026, 5, 9), text, entered_at=date(2026, 5, 10),
                        event_type="Incident", source="Police")
        for eid, text in entries
    ]
    return CaseFile.build(child, visits=[visit], chronology=chron)


def _coverage(threshold: float = 0.3) -> tuple[SemanticChronologyCoverage, HashEmbedder]:
    est = CosineThreshold().fit([threshold - 0.01, threshold + 0.01], [False, True])
    emb = HashEmbedder()
    model = LoadedModel("chronology_coverage", "t", est, {}, Path("."))
    return SemanticChronologyCoverage(model, emb), emb  # type: ignore[arg-type]


def _h2(ctx: object) -> object:
    return ChronologyCoverage()(ctx)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def reviewer() -> Reviewer:
    return Reviewer()


def test_the_rules_miss_the_paraphrase(reviewer: Reviewer) -> None:
    ctx = reviewer.context(_case([("e1", PARAPHRASE)]), DAY)
    assert [e.event_type for e in ctx.events][:1] == ["police_call_out"]
    assert rules_covering_entry(ctx, ctx.events[0]) is None
    assert _h2(ctx).status != "met"


def test_meaning_covers_a_retold_entry_not_an_unrelated_one(reviewer: Reviewer) -> None:
    coverage, _ = _coverage()
    ctx = reviewer.context(_case([("e1", PARAPHRASE), ("e2", UNRELATED[0])]), DAY)
    found = coverage.match(ctx)
    assert {ev.event_type: m.entry_id for ev, m in found.items()} == {"police_call_out": "e1"}
    unrelated = reviewer.context(_case([("e2", UNRELATED[0]), ("e3", UNRELATED[1])]), DAY)
    assert coverage.match(unrelated) == {}


def test_h2_reads_the_match_from_the_context_and_says_so(reviewer: Reviewer) -> None:
    from dataclasses import replace

    ctx = reviewer.context(_case([("e1", PARAPHRASE)]), DAY)
    without = _h2(ctx)
    event = ctx.events[0]
    match = MeaningMatch("e1", date(2026, 5, 9), 0.71, 0.55, "chronology_coverage.test@1")
    with_match = _h2(replace(ctx, extras={**ctx.extras, COVERAGE_BY_MEANING: {event: match}}))
    assert without.status != "met" and with_match.status == "met"
    ev = next(e for e in with_match.evidence if e.source == "chronology_coverage.test@1")
    assert "by meaning" in ev.why and "0.71" in ev.why and "e1" in ev.why
    assert ev.quote == event.quote  # the visit's words, quoted where they are
    assert ev.quote == VISIT[ev.start : ev.end]


def test_a_match_never_overrides_the_rules(reviewer: Reviewer) -> None:
    from dataclasses import replace

    ctx = reviewer.context(_case([("e1", "Police called to the home after a domestic.")]), DAY)
    event = ctx.events[0]
    assert rules_covering_entry(ctx, event) is not None
    match = MeaningMatch("e9", DAY, 0.9, 0.55, "chronology_coverage.test@1")
    finding = _h2(replace(ctx, extras={**ctx.extras, COVERAGE_BY_MEANING: {event: match}}))
    assert finding == _h2(ctx)
    coverage, emb = _coverage()
    assert coverage.match(ctx) == {} and emb.calls == []  # nothing to look for: no embedding


def test_entries_are_embedded_once_per_case_file(reviewer: Reviewer) -> None:
    visit2 = Visit("v2", "c1", date(2026, 5, 13), date(2026, 5, 13), True,
                   "Kai told me he was taken to A&E on 12 May with a cut to his head.")
    case = _case([("e1", PARAPHRASE), ("e2", UNRELATED[0]), ("e3", UNRELATED[0])])
    case = CaseFile.build(case.child, visits=[*case.visits, visit2], chronology=case.chronology)
    ctx = reviewer.context(case, date(2026, 5, 14))
    assert len(ctx.events) == 2
    coverage, emb = _coverage()
    coverage.match(ctx)
    assert len(emb.calls) == 1  # both events' sentences and every candidate entry at once
    texts = emb.calls[0]
    assert len(texts) == len(set(texts))  # each distinct text once ("Family time" twice)
    assert masked(PARAPHRASE, "Kai") in texts and masked(UNRELATED[0], "Kai") in texts
    assert all("Kai" not in t for t in texts)  # the child's name masked on both sides
    assert coverage.cases_embedded == 1


def test_cosine_threshold_fits_the_widest_gap_and_round_trips(tmp_path: Path) -> None:
    est = CosineThreshold().fit([0.1, 0.2, 0.3, 0.7, 0.8], [False, False, False, True, True])
    assert est.threshold_ == pytest.approx(0.5)
    assert est.covers(0.5) and not est.covers(0.49)
    only_missing = CosineThreshold().fit([0.1, 0.4, 0.55], [False, False, False])
    assert only_missing.threshold_ > 0.55 and not only_missing.covers(0.55)
    save_model(est, tmp_path, "chronology_coverage", "t", {"threshold": est.threshold_}, "")
    loaded = load_model(tmp_path, "chronology_coverage", "t").estimator
    assert loaded.threshold_ == est.threshold_


def test_without_torch_h2_is_the_rules_and_run_json_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reviewer: Reviewer
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    chosen = Reviewer(rubric_path=rubric_with_models(tmp_path, {"chronology_coverage":
                                                     "chronology_coverage@1"}),
                      models=MODELS)
    assert chosen.chronology_coverage is None
    info = describe_models(chosen)
    assert info["labels"]["chronology_coverage"] == "rules"
    assert "rules used" in info["notes"]["chronology_coverage"]
    assert info["transformer"].startswith("not available: torch")
    case = _case([("e1", PARAPHRASE)])
    assert _h2(chosen.context(case, DAY)) == _h2(reviewer.context(case, DAY))


@pytest.mark.slow
@needs_transformer
def test_the_shipped_model_covers_a_paraphrase_by_meaning(tmp_path: Path) -> None:
    chosen = Reviewer(rubric_path=rubric_with_models(tmp_path, {"chronology_coverage":
                                                     "chronology_coverage@1"}),
                      models=MODELS)
    assert describe_models(chosen)["labels"]["chronology_coverage"] == "chronology_coverage@1"
    assert isinstance(chosen.chronology_coverage, SemanticChronologyCoverage)
    finding = chosen.review(_case([("e1", PARAPHRASE), ("e2", UNRELATED[0])]), DAY).findings
    h2 = next(f for f in finding if f.criterion == "H2")
    assert h2.status == "met"
    ev = next(e for e in h2.evidence if e.source == "chronology_coverage.chronology_coverage@1")
    assert "entry e1" in ev.why and "by meaning" in ev.why
    unrelated = chosen.review(_case([("e2", UNRELATED[0]), ("e3", UNRELATED[1])]), DAY)
    assert next(f for f in unrelated.findings if f.criterion == "H2").status != "met"
    threshold = load_model(MODELS, "chronology_coverage", "1").estimator.threshold_
    assert 0.3 < threshold < 0.9
