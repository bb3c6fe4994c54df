"""Auditors' corrections from outside the case page: a council's back catalogue of audits.

``import_answer_key`` turns an answer key in the format of the hand-written development set
(per child: ``visits`` → visit_id → ``voice``, ``plan_linked``, ``analysis``; ``plan_actions`` →
action_id → ``smart`` and optionally its parts) into stored corrections of one run's verdicts,
as if an auditor had made them on the case page: one per record and label family, with the
run's verdict as ``original`` (a correction that repeats it is a confirmation).

Each visit correction carries the rules' reading of its record (``record_readings``): the
offsets and features of every sentence, as the learned judgement reads them (names masked),
and the rules' own plan-link strength. Retraining (``notereview train --from-corrections``)
learns from those readings, so it needs neither the extract nor the note text again.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from notereview.errors import NotereviewError

#: The answer key's visit label for each correction family.
VISIT_KEY_LABELS = {"voice": "voice", "analysis": "analysis", "plan_link": "plan_linked"}
#: The run's visits column for each family.
VISIT_RUN_COLUMNS = {"voice": "voice", "analysis": "analysis", "plan_link": "plan_linked"}
ACTION_FAMILIES = ("smart", "specific", "measurable", "owner_named", "timebound")


@dataclass(frozen=True)
class ImportResult:
    """What an import stored, and what it could not match to the run."""

    children: int
    corrections: int
    confirmations: int
    records_not_in_run: int


def bool_value(value: Any) -> str | None:
    """A boolean verdict as stored ("true"/"false"), None when absent."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return "true" if bool(value) else "false"


def visit_readings(
    extract: str | Path,
    as_of: date,
    reviewer: Any,
    linker: Any,
    children: Collection[str] | None = None,
) -> Iterator[tuple[Any, Any, frozenset[str], int]]:
    """(visit, its annotation, the child's name forms, the rules' plan-link strength) for every
    visit record of an extract, read as the rubric reads it (the children given; all where
    None). What retraining and the judgement's training learn from."""
    from notereview.checks._context import annotate_case, child_context, people_names
    from notereview.extract import read_extract

    wanted = None if children is None else {str(c) for c in children}
    for case in read_extract(extract, as_of=as_of).case_files():
        if wanted is not None and str(case.child_id) not in wanted:
            continue
        people = child_context(case, as_of, reviewer.annotator)
        forms, names = people_names(case, people)
        annotated = annotate_case(case, reviewer.annotator, as_of, people)
        for v in case.visits:
            at = annotated[("visits", v.visit_id)]
            strength = linker.link_visit(
                v.visit_id, v.text, at, case.plan_actions, names=names
            ).strength
            yield v, at, forms, int(strength)


def record_readings(
    extract: str | Path, as_of: date, children: Collection[str] | None = None
) -> dict[str, dict[str, Any]]:
    """visit_id → the rules' reading of the visit record (sentence offsets, the judgement's
    features, the rules' plan-link strength), for the children given (all where None)."""
    from notereview.checks._judgement import FEATURES_VERSION, text_features
    from notereview.review import Reviewer

    reviewer = Reviewer()
    out: dict[str, dict[str, Any]] = {}
    for v, at, forms, strength in visit_readings(
        extract, as_of, reviewer, reviewer.linker, children
    ):
        feats = text_features(v.text, at.sentences, forms)
        out[str(v.visit_id)] = {
            "features_version": FEATURES_VERSION,
            "sentences": [
                [s.start, s.end, sorted(f)] for s, f in zip(at.sentences, feats, strict=True)
            ],
            "plan_link_rules": strength,
        }
    return out


@lru_cache(maxsize=1)
def _annotator() -> Any:
    from notereview.nlp import build_pipeline

    return build_pipeline()


def text_reading(text: str) -> dict[str, Any]:
    """The rules' reading of one record's text where only the text is at hand (a correction
    made on the case page: the store keeps no names, so no name is masked as the child's;
    capitalised names inside a sentence are masked all the same)."""
    from notereview.checks._judgement import FEATURES_VERSION, text_features

    annotator = _annotator()
    ctx = annotator.child_context("", "unknown", None, [], [text])
    at = annotator.annotate(text, ctx)
    feats = text_features(text, at.sentences, frozenset())
    return {
        "features_version": FEATURES_VERSION,
        "sentences": [
            [s.start, s.end, sorted(f)] for s, f in zip(at.sentences, feats, strict=True)
        ],
        "plan_link_rules": 0,
    }


def _read_key(answer_key: Path) -> dict[str, Any]:
    try:
        key = json.loads(answer_key.read_text(encoding="utf-8"))
        children = key["children"]
        if not isinstance(children, dict):
            raise TypeError("children")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NotereviewError(
            f"the answer key {answer_key} is not readable ({type(exc).__name__}): it needs a "
            "'children' object as in casefiles_dev/answer_key.json"
        ) from None
    return {str(c): v for c, v in children.items()}


def import_answer_key(
    engine: Any,
    answer_key: str | Path,
    run_dir: str | Path,
    auditor: str,
    *,
    extract: str | Path | None = None,
    children: Collection[str] | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Store the answer key's labels as corrections of the run in ``run_dir`` (what
    ``notereview score --out`` wrote). ``extract``: the extract the run scored (default: the
    answer key's folder), read for the records' readings. ``children``: only these."""
    from notereview.evaluation import _read_table
    from notereview.store import CorrectionInput, add_corrections, read_run_dir, run_key

    key_path = Path(answer_key)
    truth = _read_key(key_path)
    if children is not None:
        wanted = {str(c) for c in children}
        unknown = sorted(wanted - set(truth))
        if unknown:
            raise NotereviewError(
                f"{len(unknown)} of the children asked for are not in {key_path} "
                f"(first: {unknown[0]})"
            )
        truth = {c: v for c, v in truth.items() if c in wanted}
    run = Path(run_dir)
    run_info, _tables = read_run_dir(run)
    versions = run_info.get("versions", {})
    rubric_version = str(versions.get("rubric", ""))
    judgement = versions.get("judgement", "rules")
    model_version = judgement.get("model", "rules") if isinstance(judgement, dict) else "rules"
    key_of_run = run_key(run_info)
    visits = _read_table(run, "visits")
    actions = _read_table(run, "plan_actions")
    for table in (visits, actions):
        for col in ("child_id", "visit_id", "action_id"):
            if col in table.columns:
                table[col] = table[col].astype(str)
    visit_rows = {r.visit_id: r for r in visits.itertuples(index=False)}
    action_rows = {r.action_id: r for r in actions.itertuples(index=False)}
    as_of = date.fromisoformat(str(run_info["as_of"])[:10])
    readings = record_readings(extract or key_path.parent, as_of, truth.keys())

    items: list[CorrectionInput] = []
    missing = 0

    def add(
        child: str,
        kind: str,
        rid: str,
        family: str,
        orig: str | None,
        new: str,
        reading: Any = None,
    ) -> None:
        items.append(
            CorrectionInput(
                auditor=auditor,
                source="import",
                run_key=key_of_run,
                child_id=child,
                record_kind=kind,
                record_id=rid,
                family=family,
                corrected=new,
                original=orig,
                rubric_version=rubric_version,
                model_version=model_version,
                reading=reading,
            )
        )

    for child, labels in truth.items():
        for vid, lab in (labels.get("visits") or {}).items():
            row = visit_rows.get(str(vid))
            if row is None or str(vid) not in readings:
                missing += 1
                continue
            for family, key_label in VISIT_KEY_LABELS.items():
                if key_label not in lab:
                    continue
                got = getattr(row, VISIT_RUN_COLUMNS[family])
                if family == "voice":
                    orig = None if got is None else str(got)
                    new = str(lab[key_label])
                else:
                    orig, new = bool_value(got), bool_value(lab[key_label]) or "false"
                add(child, "visit", str(vid), family, orig, new, readings[str(vid)])
        for aid, lab in (labels.get("plan_actions") or {}).items():
            row = action_rows.get(str(aid))
            if row is None:
                missing += 1
                continue
            for family in ACTION_FAMILIES:
                if family in lab:
                    new = bool_value(lab[family]) or "false"
                    add(
                        child,
                        "plan_action",
                        str(aid),
                        family,
                        bool_value(getattr(row, family)),
                        new,
                    )
    stored = add_corrections(engine, items, now=now)
    return ImportResult(
        children=len(truth),
        corrections=len(stored),
        confirmations=sum(1 for r in stored if r.agrees),
        records_not_in_run=missing,
    )
