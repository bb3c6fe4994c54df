"""A run measured against the synthetic generator's answer key: accuracy and macro-F1 per
criterion, per-visit voice / plan-link / analysis accuracy, SMART accuracy, and the Spearman
correlation of the case ranking with the true quality."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from notereview._spreadsheet import read_output_csv
from notereview.checks._finding import STATUS_SCORE
from notereview.checks._rubric import load_rubric
from notereview.errors import NotereviewError
from notereview.vocabulary import CRITERIA, THEMES


def _read_table(run_dir: Path, name: str) -> pd.DataFrame:
    for ext, reader in (("parquet", pd.read_parquet), ("csv", read_output_csv)):
        path = run_dir / f"{name}.{ext}"
        if path.is_file():
            return reader(path)
    raise NotereviewError(f"the run folder {run_dir} has no {name}.parquet or {name}.csv")


def _macro_f1(truth: list[str], pred: list[str]) -> float:
    labels = sorted(set(truth) | set(pred))
    scores = []
    for lab in labels:
        tp = sum(t == lab and p == lab for t, p in zip(truth, pred, strict=True))
        fp = sum(t != lab and p == lab for t, p in zip(truth, pred, strict=True))
        fn = sum(t == lab and p != lab for t, p in zip(truth, pred, strict=True))
        if tp + fp + fn == 0:
            continue
        scores.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else float("nan")


def _spearman(a: list[float], b: list[float]) -> float:
    if len(a) < 3:
        return float("nan")
    ra = pd.Series(a).rank().to_numpy()
    rb = pd.Series(b).rank().to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


@dataclass
class RunEvaluation:
    children: int
    criteria: dict[str, dict[str, float]] = field(default_factory=dict)
    visits: dict[str, float] = field(default_factory=dict)
    plan_actions: dict[str, float] = field(default_factory=dict)
    ranking: dict[str, float] = field(default_factory=dict)
    confusion: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    #: The headline figures, one per column of the judgement table (README "Judgement").
    summary: dict[str, float] = field(default_factory=dict)
    #: Every miss, for reading: record id, what the key says, the verdict and its evidence.
    errors: list[dict[str, Any]] = field(default_factory=list)


def key_status(value: Any) -> str:
    """A criterion's status in an answer key: a bare status (the generator's key) or an object
    with ``status`` and the auditor's ``why`` (a hand-written key)."""
    return str(value["status"]) if isinstance(value, dict) else str(value)


def true_case_score(statuses: dict[str, Any], rubric_path: Path | None = None) -> float:
    """The case score the answer key's true statuses would give, with the rubric's weights."""
    rubric = load_rubric(rubric_path)
    theme_scores = {}
    plain = {c: key_status(s) for c, s in statuses.items()}
    for theme in THEMES:
        items = [
            (rubric.criterion_weight(c), STATUS_SCORE[s])
            for c, s in plain.items()
            if s in STATUS_SCORE
            and c in rubric.spec.criteria
            and rubric.spec.criteria[c].theme == theme
        ]
        if items:
            theme_scores[theme] = sum(w * v for w, v in items) / sum(w for w, _ in items)
    if not theme_scores:
        return 0.0
    tw = {t: rubric.theme_weight(t) for t in theme_scores}
    return sum(tw[t] * s for t, s in theme_scores.items()) / sum(tw.values())


def _evidence(cell: Any) -> Any:
    if isinstance(cell, str):
        try:
            return json.loads(cell)
        except ValueError:
            return cell
    return cell


def evaluate_run(run_dir: str | Path, answer_key: str | Path) -> RunEvaluation:
    """A run's files against an answer key: the generator's (``notereview synth``) or an
    auditor's hand-written one (criteria as objects with ``status`` and ``why``, and
    ``weakest_first``). Every record the key labels counts; one the run lacks is a miss."""
    run = Path(run_dir)
    try:
        key = json.loads(Path(answer_key).read_text(encoding="utf-8"))
        truth_children: dict[str, Any] = {str(c): v for c, v in key["children"].items()}
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
        raise NotereviewError(
            f"the answer key {answer_key} is not readable as an answer key "
            f"({type(exc).__name__}): it needs a 'children' object"
        ) from None
    criteria = _read_table(run, "criteria")
    cases = _read_table(run, "cases")
    visits = _read_table(run, "visits")
    actions = _read_table(run, "plan_actions")
    for table in (criteria, cases, visits, actions):
        for col in ("child_id", "visit_id", "action_id"):
            if col in table.columns:
                table[col] = table[col].astype(str)
    ev = RunEvaluation(children=len(cases))
    errors = ev.errors

    verdicts = {(r.child_id, r.criterion): r for r in criteria.itertuples(index=False)}
    by_crit: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    all_hits: list[bool] = []
    for child_id, truth_child in truth_children.items():
        for cid, value in truth_child.get("criteria", {}).items():
            truth = key_status(value)
            row = verdicts.get((child_id, cid))
            got = row.status if row is not None else "missing"
            by_crit[cid][0].append(truth)
            by_crit[cid][1].append(got)
            all_hits.append(truth == got)
            if truth != got:
                errors.append(
                    {
                        "kind": "criterion",
                        "child_id": child_id,
                        "record_id": cid,
                        "truth": truth,
                        "verdict": got,
                        "auditor_why": value.get("why") if isinstance(value, dict) else None,
                        "missing": getattr(row, "missing", None),
                        "evidence": _evidence(getattr(row, "evidence", None)),
                    }
                )
    for cid in CRITERIA:
        if cid not in by_crit:
            continue
        t, p = by_crit[cid]
        ev.criteria[cid] = {
            "n": len(t),
            "accuracy": float(np.mean([a == b for a, b in zip(t, p, strict=True)])),
            "macro_f1": _macro_f1(t, p),
        }
        conf: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for a, b in zip(t, p, strict=True):
            conf[a][b] += 1
        ev.confusion[cid] = {a: dict(v) for a, v in conf.items()}
    if all_hits:
        ev.summary["criteria"] = float(np.mean(all_hits))

    visit_rows = {r.visit_id: r for r in visits.itertuples(index=False)}
    truth_visits = {
        vid: (cid, lab)
        for cid, c in truth_children.items()
        for vid, lab in c.get("visits", {}).items()
    }
    for label in ("voice", "plan_linked", "analysis", "on_time"):
        pairs = []
        for vid, (cid, lab) in truth_visits.items():
            if label not in lab:
                continue
            row = visit_rows.get(vid)
            got = getattr(row, label) if row is not None else None
            if label != "voice" and got is not None:
                got = bool(got)
            pairs.append((lab[label], got))
            if lab[label] != got and label != "on_time":
                errors.append(
                    {
                        "kind": f"visit.{label}",
                        "child_id": cid,
                        "record_id": vid,
                        "truth": lab[label],
                        "verdict": got,
                        "evidence": [
                            e
                            for e in (_evidence(row.evidence) if row is not None else []) or []
                            if isinstance(e, dict)
                        ],
                    }
                )
        if not pairs:
            continue
        acc = float(np.mean([bool(a == b) for a, b in pairs]))
        ev.visits[f"{label}_accuracy"] = acc
        if label != "on_time":
            ev.summary["voice" if label == "voice" else label] = acc
        if label == "voice":
            ev.visits["voice_macro_f1"] = _macro_f1(
                [str(a) for a, _ in pairs], [str(b) for _, b in pairs]
            )
            # Voice present (direct or reported) as the auditors count it for C1.
            heard = [(a in ("direct", "reported"), b in ("direct", "reported")) for a, b in pairs]
            ev.visits["voice_heard_accuracy"] = float(np.mean([a == b for a, b in heard]))
    action_rows = {r.action_id: r for r in actions.itertuples(index=False)}
    truth_actions = {
        aid: (cid, lab)
        for cid, c in truth_children.items()
        for aid, lab in c.get("plan_actions", {}).items()
    }
    for label in ("smart", "specific", "measurable", "owner_named", "timebound"):
        pairs = []
        for aid, (cid, lab) in truth_actions.items():
            if label not in lab:
                continue
            row = action_rows.get(aid)
            got = bool(getattr(row, label)) if row is not None else None
            pairs.append((bool(lab[label]), got))
            if label == "smart" and bool(lab[label]) != got:
                errors.append(
                    {
                        "kind": "plan_action.smart",
                        "child_id": cid,
                        "record_id": aid,
                        "truth": bool(lab[label]),
                        "verdict": got,
                        "parts": {
                            k: bool(getattr(row, k))
                            for k in ("specific", "measurable", "owner_named", "timebound")
                        }
                        if row is not None
                        else None,
                    }
                )
        if pairs:
            acc = float(np.mean([a == b for a, b in pairs]))
            ev.plan_actions[f"{label}_accuracy"] = acc
            if label == "smart":
                ev.summary["smart"] = acc
    ev.ranking = _ranking(cases, truth_children, key.get("weakest_first"))
    if "spearman_vs_weakest_first" in ev.ranking:
        ev.summary["ranking_rho"] = ev.ranking["spearman_vs_weakest_first"]
        ev.summary["inadequate_on_top"] = ev.ranking["inadequate_on_top"]
        ev.summary["inadequate_files"] = ev.ranking["inadequate_files"]
    elif "spearman_vs_true_statuses" in ev.ranking:
        ev.summary["ranking_rho"] = ev.ranking["spearman_vs_true_statuses"]
    return ev


def _ranking(
    cases: pd.DataFrame, truth_children: dict[str, Any], weakest_first: list[str] | None
) -> dict[str, float]:
    scores, true_scores, latent = [], [], []
    for row in cases.itertuples(index=False):
        t = truth_children.get(row.child_id)
        if t is None:
            continue
        scores.append(float(row.score))
        true_scores.append(true_case_score(t["criteria"]))
        latent.append(float(t.get("quality", np.nan)))
    out = {
        "spearman_vs_true_statuses": _spearman(scores, true_scores),
        "spearman_vs_latent_quality": _spearman(scores, latent),
    }
    if weakest_first:
        # The auditor's reading order against the run's rank (1 = weakest); a file the run did
        # not score goes last.
        rank = dict(zip(cases.child_id.astype(str), cases["rank"], strict=True))
        order = [str(c) for c in weakest_first]
        last = len(rank) + 1
        out["spearman_vs_weakest_first"] = _spearman(
            list(range(len(order))), [float(rank.get(c, last)) for c in order]
        )
        inadequate = {
            c for c in order if truth_children.get(c, {}).get("overall_grade") == "inadequate"
        }
        top = {c for c in order if rank.get(c, last) <= len(inadequate)}
        out["inadequate_files"] = float(len(inadequate))
        out["inadequate_on_top"] = float(len(inadequate & top))
    return out


#: The judgement table's columns: (summary key, heading).
SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("criteria", "criteria (4-way)"),
    ("voice", "voice (5-way)"),
    ("plan_linked", "plan-linked"),
    ("analysis", "analysis"),
    ("smart", "SMART"),
    ("ranking_rho", "ranking ρ"),
)


def summary_markdown(ev: RunEvaluation) -> str:
    """The headline figures as one row of the README's judgement table."""
    heads = [h for k, h in SUMMARY_COLUMNS if k in ev.summary]
    cells = [f"{ev.summary[k]:.2f}" for k, _ in SUMMARY_COLUMNS if k in ev.summary]
    if "inadequate_files" in ev.summary:
        heads.append("inadequate on top")
        cells.append(
            f"{int(ev.summary['inadequate_on_top'])}/{int(ev.summary['inadequate_files'])}"
        )
    return (
        "| "
        + " | ".join(heads)
        + " |\n|"
        + "---|" * len(heads)
        + "\n| "
        + " | ".join(cells)
        + " |\n"
    )


def run_markdown(ev: RunEvaluation) -> str:
    lines = [
        f"## Judgement against the answer key ({ev.children} children)",
        "",
        summary_markdown(ev),
        "| criterion | n | accuracy | macro-F1 |",
        "|---|---|---|---|",
    ]
    for cid, m in ev.criteria.items():
        lines.append(f"| {cid} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} |")
    if ev.criteria:
        mean_acc = np.mean([m["accuracy"] for m in ev.criteria.values()])
        lines.append(f"| **mean** | | **{mean_acc:.3f}** | |")
    lines += ["", "| per-record label | value |", "|---|---|"]
    for k, v in {**ev.visits, **ev.plan_actions, **ev.ranking}.items():
        lines.append(f"| {k} | {v:.3f} |")
    return "\n".join(lines) + "\n"


def write_errors(ev: RunEvaluation, path: str | Path) -> int:
    """Every miss as one JSON object a line (they quote the records: keep the file with the
    run's own files). Returns how many."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as f:
        for e in ev.errors:
            f.write(json.dumps(e, ensure_ascii=False, default=str) + "\n")
    return len(ev.errors)
