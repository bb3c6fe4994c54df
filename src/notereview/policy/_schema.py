"""The policy schema: every timescale the checks use, validated with pydantic.

A policy file states each value with its unit (``{working_days: 10}``, ``{days: 42}``,
``{weeks: 6}``, ``{months: 3}``) or, for a plain number, with the unit in the key's name
(``review_window_days``). Unknown keys are errors, so a misspelt council override never
silently falls back to the default.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from notereview.errors import ConfigError

UNITS: tuple[str, ...] = ("working_days", "days", "weeks", "months")

_UNIT_NAMES: dict[str, tuple[str, str]] = {
    "working_days": ("working day", "working days"),
    "days": ("day", "days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Interval(_Strict):
    """A length of time in exactly one explicit unit."""

    working_days: int | None = Field(default=None, ge=0)
    days: int | None = Field(default=None, ge=0)
    weeks: int | None = Field(default=None, ge=0)
    months: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _exactly_one_unit(self) -> Interval:
        given = [u for u in UNITS if getattr(self, u) is not None]
        if len(given) != 1:
            raise ValueError(
                f"an interval needs exactly one unit, got {len(given)}; "
                f"allowed: exactly one of {', '.join(UNITS)} (for example {{working_days: 10}})"
            )
        return self

    @property
    def unit(self) -> str:
        """The unit this interval is stated in: one of :data:`UNITS`."""
        for u in UNITS:
            if getattr(self, u) is not None:
                return u
        raise AssertionError("validated interval without a unit")  # pragma: no cover

    @property
    def amount(self) -> int:
        value = getattr(self, self.unit)
        assert value is not None
        return int(value)

    @property
    def in_working_days(self) -> bool:
        return self.unit == "working_days"

    def describe(self) -> str:
        """Plain words: ``10 working days``, ``1 week``, ``3 months``."""
        one, many = _UNIT_NAMES[self.unit]
        return f"{self.amount} {one if self.amount == 1 else many}"


class VisitRule(_Strict):
    """How often a child of one legal status must be visited.

    The simple form is one ``interval``. The staged form (looked-after children, private
    fostering) adds ``first_visit`` (counted from the schedule start), ``first_year_interval``
    (between visits during the first ``first_year_length`` after the schedule start), and
    ``long_term_interval`` (after the first year, where the placement is long-term); after the
    first year ``interval`` applies.
    """

    basis: str = Field(min_length=1, description="short source label used in rule names")
    schedule_from: Literal["status_start", "placement_start"] = "status_start"
    start_label: str = "status start"
    interval: Interval
    first_visit: Interval | None = None
    first_year_interval: Interval | None = None
    first_year_length: Interval = Interval(months=12)
    long_term_interval: Interval | None = None


class VisitRules(_Strict):
    CP: VisitRule
    CIN: VisitRule
    LAC: VisitRule
    PF: VisitRule
    CL: VisitRule


class SupervisionRules(_Strict):
    """Most time allowed between supervision / management oversight records, by legal status."""

    basis: str = "local policy"
    CP: Interval
    CIN: Interval
    LAC: Interval
    PF: Interval
    CL: Interval


class PlanReviewRule(_Strict):
    """When a plan must be reviewed: ``first`` after the plan starts, ``second`` (if given)
    after the first review, then every ``then``."""

    basis: str = Field(min_length=1)
    first: Interval
    second: Interval | None = None
    then: Interval


class PlanReviewRules(_Strict):
    CP: PlanReviewRule
    CIN: PlanReviewRule
    care: PlanReviewRule
    pathway: PlanReviewRule


class NoAccessRule(_Strict):
    """A visit where the child was not seen (no access, the child out or refusing): by when a
    visit that sees the child must follow it, and for which legal statuses an unfollowed one is
    a breach of procedure (V2)."""

    follow_up: Interval
    procedure_for: list[Literal["CP", "CIN", "LAC", "PF", "CL"]] = Field(default_factory=list)


class CalendarPolicy(_Strict):
    """Where working days come from: weekends, the ``holidays`` package's bank holidays for
    ``holidays_country``/``holidays_subdiv``, and an optional gov.uk bank-holidays JSON file."""

    holidays_country: str = "GB"
    holidays_subdiv: str | None = "ENG"
    bank_holidays_file: Path | None = None
    bank_holidays_file_only: bool = False
    bank_holidays_division: str = "england-and-wales"

    @model_validator(mode="after")
    def _file_when_only(self) -> CalendarPolicy:
        if self.bank_holidays_file_only and self.bank_holidays_file is None:
            raise ValueError(
                "bank_holidays_file_only is true but no bank_holidays_file is given; "
                "allowed: set bank_holidays_file to a gov.uk bank-holidays JSON file, "
                "or set bank_holidays_file_only to false"
            )
        return self


class Policy(_Strict):
    """The merged policy a run uses (England defaults plus any council override)."""

    version: str = Field(min_length=1)
    calendar: CalendarPolicy = CalendarPolicy()
    visits: VisitRules
    recording_timescale: Interval
    supervision: SupervisionRules
    plan_reviews: PlanReviewRules
    review_window_days: int = Field(ge=1)
    #: Where set, the window runs instead from the first day of the month this many months
    #: before the as-of date's month (an audit of "the last six months" reads whole months:
    #: as of 20 November, from 1 May); null for the last ``review_window_days`` days.
    review_window_months: int | None = Field(default=None, ge=1, le=60)
    no_access: NoAccessRule
    pre_verbal_age_below: int = Field(ge=0)
    seen_alone_min_age: int = Field(ge=0)
    summary_max_age_months: int = Field(ge=0)
    summary_not_met_age_months: int = Field(ge=0)
    chronology_window_days: int = Field(ge=0)
    chronology_max_gap_days: int = Field(ge=1)
    genogram_max_age_months: int = Field(ge=0)
    p2_grace_working_days: int = Field(ge=0)
    stale_action_working_days: int = Field(ge=0)

    _fingerprint: list[str] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _summary_limits_ordered(self) -> Policy:
        if self.summary_not_met_age_months < self.summary_max_age_months:
            raise ValueError(
                "summary_not_met_age_months must be at least summary_max_age_months; "
                f"got {self.summary_not_met_age_months} < {self.summary_max_age_months}"
            )
        return self

    def visit_rule(self, legal_status: str) -> VisitRule:
        """The visit rule for a legal status (CP, CIN, LAC, PF or CL)."""
        rule = getattr(self.visits, legal_status, None)
        if not isinstance(rule, VisitRule):
            raise ConfigError(
                f"the policy has no visit rule for legal status {legal_status!r}; "
                "allowed: CP, CIN, LAC, PF, CL"
            )
        return rule

    def supervision_interval(self, legal_status: str) -> Interval:
        interval = getattr(self.supervision, legal_status, None)
        if not isinstance(interval, Interval):
            raise ConfigError(
                f"the policy has no supervision frequency for legal status {legal_status!r}; "
                "allowed: CP, CIN, LAC, PF, CL"
            )
        return interval

    def plan_review_rule(self, plan_type: str) -> PlanReviewRule:
        rule = getattr(self.plan_reviews, plan_type, None)
        if not isinstance(rule, PlanReviewRule):
            raise ConfigError(
                f"the policy has no review rule for plan type {plan_type!r}; "
                "allowed: CP, CIN, care, pathway"
            )
        return rule

    def canonical(self) -> dict[str, object]:
        """The policy as plain JSON-able data, with the bank-holidays file replaced by the
        sha256 of its content (so the fingerprint follows the file, not where it lives)."""
        data = self.model_dump(mode="json")
        path = self.calendar.bank_holidays_file
        if path is not None:
            try:
                digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                digest = "unreadable"
            data["calendar"]["bank_holidays_file"] = {"sha256": digest}
        return data

    def fingerprint(self) -> str:
        """sha256 of the merged, canonical policy: recorded in run.json and used to decide
        whether an earlier score is still valid."""
        if not self._fingerprint:
            payload = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
            self._fingerprint.append(hashlib.sha256(payload.encode("utf-8")).hexdigest())
        return self._fingerprint[0]

    def window_start(self, as_of: date) -> date:
        """The first day of the review window that ends on (and includes) ``as_of``."""
        months = self.review_window_months
        if months is None:
            return as_of - timedelta(days=self.review_window_days - 1)
        index = as_of.year * 12 + as_of.month - 1 - months
        return date(index // 12, index % 12 + 1, 1)
