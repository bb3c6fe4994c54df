"""Regenerate the golden reviews: whole reviews of a handful of synthetic case files.

    .venv/bin/python tests/golden/regenerate.py

Then read every changed file (git diff tests/golden) as an auditor would before committing:
a golden file is a review someone has checked by hand, not a snapshot to accept blindly.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
SEED = 11
CHILDREN = 80
# Chosen once to cover the hard shapes: a baby on a CP plan, a CP file, a looked-after child
# with a placement move inside the window, a care leaver, a non-verbal child and a weak file.
GOLDEN_IDS = ("C000004", "C000012", "C000014", "C000019", "C000020", "C000029")


def review_payload(review) -> dict:
    return {
        "child_id": review.case.child_id,
        "score": review.score.score,
        "grade_band": review.score.grade_band,
        "themes": review.score.themes,
        "reasons": list(review.score.reasons),
        "findings": [
            {
                "criterion": f.criterion,
                "status": f.status,
                "score": round(f.score, 4),
                "missing": f.missing,
                "evidence": [
                    [e.table, e.record_id, e.start, e.end, e.quote, e.source] for e in f.evidence
                ],
            }
            for f in review.findings
        ],
        "visits": {
            vid: {"voice": lab.voice, "plan_linked": lab.plan_linked, "analysis": lab.analysis,
                  "on_time": lab.on_time, "recorded_late_days": lab.recorded_late_days}
            for vid, lab in review.visit_labels.items()
        },
        "plan_actions": {
            aid: {"smart": lab.smart, "specific": lab.specific, "measurable": lab.measurable,
                  "owner_named": lab.owner_named, "timebound": lab.timebound}
            for aid, lab in review.action_labels.items()
        },
    }  # fmt: skip


def golden_reviews() -> dict[str, dict]:
    from notereview.extract import read_extract
    from notereview.review import Reviewer
    from notereview.synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp) / "x", CHILDREN, SEED)
        extract = read_extract(Path(tmp) / "x")
        reviewer = Reviewer()
        out = {}
        for case in extract.case_files():
            if case.child_id in GOLDEN_IDS:
                out[case.child_id] = review_payload(reviewer.review(case, extract.as_of))
        return out


def main() -> int:
    for child_id, payload in golden_reviews().items():
        path = HERE / f"{child_id}.json"
        path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
