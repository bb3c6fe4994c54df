"""Synthetic extract generator with an answer key.

``generate`` writes the eight contract tables (see CONTRACT.md) for invented children, in many
named writer styles, plus ``answer_key.json``: what every record really contains (voice, plan
link, analysis, timeliness, copy-paste, events left out of the chronology...) and every
criterion's true status under docs/criteria.md, with two simulated auditors' grades.
No real case note is, or may ever be, part of it.

The records carry the phenomena of real recording (data/phenomena.yaml, _phenomena.py): the
child called by a nickname, an initial or another spelling; several people quoted in one note;
letters to the child; words through an interpreter, signs, symbols, a talker, eye-gaze or a text
message; a baby's babble; a carer relaying the child's words; a parent interpreting; old words
written in as new; analysis in plain words; visits tied to the plan by its decisions; dictation
left in; junk in plan action fields. The key labels them by the auditor's convention
(../shared/eval/casefiles_dev/README.md) and lists each record's ``phenomena`` and ``speakers``.
"""

from __future__ import annotations

from notereview.synth._generate import DEFAULT_AS_OF, GENERATOR_VERSION, SynthSummary, generate

#: The named writer styles (a model trained on some can be evaluated on the others).
STYLE_NAMES: tuple[str, ...] = (
    "terse_abbreviated",
    "narrative_first_person",
    "formal_third_person",
    "bullet_points",
    "headings_structured",
    "signs_of_safety",
    "reflective_analytic",
    "long_rambling",
    "typo_prone",
    "newly_qualified",
    "locum_minimal",
    "child_centred",
    "chronological_diary",
    "dictated_voice_note",
)

__all__ = ["DEFAULT_AS_OF", "GENERATOR_VERSION", "STYLE_NAMES", "SynthSummary", "generate"]
