"""The one error triage raises: a request it cannot answer (an unknown theme, a negative size)."""

from __future__ import annotations


class TriageError(ValueError):
    """A triage parameter is out of range (an unknown theme, a negative sample size...)."""
