"""The wheel carries the shipped models: ``build_py`` copies the repository's ``models/`` folder
into the built package as ``notereview/_models`` (read by ``notereview.ml._runtime`` when no
checkout and no ``$NOTEREVIEW_MODELS`` is there). Everything else is in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = "_models"


class BuildWithModels(build_py):  # type: ignore[misc]
    def run(self) -> None:
        super().run()
        source = HERE / "models"
        if source.is_dir():
            target = Path(self.build_lib) / "notereview" / SHIPPED
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.tmp", "__pycache__"))


setup(cmdclass={"build_py": BuildWithModels})
