"""Alembic migrations of the notereview store, applied by :func:`notereview.store.upgrade`."""
