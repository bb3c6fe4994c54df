"""The reviewer, the policy and the rubric the service reads with: one of each per app, built
on first use (the annotation pipeline takes seconds of CPU to load), or at start-up by
:func:`warm`."""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine

from notereview.store import (
    case_scores,
    criterion_shares,
    criterion_statuses,
    latest_run,
    monitoring_rows,
)
from notereview.triage import weighted_kappa
from notereview_api.services.ranking import ranked_queue
from notereview_api.services.scope import queue_params
from notereview_api.settings import Settings

logger = logging.getLogger("notereview.api")
_lock = threading.Lock()
#: A fixed, made-up record: checking it loads every part of the pipeline.
_WARM_TEXT = "Visited at home. Sam said he likes school. Next step: review the plan by Friday."


def app_reviewer(state: Any) -> Any:
    """One Reviewer per app (``state``: the app's state)."""
    with _lock:
        if getattr(state, "reviewer", None) is None:
            from notereview import Reviewer

            state.reviewer = Reviewer()
        return state.reviewer


def app_policy(state: Any) -> tuple[Any, Any]:
    """(policy, working calendar): the England defaults, for the visit timeline."""
    with _lock:
        if getattr(state, "policy", None) is None:
            from notereview.policy import WorkingCalendar, load_policy

            policy = load_policy()
            state.policy = (policy, WorkingCalendar.from_policy(policy))
        return state.policy


def app_rubric(state: Any) -> Any:
    """The shipped rubric (titles and advice for the pages)."""
    with _lock:
        if getattr(state, "rubric", None) is None:
            from notereview.checks import load_rubric

            state.rubric = load_rubric()
        return state.rubric


def check_exemplar(
    state: Any, kind: str, text: str, child_name: str | None, age: int | None
) -> dict[str, Any]:
    """``notereview check`` for one text, with the app's reviewer (the text is neither kept
    nor logged)."""
    from notereview import check_text

    return check_text(kind, text, child_name, age, app_reviewer(state))  # type: ignore[no-any-return]


def warm(state: Any, engine: Engine, settings: Settings) -> None:
    """Work out before the first request what the first requests would each wait for: the
    latest run's scores, statuses, monitoring fields and default queue bounds, the trends'
    shares, the kappa's import (scikit-learn: 1.5 s on the first trends page), the reviewer.
    A failure is logged (its kind only) and left for the requests to meet."""
    try:
        run = latest_run(engine)
        if run is not None:
            cases = case_scores(engine, run.run_id)
            ranked_queue(
                engine, run, None, cases, legal_status=None, theme=None, last_audited={},
                now=None, limit=settings.queue_default_limit, params=queue_params(settings),
            )  # fmt: skip
            criterion_statuses(engine, run.run_id)
            criterion_shares(engine)
            monitoring_rows(engine, run.run_id)
        weighted_kappa([0, 1], [1, 0])
        app_rubric(state)
        app_policy(state)
        check_exemplar(state, "visit", _WARM_TEXT, None, None)
    except Exception as exc:
        logger.warning("warming the caches failed: %s", type(exc).__name__)
