"""Alembic environment: runs on the connection that :func:`notereview.store.upgrade` passes in."""

from __future__ import annotations

from alembic import context

from notereview.store.models import Base


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through notereview.store.upgrade(engine)")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
