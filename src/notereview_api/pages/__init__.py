"""The web pages for auditors and practice leads: the queue, the case file with its evidence
marked, the exemplar checker and practice trends (Jinja2 templates in
notereview_api/templates, the vendored htmx and CSS in notereview_api/static). Mounted by
:func:`notereview_api.create_app`."""

from notereview_api.pages._web import build_environment, compile_templates, install_page_errors
from notereview_api.pages.views import router

__all__ = ["build_environment", "compile_templates", "install_page_errors", "router"]
