"""The notereview API (FastAPI): ``create_app(settings)`` builds it; ``python -m api`` serves it."""

from api.app import create_app, route_table
from api.settings import Settings

__all__ = ["Settings", "create_app", "route_table"]
