"""The judgement's versions on disk: the registry of the promoted one, listing, promotion,
rollback, and writing a new version with its model card."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from notereview.checks._judgement import (
    FEATURES_VERSION,
    NAME,
    REGISTRY_FILE,
    WEIGHTS_FILE,
    Judgement,
    load_judgement,
)
from notereview.errors import ModelError, NotereviewError
from notereview.ml._judgement_gate import GateResult
from notereview.ml._judgement_learn import CORRECTION_WEIGHT


def registry_path(models_dir: Path) -> Path:
    return models_dir / NAME / REGISTRY_FILE


def read_registry(models_dir: Path) -> dict[str, Any]:
    """``{"promoted": version, "history": [...]}``; version "1" where no registry exists."""
    path = registry_path(models_dir)
    if not path.is_file():
        return {"promoted": "1", "history": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        str(data["promoted"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelError(f"{path} is not a model registry; restore it or delete it") from None
    return data


def write_registry(models_dir: Path, promoted: str, action: str, reason: str) -> None:
    data = read_registry(models_dir)
    previous = str(data["promoted"])
    data["history"] = [
        *data.get("history", []),
        {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "action": action,
            "from": previous,
            "to": promoted,
            "reason": reason,
        },
    ]
    data["promoted"] = promoted
    path = registry_path(models_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def list_versions(models_dir: Path) -> list[dict[str, Any]]:
    """Every version folder of the judgement with its meta.json's summary."""
    from notereview.ml._artefact import read_meta

    folder = models_dir / NAME
    promoted = str(read_registry(models_dir)["promoted"])
    out = []
    versions = [p for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []
    for path in sorted(versions, key=lambda p: (len(p.name), p.name)):
        try:
            meta = read_meta(path)
        except ModelError:
            continue
        out.append(
            {
                "version": path.name,
                "promoted": path.name == promoted,
                "created_at": meta.get("created_at"),
                "sha256": meta.get("files", {}).get(WEIGHTS_FILE, ""),
                "gate": (meta.get("gate") or {}).get("reason", "shipped"),
            }
        )
    return out


def promote(models_dir: Path, version: str, reason: str = "promoted by hand") -> None:
    load_judgement(version, models_dir)  # refuses a missing or changed artefact
    write_registry(models_dir, version, "promote", reason)


def rollback(models_dir: Path) -> str:
    """Promote again the version that was promoted before the current one (promotions form
    a stack: a rollback pops one); returns it."""
    data = read_registry(models_dir)
    current = str(data["promoted"])
    history = data.get("history", [])
    stack = [str(history[0]["from"])] if history else [current]
    for entry in history:
        if entry.get("action") == "rollback":
            if len(stack) > 1:
                stack.pop()
        else:
            stack.append(str(entry["to"]))
    if len(stack) < 2:
        raise NotereviewError(
            f"nothing to roll back to: version {current} has no earlier promotion"
        )
    target = stack[-2]
    load_judgement(target, models_dir)
    write_registry(models_dir, target, "rollback", f"rolled back from {current}")
    return target


def _next_version(models_dir: Path) -> str:
    folder = models_dir / NAME
    taken = [int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit()]
    return str(max(taken, default=0) + 1)


def write_version(
    models_dir: Path,
    judgement: Judgement,
    base_id: str,
    provenance: dict[str, Any],
    result: GateResult,
) -> tuple[str, Path]:
    """A new version folder: weights.json, meta.json (sha256, counts, gate figures) and a card."""
    from notereview.ml._artefact import CARD_FILE, META_FILE, sha256_file

    version = _next_version(models_dir)
    folder = models_dir / NAME / version
    folder.mkdir(parents=True)
    weights = {
        "features_version": FEATURES_VERSION,
        "labels": {
            label: {
                "bias": m.bias,
                "window": m.window,
                "threshold": m.threshold,
                "rule_offset": m.rule_offset,
                "rule_cap": m.rule_cap,
                "weights": dict(sorted(m.weights.items())),
            }
            for label, m in judgement.models.items()
        },
        "voice": {
            kind: {"bias": v.bias, "weights": dict(sorted(v.weights.items()))}
            for kind, v in judgement.voice.items()
        },
    }
    path = folder / WEIGHTS_FILE
    path.write_text(json.dumps(weights, indent=0) + "\n", encoding="utf-8")
    digest = sha256_file(path)
    meta = {
        "name": NAME,
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "format": "json-linear",
        "files": {WEIGHTS_FILE: digest},
        "features_version": FEATURES_VERSION,
        "trained_from": base_id,
        "training_data": provenance,
        "gate": result.as_dict(),
    }
    (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (folder / CARD_FILE).write_text(
        _card(version, base_id, provenance, result, digest), encoding="utf-8"
    )
    return version, folder


def _card(version: str, base: str, prov: dict[str, Any], result: GateResult, digest: str) -> str:
    lines = [
        f"# {NAME}@{version}: the visit judgement retrained on a council's corrections",
        "",
        f"Refitted from {base}'s recipe (same window, threshold and plan-link rule offset per",
        "label) on the training passages plus the auditors' corrections of visit records, each",
        f"corrected record weighted {CORRECTION_WEIGHT} (a span correction: the sentences it",
        "covers). The record's voice is read by a multinomial logistic regression over the",
        "record's features and the rules' kind, fitted on the passages, pseudo-records of",
        "two to eight passages of one author, and the corrected records.",
        "",
        "## Data",
        "",
        f"- training passages: {prov['passages']} ({', '.join(prov['authors'])})",
        f"- corrected visit records: {prov['corrected_records']} from {prov['children']} "
        f"children; span corrections: {prov['span_corrections']}",
        f"- labels per family: {json.dumps(prov['labels'])}",
        f"- left out: {json.dumps(prov['skipped']) if prov['skipped'] else 'none'}",
        f"- weights.json sha256: {digest}",
        "",
        "## Gate (held out, grouped by child; see notereview.ml._judgement_fit)",
        "",
        f"{result.reason}",
        "",
        "| measure | family | n | before | after | change | 95% interval | new model taken |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for where, figures in (("corrections", result.corrections), ("passages", result.passages)):
        for family, f in figures.items():
            lines.append(
                f"| held-out {where} | {family} | {f.n} | {f.before:.3f} | {f.after:.3f} | "
                f"{f.delta:+.3f} | {f.low:+.3f} to {f.high:+.3f} | "
                f"{'yes' if family in result.taken else 'no'} |"
            )
    lines += [
        "",
        "Before: the promoted model (corrections) or the same recipe without corrections",
        "(passages of the held-out author). After: the candidate fitted without the held-out",
        "children and author.",
        "",
        "## Known failure modes",
        "",
        "- SMART is read by the rules: its corrections are stored and counted in agreement,",
        "  but not learned from here.",
        "- The voice model reads a whole record as one bag of words: a long record's words",
        "  from a parent can pull it towards the child's voice; the gate measures it on",
        "  held-out children before it is used.",
        "- A few children's corrections move the model little; the gate keeps it unpromoted",
        "  until the held-out gain clears the margin.",
        "",
    ]
    return "\n".join(lines)
