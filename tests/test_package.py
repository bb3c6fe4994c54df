"""Importing notereview does no work: no spaCy, no scoring modules, no compiled-build lookup
until a hot module is imported; the public names still resolve."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _probe(code: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    return json.loads(done.stdout)


def test_import_notereview_loads_nothing_heavy() -> None:
    seen = _probe(
        "import json, sys, notereview\n"
        "from notereview import _compiled\n"
        "print(json.dumps({'spacy': 'spacy' in sys.modules,"
        " 'review': 'notereview.review' in sys.modules,"
        " 'hot': [m for m in _compiled.MODULES if m in sys.modules],"
        " 'why': _compiled.status()['why']}))"
    )
    assert seen == {"spacy": False, "review": False, "hot": [], "why": "not looked for"}


def test_public_names_load_when_used() -> None:
    seen = _probe(
        "import json, sys, notereview\n"
        "from notereview import Reviewer, _compiled\n"
        "print(json.dumps({'reviewer': Reviewer.__module__,"
        " 'looked': _compiled.status()['why'] != 'not looked for',"
        " 'all': sorted(notereview.__all__) == sorted(set(notereview.__all__))}))"
    )
    assert seen == {"reviewer": "notereview.review", "looked": True, "all": True}


def test_an_unknown_name_is_an_attribute_error() -> None:
    import notereview

    with pytest.raises(AttributeError, match="no_such_name"):
        notereview.no_such_name  # noqa: B018
