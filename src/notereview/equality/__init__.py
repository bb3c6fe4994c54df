"""Equality monitoring of what the reviewer does (DESIGN "Monitoring, not judging").

A tool that ranks children's files must show that it does not rank some children's files
worse because of who they are or how they communicate. Each run writes a ``monitoring``
table (child id, gender, age band, legal status, ethnicity, disability, communication need),
kept apart from the scores: no check reads it and the queue never shows it. The report
(:func:`equality_report`, ``notereview equality RUN``) gives, per group of each field, with
counts and 95% intervals:

- the mean case score (normal interval);
- the share of the group's files the queue puts in its top decile (Wilson interval);
- where files were audited, how often the rubric's grade band differs from the auditor's
  (Wilson interval): is the reviewer more wrong for some groups?

Groups smaller than the minimum cell are suppressed (counts shown as "fewer than N", no
figures), and so is a figure resting on fewer audited files than that. Each field's largest
group is its reference; another group is flagged when the reference group's figure lies outside
the group's interval, with the caveat, in plain words, that a difference is a question to look
into, not a finding. (Set against all files instead, a large group is flagged whenever a small
one differs, since all files are mostly that large group.)
"""

from notereview.equality._inputs import load_audits, read_run_statuses, read_run_tables
from notereview.equality._monitoring import (
    AGE_BANDS,
    DIMENSIONS,
    MONITORING_COLUMNS,
    age_band,
    communication_need,
    monitoring_row,
)
from notereview.equality._report import (
    CAVEAT,
    DEFAULT_MIN_CELL,
    EqualityReport,
    GroupRow,
    Rate,
    equality_report,
    markdown,
    mean_interval,
    wilson,
)

__all__ = [
    "AGE_BANDS",
    "CAVEAT",
    "DEFAULT_MIN_CELL",
    "DIMENSIONS",
    "MONITORING_COLUMNS",
    "EqualityReport",
    "GroupRow",
    "Rate",
    "age_band",
    "communication_need",
    "equality_report",
    "load_audits",
    "markdown",
    "mean_interval",
    "monitoring_row",
    "read_run_statuses",
    "read_run_tables",
    "wilson",
]
