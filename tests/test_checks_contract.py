"""One contract over every registered check (like scikit-learn's estimator checks): run each on
real synthetic case files and hold it to the Finding contract."""

from __future__ import annotations

import itertools

import pytest

from notereview.checks import registered
from notereview.checks._finding import STATUS_RANGE, Finding
from notereview.checks._rubric import CRITERIA

EXPECTED_REGISTRY = [
    "case_summary.current@1", "case_summary.safety_plan@1", "case_summary.succinct@1",
    "case_summary.voice@1", "chronology.coverage@1", "chronology.gaps@1", "chronology.impact@1",
    "chronology.present@1", "genogram.current@1", "genogram.meaningful@1", "genogram.network@1",
    "oversight.actions@1", "oversight.frequency@1", "oversight.reflective@1", "plans.reviewed@1",
    "plans.smart@1", "plans.updated@1", "visits.analysis@1", "visits.interval@1",
    "visits.plan_linked@1", "visits.recorded_on_time@1", "visits.seen@1", "voice.observation@1",
    "voice.shaped_plan@1", "voice.wishes_feelings@1", "voice.words@1",
]  # fmt: skip


def test_registry_is_what_we_expect():
    assert list(registered()) == EXPECTED_REGISTRY


def test_rubric_covers_every_criterion_once(reviewer):
    assert [c.criterion for c in reviewer.rubric.checks] == list(CRITERIA)


@pytest.fixture(scope="module")
def contexts(ingested, reviewer):
    cases = list(itertools.islice(ingested.case_files(), 40))
    return [(c, reviewer.context(c, ingested.as_of)) for c in cases]


def _texts(case):
    out = {("visits", v.visit_id): v.text for v in case.visits}
    out |= {("case_summaries", s.summary_id): s.text for s in case.case_summaries}
    out |= {("plan_actions", a.action_id): a.text for a in case.plan_actions}
    out |= {("chronology", e.entry_id): e.text for e in case.chronology}
    out |= {("supervision", r.record_id): r.text for r in case.supervision}
    out |= {("genograms", g.genogram_id): g.notes or "" for g in case.genograms}
    return out


@pytest.mark.parametrize("name", EXPECTED_REGISTRY)
def test_check_contract(name, contexts, reviewer):
    check = next(c for c in reviewer.rubric.checks if c.name == name)
    statuses = set()
    for case, ctx in contexts:
        finding = check(ctx)
        assert isinstance(finding, Finding)
        assert finding.criterion == check.criterion and finding.theme == check.theme
        assert finding.check == name
        low, high = STATUS_RANGE[finding.status]
        assert low <= finding.score <= high, "status consistent with score"
        assert 0 <= finding.confidence <= 1
        # No score without evidence or a stated absence.
        assert finding.evidence or finding.missing, f"{name} on {case.child_id} explains nothing"
        if finding.status in ("partly_met", "not_met", "not_applicable"):
            assert finding.missing.strip(), "what is missing, in plain words"
        texts = _texts(case)
        for ev in finding.evidence:
            assert ev.why.strip() and ev.source.strip()
            assert 0 <= ev.start <= ev.end
            if ev.end > ev.start:
                text = texts[(ev.table, ev.record_id)]
                assert text[ev.start : ev.end] == ev.quote, "quote equals the text at its offsets"
        assert check(ctx) == finding, "deterministic"
        statuses.add(finding.status)
    assert statuses, name


def test_every_criterion_sees_more_than_one_status(contexts, reviewer):
    """A check that says the same thing about forty different files is not looking."""
    for check in reviewer.rubric.checks:
        seen = {check(ctx).status for _, ctx in contexts}
        assert len(seen) >= 2, f"{check.criterion} gave only {seen}"
