"""Reviewing a case file, and checking one piece of text (the exemplar checker).

``Reviewer`` holds the rubric, policy, calendar and the one annotation pipeline, built lazily
on first use (never at import time), and turns a CaseFile into a CaseReview: every finding,
the per-visit and per-action labels, and the case score.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notereview.casefile import (
    CaseFile,
    CaseSummary,
    Child,
    ChronologyEntry,
    Plan,
    PlanAction,
    SupervisionRecord,
    Visit,
)
from notereview.checks._context import (
    ActionLabel,
    ReviewContext,
    VisitLabel,
    annotate_case,
    build_context,
    child_context,
)
from notereview.checks._finding import Finding
from notereview.checks._linking import PlanLinker
from notereview.checks._rubric import Rubric, load_rubric
from notereview.errors import NotereviewError
from notereview.scoring import CaseScore, score_case

if TYPE_CHECKING:
    from notereview.nlp import Annotator
    from notereview.nlp._people import RoleOf
    from notereview.policy import Policy, WorkingCalendar


@dataclass(frozen=True)
class CaseReview:
    case: CaseFile
    findings: tuple[Finding, ...]
    visit_labels: dict[str, VisitLabel]
    action_labels: dict[str, ActionLabel]
    score: CaseScore


class Reviewer:
    """Reviews case files against the rubric. Cheap to construct; loads on first use."""

    def __init__(
        self,
        rubric_path: str | Path | None = None,
        policy_path: str | Path | None = None,
        patterns_dir: str | Path | None = None,
        models: str | Path | None = None,
    ) -> None:
        self.rubric_path = rubric_path
        self.policy_path = policy_path
        self.patterns_dir = patterns_dir
        # None: the rules only. "auto" or a folder: the models the rubric's `models` section
        # chooses, from notereview.ml.default_models_dir() or that folder (notereview.ml).
        self.models = models

    @cached_property
    def model_set(self) -> Any:
        if self.models is None:
            return None
        from notereview.ml import load_model_set

        folder = None if str(self.models) == "auto" else self.models
        return load_model_set(self.rubric.spec.models, folder)

    @cached_property
    def labeller(self) -> Any:
        return self.model_set.labeller() if self.model_set is not None else None

    @cached_property
    def rubric(self) -> Rubric:
        return load_rubric(self.rubric_path)

    @cached_property
    def policy(self) -> Policy:
        from notereview.policy import load_policy

        return load_policy(self.policy_path)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        from notereview.policy import WorkingCalendar

        return WorkingCalendar.from_policy(self.policy)

    @cached_property
    def annotator(self) -> Annotator:
        from notereview.nlp import build_pipeline

        return build_pipeline(
            Path(self.patterns_dir) if self.patterns_dir else None,
            pre_verbal_age_below=self.policy.pre_verbal_age_below,
        )

    @cached_property
    def case_model(self) -> Any:
        return self.model_set.case_model() if self.model_set is not None else None

    @cached_property
    def chronology_coverage(self) -> Any:
        """H2's second look by meaning (notereview.ml), or None: the rules alone."""
        return self.model_set.chronology_coverage() if self.model_set is not None else None

    @cached_property
    def judgement(self) -> Any:
        """The rubric's learned judgement of visit records (checks._judgement), or None."""
        chosen = self.rubric.spec.judgement
        if chosen == "rules":
            return None
        from notereview.checks._judgement import load_judgement

        return load_judgement(chosen.partition("@")[2])

    @cached_property
    def linker(self) -> PlanLinker:
        semantic = self.model_set.linker() if self.model_set is not None else None
        return semantic or PlanLinker()

    def versions(self) -> dict[str, Any]:
        return {
            "rubric": self.rubric.version,
            "rubric_sha256": self.rubric.fingerprint,
            "policy": self.policy.version,
            "policy_sha256": self.policy.fingerprint(),
            "nlp": self._nlp_versions(),
            "checks": [c.name for c in self.rubric.checks],
            "plan_linker": self.linker.name,
            "judgement": self._judgement_version(),
            "models": self.model_set.describe()["labels"] if self.model_set else "rules",
        }

    def _judgement_version(self) -> dict[str, str] | str:
        judgement = self.judgement
        if judgement is None:
            return "rules"
        return {"model": judgement.model_id, "sha256": judgement.sha256}

    def _nlp_versions(self) -> dict[str, str]:
        if "annotator" in self.__dict__:
            return dict(self.annotator.versions)
        from notereview.nlp import pipeline_versions
        from notereview.nlp._patterns import default_patterns_dir, load_patterns

        folder = Path(self.patterns_dir) if self.patterns_dir else default_patterns_dir()
        return pipeline_versions(load_patterns(folder))  # without building the pipeline

    def context(
        self, case: CaseFile, as_of: date, tables_absent: Iterable[str] = ()
    ) -> ReviewContext:
        annotations = None
        people = None
        prepare = getattr(self.linker, "prepare", None)
        if prepare is not None:  # the semantic linker decides a case file's visits in one batch
            people = child_context(case, as_of, self.annotator)
            annotations = annotate_case(case, self.annotator, as_of, people)
            prepare(case, annotations)
        ctx = build_context(
            case,
            self.annotator,
            self.policy,
            self.calendar,
            as_of,
            linker=self.linker,
            tables_absent=tables_absent,
            annotations=annotations,
            labeller=self.labeller,
            judgement=self.judgement,
            people=people,
        )
        if self.chronology_coverage is not None:  # events found in the chronology by meaning
            from notereview.checks.chronology import COVERAGE_BY_MEANING

            found = self.chronology_coverage.match(ctx)
            ctx = replace(ctx, extras={**ctx.extras, COVERAGE_BY_MEANING: found})
        return ctx

    def review(self, case: CaseFile, as_of: date, tables_absent: Iterable[str] = ()) -> CaseReview:
        ctx = self.context(case, as_of, tables_absent)
        findings = tuple(check(ctx) for check in self.rubric.checks)
        score = score_case(case.child_id, findings, self.rubric)
        if self.case_model is not None:
            p = float(self.case_model.p_inadequate([score.themes])[0])
            score = replace(score, p_inadequate=round(p, 4))
        return CaseReview(
            case=case,
            findings=findings,
            visit_labels=ctx.visit_labels,
            action_labels=ctx.action_labels,
            score=score,
        )


def keep_torch_out() -> None:
    """For a process on the rules path: ``import spacy`` imports torch whenever it is installed
    (+1 s, +170 MB) though nothing here uses it. Call before spaCy is first imported."""
    if "torch" not in sys.modules:
        sys.modules["torch"] = None  # type: ignore[assignment]


KIND_CRITERIA: dict[str, tuple[str, ...]] = {
    "visit": ("C1", "C2", "C3", "C4", "V4", "V5"),
    "case_summary": ("S2", "S3", "S4"),
    "plan_action": ("P1",),
    "chronology_entry": ("H3",),
    "supervision": ("M2", "M3"),
}
MAX_EXEMPLAR_CHARS = 20_000


class ExemplarError(NotereviewError):
    """An exemplar check was asked for something it cannot do (unknown kind, empty text)."""


def _exemplar_case(
    kind: str,
    text: str,
    child_name: str | None,
    age: int | None,
    day: date,
    role_letters: frozenset[str] = frozenset(),
    role_of: RoleOf | None = None,
    speaks: re.Pattern[str] | None = None,
) -> CaseFile:
    from notereview.nlp._unnamed import likely_child_name

    child = Child(
        child_id="exemplar",
        legal_status="CIN",
        status_start=day - timedelta(days=365),
        team="exemplar",
        worker_id="exemplar",
        # a passage pasted without the child's name: the name it uses most is the child
        first_name=child_name or likely_child_name(text, role_letters, role_of, speaks),
        age_years=age,
        gender="unknown",
    )
    rid = "exemplar-1"
    if kind == "visit":
        plan = Plan("exemplar-plan", "exemplar", "CIN", day - timedelta(days=30))
        return CaseFile.build(
            child,
            visits=[Visit(rid, "exemplar", day, day, True, text, seen_alone=True)],
            plans=[plan],
        )
    if kind == "case_summary":
        return CaseFile.build(child, case_summaries=[CaseSummary(rid, "exemplar", day, text)])
    if kind == "plan_action":
        action = PlanAction(rid, "exemplar-plan", text)
        plan = Plan("exemplar-plan", "exemplar", "CIN", day, actions=(action,))
        return CaseFile.build(child, plans=[plan])
    if kind == "chronology_entry":
        return CaseFile.build(
            child, chronology=[ChronologyEntry(rid, "exemplar", day, text, source="exemplar")]
        )
    return CaseFile.build(child, supervision=[SupervisionRecord(rid, "exemplar", day, text)])


def check_text(
    kind: str,
    text: str,
    child_name: str | None = None,
    age: int | None = None,
    reviewer: Reviewer | None = None,
    on: date | None = None,
) -> dict[str, Any]:
    """The findings one piece of text can show, as CONTRACT.md's ``check`` JSON."""
    if kind not in KIND_CRITERIA:
        raise ExemplarError(f"unknown kind {kind!r}; use one of: {', '.join(KIND_CRITERIA)}")
    if not text or not text.strip():
        raise ExemplarError("the text to check is empty")
    if len(text) > MAX_EXEMPLAR_CHARS:
        raise ExemplarError(
            f"the text is {len(text)} characters; an exemplar check takes at most "
            f"{MAX_EXEMPLAR_CHARS}"
        )
    reviewer = reviewer or Reviewer()
    day = on or date.today()
    role_letters = frozenset(
        t for e in reviewer.annotator.patterns.speakers for t in e.triggers if len(t) == 1
    )
    case = _exemplar_case(
        kind,
        text,
        child_name,
        age,
        day,
        role_letters,
        reviewer.annotator.relationships,
        reviewer.annotator.speaks,
    )
    ctx = reviewer.context(case, day)
    wanted = KIND_CRITERIA[kind]
    findings = [check(ctx) for check in reviewer.rubric.checks if check.criterion in wanted]
    labels: dict[str, Any] = {}
    if kind == "visit":
        lab = ctx.visit_labels["exemplar-1"]
        labels = {"voice": lab.voice, "plan_linked": lab.plan_linked, "analysis": lab.analysis}
    elif kind == "plan_action":
        act = ctx.action_labels["exemplar-1"]
        labels = {
            "smart": act.smart,
            "specific": act.specific,
            "measurable": act.measurable,
            "owner_named": act.owner_named,
            "timebound": act.timebound,
        }
    findings = [_as_exemplar(f, kind, ctx, age) for f in findings]
    out = []
    for f in findings:
        d = f.as_dict()
        d.pop("theme")
        rubric = reviewer.rubric
        cid = f.criterion
        d["verdict"], d["advice"] = _verdict(f, rubric.title(cid), rubric.advice(cid))
        out.append(d)
    return {"kind": kind, "findings": out, "labels": labels}


def _as_exemplar(finding: Finding, kind: str, ctx: ReviewContext, age: int | None) -> Finding:
    """A criterion read on one pasted text rather than on a case file.

    - P1: a plan's owner and due date live in its own fields, which a pasted action does not
      carry: the action is judged on what its text can show (what will be done, and how we
      will know), and who and by when are advice where the text lacks them.
    - C3: with no age given, a text that observes the child's cues and holds none of their
      words is read as about a child who does not (yet) speak: the observation is C3's
      evidence.
    - S3: a pasted worry statement is one part of a safety plan: stated specifically (who is
      worried, about what, the impact on the child) it is good, and the other parts are advice.
    - V5: a passage that records specific observed facts is fact, not bare opinion: good, with
      what it means for the child as advice where the passage does not say.
    """
    if kind == "plan_action" and finding.criterion == "P1":
        act = ctx.action_labels["exemplar-1"]
        gaps = [
            words
            for part, words in (
                ("owner_named", "who will do it"),
                ("timebound", "by when"),
            )
            if not getattr(act, part)
        ]
        if act.specific and act.measurable:
            advice = (
                f"the text does not say {' or '.join(gaps)}: say so, or make sure the plan's "
                "owner and due-date fields do"
                if gaps
                else ""
            )
            return replace(finding, status="met", score=1.0, missing=advice)
        return finding
    if kind == "case_summary" and finding.criterion == "S3" and finding.status != "met":
        if any(e.source == _WORRY_STATEMENT for e in finding.evidence):
            return replace(
                finding,
                status="met",
                score=1.0,
                missing=(
                    "beside the worry, a safety plan says the strengths, who does what by "
                    "when, and what happens if the plan does not work"
                ),
            )
        return finding
    if kind == "visit" and finding.criterion == "V5" and finding.status != "met":
        lab = ctx.visit_labels["exemplar-1"]
        if lab.facts_evidence:
            return replace(
                finding,
                status="met",
                score=1.0,
                evidence=(*finding.evidence, *lab.facts_evidence),
                missing="say what your observations mean for the child, and what happens next",
            )
        return finding
    if kind == "visit" and finding.criterion == "C3" and age is None:
        lab = ctx.visit_labels["exemplar-1"]
        if lab.voice == "observation" and finding.status == "not_applicable":
            return replace(
                finding,
                status="met",
                score=1.0,
                evidence=lab.observation_evidence,
                missing="",
            )
    return finding


_VERDICT = {"met": "good", "partly_met": "partly", "not_met": "missing"}
#: S3's evidence that a worry is stated specifically (checks/case_summary.py).
_WORRY_STATEMENT = "safety_plan.worry_statement"


def _verdict(finding: Finding, title: str, advice: str = "") -> tuple[str, str]:
    """Per criterion, in words a practice lead can act on: good, partly there, or missing,
    and what to add (the rubric's advice for the criterion, else what the check found
    missing)."""
    verdict = _VERDICT.get(finding.status, "not applicable")
    if verdict == "good":
        return verdict, f"{title}: good" + (
            f". To strengthen it: {finding.missing}" if finding.missing else ""
        )
    if verdict == "not applicable":
        return verdict, f"{title}: not applicable here" + (
            f" ({finding.missing})" if finding.missing else ""
        )
    todo = advice or finding.missing
    return verdict, f"{title}: {verdict}" + (f". To add: {todo}" if todo else "")
