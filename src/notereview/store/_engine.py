"""Opening the database and bringing its schema up to date (Alembic, shipped in the package)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from notereview.store._errors import StoreError

DEFAULT_URL = "sqlite:///notereview.db"
URL_ENV = "NOTEREVIEW_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"


class _NoRowsFilter(logging.Filter):
    """Drops SQLAlchemy's DEBUG lines that print result rows: they would carry note text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        return "Row %r" not in message and "Col %r" not in message


def _guard_sqlalchemy_logging() -> None:
    logger = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(f, _NoRowsFilter) for f in logger.filters):
        logger.addFilter(_NoRowsFilter())
    # psycopg warns about what it ignores while a lost connection is torn down ("error ignored
    # terminating <Pipeline>"); with no logging set up that would reach stderr through
    # logging's last resort, beside the one-line error. A library's NullHandler: a service
    # that sets up logging still gets the records.
    driver = logging.getLogger("psycopg")
    if not any(isinstance(h, logging.NullHandler) for h in driver.handlers):
        driver.addHandler(logging.NullHandler())


def database_url(url: str | None = None) -> str:
    """The URL to use: ``url``, else $NOTEREVIEW_DATABASE_URL, else ``sqlite:///notereview.db``."""
    return url or os.environ.get(URL_ENV) or DEFAULT_URL


def connect(url: str | None = None) -> Engine:
    """An engine for ``url`` (see :func:`database_url`).

    SQL parameters are hidden from logs and error messages (they carry note text), SQLite
    enforces foreign keys, waits for locks instead of failing at once and writes ahead (WAL),
    so readers do not wait for a writer."""
    resolved = database_url(url)
    try:
        parsed = make_url(resolved)
    except ArgumentError as exc:
        raise StoreError(
            f"the database URL is not valid; set {URL_ENV} to e.g. {DEFAULT_URL}"
        ) from exc
    _guard_sqlalchemy_logging()
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(
                parsed,
                hide_parameters=True,
                connect_args={"timeout": 30, "check_same_thread": False},
            )
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(parsed, hide_parameters=True, pool_pre_ping=True)
    except (ArgumentError, SQLAlchemyError, ImportError) as exc:
        raise StoreError(
            f"cannot open a database of kind {parsed.get_backend_name()!r}; "
            "use sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB"
        ) from exc
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Write-ahead logging: readers never wait for the writer (the service's many requests
    # beside its access log and claims), and a commit appends instead of rewriting pages;
    # synchronous=NORMAL is durable across a process crash and the usual setting with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the shipped Alembic migrations up to ``revision`` (default: the newest)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"could not migrate the database ({type(exc).__name__}); check that it is reachable "
            "and that this user may create tables"
        ) from exc
