"""The web pages for auditors and practice leads: the queue, the case file with its evidence
marked, the exemplar checker and practice trends (Jinja2 templates in api/templates, the
vendored htmx and CSS in api/static). Mounted by :func:`api.create_app`."""

from api.pages._web import build_environment, install_page_errors
from api.pages.views import router

__all__ = ["build_environment", "install_page_errors", "router"]
