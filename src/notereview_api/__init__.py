"""The notereview API (FastAPI): ``create_app(settings)`` builds it; ``python -m notereview_api``
serves it."""

from notereview_api.app import create_app, route_table
from notereview_api.settings import Settings

__all__ = ["Settings", "create_app", "route_table"]
