"""Where the models live: ``$NOTEREVIEW_MODELS``, a checkout's ``models/``, or the copy a wheel
carries. Apart from the loading code (``ml._runtime``) so that a check can ask for the folder
without importing the models' machinery."""

from __future__ import annotations

import os
from pathlib import Path

from notereview.errors import ModelError

MODELS_ENV = "NOTEREVIEW_MODELS"


#: Where a built wheel carries the repository's ``models/`` folder (setup.py copies it there).
SHIPPED_MODELS = Path(__file__).resolve().parents[1] / "_models"


def default_models_dir() -> Path:
    """$NOTEREVIEW_MODELS; else, in a checkout (an editable install), the repository's
    ``models/`` folder; else the models the installed wheel carries (``notereview/_models``)."""
    env = os.environ.get(MODELS_ENV)
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file() and (checkout / "models").is_dir():
        return checkout / "models"
    return SHIPPED_MODELS


def writable_models_dir(chosen: Path | None = None) -> Path:
    """The models folder a command writes to (training, promotion, roll-back): ``chosen``, else
    :func:`default_models_dir`; never the models an installed wheel carries, which are part of
    the installation and are replaced by the next upgrade."""
    folder = chosen or default_models_dir()
    if folder.resolve() == SHIPPED_MODELS.resolve():
        raise ModelError(
            f"the models folder {folder} is the one this installation ships, and is read-only: "
            f"copy it to a folder of your own and set {MODELS_ENV} (or --models-dir) to it"
        )
    return folder
