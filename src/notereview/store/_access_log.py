"""The access log: every read of a case file, by whom and when. Append-only: there is
deliberately no update or delete here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from notereview.store.models import AccessLogEntry


@dataclass(frozen=True, slots=True)
class AccessEvent:
    at: datetime
    user_id: int | None
    action: str
    method: str
    route: str
    child_id: str | None
    status: int
    client_ip: str | None


def log_access(engine: Engine, event: AccessEvent) -> None:
    """Append one entry to the access log, in its own transaction."""
    with Session(engine) as session, session.begin():
        session.add(
            AccessLogEntry(
                at=event.at,
                user_id=event.user_id,
                action=event.action,
                method=event.method,
                route=event.route,
                child_id=event.child_id,
                status=event.status,
                client_ip=event.client_ip,
            )
        )


def read_access_log(engine: Engine, limit: int = 100) -> list[AccessEvent]:
    """The newest ``limit`` entries, newest first."""
    with Session(engine) as session:
        rows = session.scalars(
            select(AccessLogEntry).order_by(AccessLogEntry.id.desc()).limit(limit)
        ).all()
        return [
            AccessEvent(
                r.at, r.user_id, r.action, r.method, r.route, r.child_id, r.status, r.client_ip
            )
            for r in rows
        ]
