"""Rules only versus rules + models, per criterion, on a held-out synthetic extract (another
seed, writer styles never trained on) and on ../shared/eval/exemplars_dev.jsonl (measured only:
never trained on, never copied). Writes training/reports/rules_vs_models.{md,json} and adds the
figures to each model's meta.json and MODEL_CARD.md.

    .venv/bin/python training/evaluate_models.py [--children 80] [--seed 303]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import asdict
from importlib import resources
from pathlib import Path

import yaml

from notereview.evaluation import compare, compare_markdown
from notereview.ml.training import EVAL_STYLES

ROOT = Path(__file__).resolve().parents[1]
EXEMPLARS = ROOT.parent / "shared" / "eval" / "exemplars_dev.jsonl"
ALL_MODELS = {
    "visit_voice": "voice_sentence@1",
    "visit_analysis": "visit_analysis@1",
    "plan_actions_smart": "smart_action@1",
    "plan_link": "plan_link@1",
}
#: Which exemplar themes judge which label family.
FAMILY_THEMES = {
    "visit_voice": ("voice_of_child",),
    "plan_actions_smart": ("plan",),
    "visit_analysis": ("visit_record", "other"),
}
FAMILY_MODEL = {"visit_voice": "voice_sentence", "plan_actions_smart": "smart_action",
                "visit_analysis": "visit_analysis", "plan_link": "plan_link"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=80)
    ap.add_argument("--seed", type=int, default=303)
    ap.add_argument("--reports", type=Path, default=ROOT / "training" / "reports")
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    args = ap.parse_args()
    from notereview.synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        extract = work / "held_out"
        generate(extract, args.children, args.seed, styles=list(EVAL_STYLES))
        raw = yaml.safe_load(
            resources.files("notereview.checks").joinpath("rubric.yaml").read_text())
        raw["models"] = ALL_MODELS
        rubric = work / "rubric_all_models.yaml"
        rubric.write_text(yaml.safe_dump(raw))
        result = compare(args.models, extract=extract,
                         exemplars=EXEMPLARS if EXEMPLARS.is_file() else None,
                         work_dir=work / "runs", rubric=rubric)
    text = compare_markdown(result)
    header = (f"# Rules versus rules + models\n\nHeld-out synthetic extract: seed {args.seed}, "
              f"{args.children} children, styles {', '.join(EVAL_STYLES)} (never trained on). "
              "Exemplars: ../shared/eval/exemplars_dev.jsonl (never trained on).\n\n")
    args.reports.mkdir(parents=True, exist_ok=True)
    (args.reports / "rules_vs_models.md").write_text(header + text)
    out = {"synthetic": {k: asdict(v) for k, v in result.get("synthetic", {}).items()},
           "exemplars": result.get("exemplars"), "models_used": result["models_used"]}
    (args.reports / "rules_vs_models.json").write_text(json.dumps(out, indent=2, default=str))
    _update_cards(args.models, result)
    print(header + text)


def _update_cards(models_dir: Path, result: dict) -> None:
    from notereview.ml._cards import card

    ex = result.get("exemplars")
    syn = result.get("synthetic")
    for family, name in FAMILY_MODEL.items():
        folder = models_dir / name / "1"
        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            continue
        meta = json.loads(meta_path.read_text())
        if ex is not None and family in FAMILY_THEMES:
            meta["metrics"]["exemplars_dev"] = {
                f"{theme}_accuracy": {"n": ex["rules"][theme]["n"],
                                      "rules": ex["rules"][theme]["accuracy"],
                                      "model": ex["models"][theme]["accuracy"]}
                for theme in FAMILY_THEMES[family] if theme in ex["rules"]
            }
        if syn is not None:
            key = {"visit_voice": ("visits", "voice_accuracy"),
                   "visit_analysis": ("visits", "analysis_accuracy"),
                   "plan_actions_smart": ("plan_actions", "smart_accuracy"),
                   "plan_link": ("visits", "plan_linked_accuracy")}[family]
            r = getattr(syn["rules"], key[0]).get(key[1])
            m = getattr(syn["models"], key[0]).get(key[1])
            if r is not None and m is not None:
                meta["metrics"]["synthetic_end_to_end"] = {
                    key[1]: {"n": syn["rules"].children, "rules": r, "model": m}}
        meta_path.write_text(json.dumps(meta, indent=2, default=str) + "\n")
        (folder / "MODEL_CARD.md").write_text(card(name, "1", meta))


if __name__ == "__main__":
    main()
