"""Which models a Reviewer uses: the rubric's ``models`` section picks, per label family, a
trained model (``name@version``) or ``rules``; this module loads them (hash-checked) from the
models folder and says what ran, for run.json."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notereview.errors import ModelError
from notereview.ml._artefact import LoadedModel, load_model
from notereview.ml._embed import transformer_available
from notereview.ml._location import MODELS_ENV as MODELS_ENV
from notereview.ml._location import SHIPPED_MODELS as SHIPPED_MODELS
from notereview.ml._location import default_models_dir as default_models_dir
from notereview.ml._location import writable_models_dir as writable_models_dir

if TYPE_CHECKING:
    from notereview.checks._linking import PlanLinker
    from notereview.ml._coverage import SemanticChronologyCoverage
    from notereview.ml._labeller import ModelLabeller

#: Label families a model may take over, and the criteria each one feeds.
FAMILIES: dict[str, tuple[str, ...]] = {
    "visit_voice": ("C1", "C3"),
    "visit_analysis": ("V5",),
    "plan_actions_smart": ("P1",),
    "plan_link": ("V4",),
    "chronology_coverage": ("H2",),
    "case_audit": (),
}
#: Families whose model reads MiniLM embeddings (they need the transformer path).
TRANSFORMER_FAMILIES: frozenset[str] = frozenset({"plan_link", "chronology_coverage"})
#: Options a rubric may add to a model id (``plan_link@1:fallback``). plan_link: "override"
#: (the model decides every visit with a plan) or "fallback" (only the visits the rules did
#: not link are embedded and decided: fewer sentences); without one, the artefact's meta.json
#: ``mode``. training/reports/rules_vs_models.md has each option's figures.
OPTIONS: dict[str, tuple[str, ...]] = {"plan_link": ("override", "fallback")}
def parse_model_id(model_id: str) -> tuple[str, str]:
    name, sep, version = model_id.partition("@")
    if not sep or not name or not version:
        raise ModelError(f"model id {model_id!r} must look like name@version, or be 'rules'")
    return name, version


@dataclass
class ModelSet:
    """The loaded models and a plain statement of what runs."""

    models_dir: Path
    chosen: dict[str, str]
    loaded: dict[str, LoadedModel] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    embedder: Any = None
    transformer: str = "not used"
    options: dict[str, str] = field(default_factory=dict)  # family -> the rubric's option

    def labeller(self) -> ModelLabeller | None:
        from notereview.ml._labeller import ModelLabeller

        if not {"visit_voice", "visit_analysis", "plan_actions_smart"} & set(self.loaded):
            return None
        return ModelLabeller(
            voice=self.loaded.get("visit_voice"),
            analysis=self.loaded.get("visit_analysis"),
            smart=self.loaded.get("plan_actions_smart"),
        )

    def case_model(self) -> Any:
        """The case model (``CaseAuditModel``) the rubric chose, or None: it adds
        ``p_inadequate`` to each case; the case score keeps the rubric's weights."""
        model = self.loaded.get("case_audit")
        return model.estimator if model is not None else None

    def linker(self) -> PlanLinker | None:
        from notereview.ml._linking import SemanticPlanLinker

        model = self.loaded.get("plan_link")
        if model is None or self.embedder is None:
            return None
        mode = self.options.get("plan_link") or str(model.meta.get("mode", "fallback"))
        return SemanticPlanLinker(model, self.embedder,
                                  threshold=float(model.meta.get("threshold", 0.5)), mode=mode)

    def chronology_coverage(self) -> SemanticChronologyCoverage | None:
        """H2's second look by meaning, or None (the rules alone)."""
        from notereview.ml._coverage import SemanticChronologyCoverage

        model = self.loaded.get("chronology_coverage")
        if model is None or self.embedder is None:
            return None
        return SemanticChronologyCoverage(model, self.embedder)

    def describe(self) -> dict[str, Any]:
        labels = {fam: (self.loaded[fam].model_id if fam in self.loaded else "rules")
                  for fam in FAMILIES}
        for fam, option in self.options.items():
            if fam in self.loaded:
                labels[fam] += f":{option}"
        uses_models = any(v != "rules" for v in labels.values())
        return {
            "path": "rules+models" if uses_models else "rules",
            "models_dir": str(self.models_dir),
            "labels": labels,
            "sha256": {fam: m.meta["files"]["model.skops"] for fam, m in self.loaded.items()},
            "transformer": self.transformer,
            "notes": dict(self.notes),
        }


def load_model_set(
    chosen: dict[str, str], models_dir: str | Path | None = None, threads: int | None = None
) -> ModelSet:
    """Load what the rubric chose. A chosen model that is missing falls back to the rules and
    says so; a tampered one raises ModelError. plan_link and chronology_coverage need the
    transformer: without torch, transformers or the pinned package they fall back to the rules
    and say why. ``threads``:
    torch's CPU threads (None: ``notereview.ml._embed.default_threads()``)."""
    folder = Path(models_dir) if models_dir is not None else default_models_dir()
    ms = ModelSet(folder, dict(chosen))
    for family, model_id in chosen.items():
        if family not in FAMILIES:
            raise ModelError(f"rubric models.{family}: unknown label family; use one of "
                             f"{', '.join(FAMILIES)}")
        if model_id == "rules":
            continue
        model_id, _, option = model_id.partition(":")
        if option:
            if option not in OPTIONS.get(family, ()):
                allowed = OPTIONS.get(family)
                raise ModelError(
                    f"rubric models.{family}: {option!r} is not an option; "
                    + (f"use one of {', '.join(allowed)}" if allowed else "it takes none")
                )
            ms.options[family] = option
        name, version = parse_model_id(model_id)
        if not (folder / name / version / "model.skops").is_file():
            ms.notes[family] = f"{model_id} not found under {folder}: rules used"
            continue
        if family in TRANSFORMER_FAMILIES:
            ok, why = transformer_available()
            if not ok:
                ms.notes[family] = f"rules used: {why}"
                ms.transformer = f"not available: {why}"
                continue
        ms.loaded[family] = load_model(folder, name, version)
    if TRANSFORMER_FAMILIES & set(ms.loaded):
        from notereview.ml._embed import LazyEmbedder

        ms.embedder = LazyEmbedder(threads)  # checked now, loaded at its first use
        ms.transformer = ms.embedder.describe()
    return ms


def describe_models(reviewer: Any) -> dict[str, Any]:
    """What run.json's ``models`` should say for this reviewer (rules only, or which models,
    their hashes, and whether the transformer ran and if not why)."""
    model_set = getattr(reviewer, "model_set", None)
    if model_set is None:
        ok, why = transformer_available()
        return {
            "path": "rules",
            "labels": dict.fromkeys(FAMILIES, "rules"),
            "transformer": "not used: the rules path" if ok else f"not available: {why}",
        }
    return model_set.describe()
