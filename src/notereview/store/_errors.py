"""The store's errors: children of :class:`notereview.errors.NotereviewError`."""

from __future__ import annotations

from notereview.errors import NotereviewError


class StoreError(NotereviewError):
    """The database cannot be opened or migrated, or a run to be written is malformed."""


class NotFoundError(StoreError):
    """No such run, child, user or claim (messages name ids only)."""


class ClaimConflictError(StoreError):
    """Another auditor holds the claim on this file."""

    def __init__(self, message: str, *, holder: str | None = None) -> None:
        super().__init__(message)
        self.holder = holder


class UserError(StoreError):
    """A user cannot be added or changed as asked (duplicate name, unknown role...)."""


class RunConflictError(StoreError):
    """A run to be written repeats a key within a table (child_id, criterion, visit_id,
    action_id or record_id)."""


def database_away(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not be reached or the connection was lost (a
    server stopped, a network cut), as opposed to a fault in a request or in the code."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
