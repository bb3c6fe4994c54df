"""The equality report: per group of each field, mean case score, share in the queue's top
decile and disagreement with auditors, with intervals, small-cell suppression and flags."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from notereview.equality._monitoring import DIMENSIONS
from notereview.triage import Z95, wilson_interval

DEFAULT_MIN_CELL = 10


CAVEAT = (
    "A difference is a question, not a finding: a flagged group's files may differ for "
    "reasons that have nothing to do with the reviewer (the practice in them, the team, the "
    "legal status), and with many groups some differences arise by chance. Look into it "
    "before concluding anything."
)


_GRADE = {"outstanding": "good", "good": "good", "requires_improvement": "requires_improvement",
          "inadequate": "inadequate"}  # fmt: skip


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` in ``n`` (triage's, on a count)."""
    return wilson_interval(successes / n if n > 0 else 0.0, n, z)


def mean_interval(values: Sequence[float], z: float = Z95) -> tuple[float, float, float]:
    """Mean and its normal 95% interval (the standard error from the sample's spread)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, mean, mean
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = z * math.sqrt(var / n)
    return mean, mean - half, mean + half


@dataclass(frozen=True)
class Rate:
    """A share with its interval; ``flag`` when the reference group's share lies outside it."""

    k: int
    n: int
    share: float
    low: float
    high: float
    flag: bool


@dataclass(frozen=True)
class GroupRow:
    dimension: str
    group: str
    files: int | None  # None: suppressed (fewer than the minimum cell)
    mean_score: tuple[float, float, float] | None = None
    top_decile: Rate | None = None
    audited: int | None = None
    disagreement: Rate | None = None
    reference: bool = False  # the field's largest group, which the others are set against

    @property
    def flagged(self) -> bool:
        return bool(
            (self.top_decile and self.top_decile.flag)
            or (self.disagreement and self.disagreement.flag)
        )


@dataclass
class EqualityReport:
    min_cell: int
    files: int
    audited: int
    top_decile_files: int
    overall_top_decile: float
    overall_disagreement: float | None
    rows: list[GroupRow] = field(default_factory=list)
    theme: str | None = None  # disagreement on this theme's grade; None: the overall grade
    criterion: str | None = None  # or on this criterion's status

    @property
    def flagged(self) -> list[GroupRow]:
        return [r for r in self.rows if r.flagged]

    @property
    def subject(self) -> str:
        """What the disagreement is about, in words."""
        if self.criterion is not None:
            return f"{self.criterion} status"
        return f"{self.theme} grade" if self.theme is not None else "overall grade"

    def as_dict(self) -> dict[str, Any]:
        def rate(r: Rate | None) -> dict[str, Any] | None:
            if r is None:
                return None
            return {"k": r.k, "n": r.n, "share": r.share, "ci95": [r.low, r.high],
                    "flag": r.flag}  # fmt: skip

        return {
            "min_cell": self.min_cell,
            "files": self.files,
            "audited": self.audited,
            "top_decile_files": self.top_decile_files,
            "overall_top_decile": self.overall_top_decile,
            "overall_disagreement": self.overall_disagreement,
            "disagreement_on": self.subject,
            "caveat": CAVEAT,
            "groups": [
                {
                    "dimension": r.dimension,
                    "group": r.group,
                    "files": r.files if r.files is not None else f"fewer than {self.min_cell}",
                    "mean_score": None if r.mean_score is None else {
                        "mean": r.mean_score[0], "ci95": [r.mean_score[1], r.mean_score[2]]},
                    "top_decile": rate(r.top_decile),
                    "audited": r.audited,
                    "disagreement": rate(r.disagreement),
                    "reference": r.reference,
                    "flagged": r.flagged,
                }
                for r in self.rows
            ],
        }  # fmt: skip


def _status(value: Any) -> str:
    """A criterion status as words compare: 'Partly met' and 'partly_met' are one."""
    if isinstance(value, Mapping):  # an auditor's key: {status, why}
        value = value.get("status")
    return str(value).strip().lower().replace(" ", "_")


def _theme_band() -> Any:
    from notereview.checks import load_rubric

    return load_rubric().band


def _rate(k: int, n: int, reference: float | None) -> Rate:
    low, high = wilson(k, n)
    flag = reference is not None and not (low <= reference <= high)
    return Rate(k, n, k / n, low, high, flag)


def equality_report(
    cases: Sequence[Mapping[str, Any]],
    monitoring: Sequence[Mapping[str, Any]],
    audits: Mapping[str, str] | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    theme: str | None = None,
    criterion: str | None = None,
    statuses: Mapping[str, str] | None = None,
) -> EqualityReport:
    """The report over a run's ``cases`` rows (child_id, score, rank, grade_band and the theme
    scores) and its ``monitoring`` rows; ``audits``: child id -> the auditor's overall grade,
    or with ``theme`` their grade of that theme, set against the rubric's band of the file's
    theme score (the shipped rubric's bands), or with ``criterion`` their status of that
    criterion, set against the rubric's (``statuses``: child id -> the run's status)."""
    if min_cell < 1:
        raise ValueError("min_cell must be at least 1")
    if theme is not None and criterion is not None:
        raise ValueError("give a theme or a criterion, not both")
    if criterion is not None and statuses is None:
        raise ValueError("a criterion needs the run's statuses of it")
    audits = audits or {}
    by_child = {str(c["child_id"]): c for c in cases}
    total = len(by_child)
    cut = math.ceil(total / 10)
    top = {cid for cid, c in by_child.items() if int(c["rank"]) <= cut}
    band = _theme_band() if theme is not None else None
    wrong: dict[str, bool] = {}
    for cid, grade in audits.items():
        case = by_child.get(cid)
        if criterion is not None:
            assert statuses is not None
            if case is not None and cid in statuses:
                wrong[cid] = _status(grade) != _status(statuses[cid])
            continue
        mapped = _GRADE.get(str(grade).strip().lower().replace(" ", "_"))
        if case is None or mapped is None:
            continue
        if theme is None:
            wrong[cid] = mapped != case["grade_band"]
            continue
        score = case.get(theme)
        if score is None or score != score:  # the theme does not apply to this file
            continue
        assert band is not None
        wrong[cid] = mapped != band(float(score))
    overall_top = len(top) / total if total else 0.0
    overall_wrong = sum(wrong.values()) / len(wrong) if wrong else None
    report = EqualityReport(
        min_cell, total, len(wrong), len(top), overall_top, overall_wrong, theme=theme,
        criterion=criterion,
    )  # fmt: skip
    groups: dict[tuple[str, str], list[str]] = {}
    for row in monitoring:
        cid = str(row["child_id"])
        if cid not in by_child:
            continue
        for dim in DIMENSIONS:
            value = row.get(dim)
            groups.setdefault((dim, str(value) if value is not None else "not recorded"),
                              []).append(cid)  # fmt: skip
    for dim in DIMENSIONS:
        members_of = {g: m for (d, g), m in sorted(groups.items()) if d == dim}
        if not members_of:
            continue
        ref = max(members_of, key=lambda g: (len(members_of[g]), g))
        ref_members = members_of[ref]
        ref_audited = [c for c in ref_members if c in wrong]
        ref_top = sum(c in top for c in ref_members) / len(ref_members)
        ref_wrong = (
            sum(wrong[c] for c in ref_audited) / len(ref_audited)
            if len(ref_audited) >= min_cell
            else None
        )
        for group, members in members_of.items():
            n = len(members)
            if n < min_cell:
                report.rows.append(GroupRow(dim, group, None))
                continue
            is_ref = group == ref
            scores = [float(by_child[c]["score"]) for c in members]
            audited = [c for c in members if c in wrong]
            report.rows.append(
                GroupRow(
                    dim, group, n,
                    mean_score=mean_interval(scores),
                    top_decile=_rate(sum(c in top for c in members), n,
                                     None if is_ref else ref_top),
                    audited=len(audited) if len(audited) >= min_cell else None,
                    disagreement=_rate(sum(wrong[c] for c in audited), len(audited),
                                       None if is_ref else ref_wrong)
                    if len(audited) >= min_cell else None,
                    reference=is_ref,
                )
            )  # fmt: skip
    return report


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def markdown(report: EqualityReport) -> str:
    """The report as a page of Markdown: one table per field, the flags, the caveat."""
    lines = [
        "# Equality monitoring of the reviewer",
        "",
        f"{report.files} files; the queue's top decile is its first {report.top_decile_files} "
        f"({_pct(report.overall_top_decile)} of files); "
        + (
            f"{report.audited} audited, the rubric's {report.subject} differing from the "
            f"auditor's on {_pct(report.overall_disagreement)} of them."
            if report.overall_disagreement is not None
            else "no audited files, so no disagreement figures."
        ),
        f"Groups of fewer than {report.min_cell} files, and disagreement figures resting on "
        f"fewer than {report.min_cell} audited files, are suppressed. Intervals are 95%. Each "
        "field's largest group is its reference: another group is flagged where the "
        "reference's figure lies outside the group's interval.",
        "",
        f"> {CAVEAT}",
    ]
    for dim in DIMENSIONS:
        rows = [r for r in report.rows if r.dimension == dim]
        if not rows:
            continue
        lines += [
            "",
            f"## {dim.replace('_', ' ')}",
            "",
            "| group | files | mean case score (95% CI) | in the queue's top decile (95% CI) | "
            "audited | rubric disagrees with auditor (95% CI) | flag |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            if r.files is None:
                lines.append(f"| {r.group} | fewer than {report.min_cell} | suppressed | "
                             "suppressed | suppressed | suppressed | |")  # fmt: skip
                continue
            assert r.mean_score is not None and r.top_decile is not None
            m, lo, hi = r.mean_score
            t = r.top_decile
            d = r.disagreement
            dis = f"{_pct(d.share)} ({_pct(d.low)}-{_pct(d.high)})" if d else "suppressed"
            flags = [w for w, x in (("queue share", t.flag), ("disagreement", d and d.flag)) if x]
            if r.reference:
                flags = ["reference"]
            lines.append(
                f"| {r.group} | {r.files} | {m:.2f} ({lo:.2f}-{hi:.2f}) | "
                f"{_pct(t.share)} ({_pct(t.low)}-{_pct(t.high)}) | "
                f"{r.audited if r.audited is not None else 'suppressed'} | {dis} | "
                f"{', '.join(flags)} |"
            )
    flagged = report.flagged
    lines += ["", "## Flagged", ""]
    if not flagged:
        lines.append("No group's queue share or disagreement differs from all files' beyond "
                     "its interval.")  # fmt: skip
    for r in flagged:
        ref = next(x for x in report.rows if x.dimension == r.dimension and x.reference)
        what = []
        if r.top_decile and r.top_decile.flag and ref.top_decile:
            what.append(f"{_pct(r.top_decile.share)} of its files are in the queue's top decile "
                        f"against {_pct(ref.top_decile.share)} of {ref.group}'s")  # fmt: skip
        if r.disagreement and r.disagreement.flag and ref.disagreement:
            what.append(f"the rubric disagrees with the auditor on {_pct(r.disagreement.share)} "
                        f"of its audited files against {_pct(ref.disagreement.share)} of "
                        f"{ref.group}'s")  # fmt: skip
        lines.append(f"- {r.dimension.replace('_', ' ')} = {r.group}: " + "; ".join(what)
                     + ". A question to look into, not a finding.")  # fmt: skip
    return "\n".join(lines) + "\n"
