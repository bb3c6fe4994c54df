"""One exception tree for notereview.

Every error says what was wrong and what to do about it. No message may quote note text,
a child's name or a date of birth: messages name tables, columns, row numbers and ids only.
"""

from __future__ import annotations


class NotereviewError(Exception):
    """Base of every error notereview raises on purpose. The CLI turns it into exit code 2."""

    exit_code = 2


class ConfigError(NotereviewError):
    """A data file (mapping, rubric, policy, lexicon) is missing or does not validate."""


class ExtractError(NotereviewError):
    """The extract cannot be read as a whole: a required table or column is missing, or
    the folder or archive does not exist. Row-level problems never raise: they go to quarantine."""


class ModelError(NotereviewError):
    """A model artefact is missing, tampered with (hash mismatch) or of an unknown version."""
