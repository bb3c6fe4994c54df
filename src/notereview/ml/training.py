"""Public training API (used by ``notereview train`` and ``training/``)."""

from notereview.ml._audits import train_case_audit
from notereview.ml._coverage import coverage_examples
from notereview.ml._pipeline import EVAL_STYLES, TrainConfig, train_all

__all__ = ["EVAL_STYLES", "TrainConfig", "coverage_examples", "train_all", "train_case_audit"]
