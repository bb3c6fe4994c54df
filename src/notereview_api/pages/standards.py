"""The practice standards in words, as the pages show them (titles come from the rubric; these
say what good looks like, after DESIGN.md "The standards" and docs/criteria.md)."""

from __future__ import annotations

from notereview import vocabulary

WHAT_GOOD_LOOKS_LIKE: dict[str, str] = {
    "V1": "Visits happen within the interval the child's legal status requires.",
    "V2": "The child is seen on every visit, and seen alone where their age allows.",
    "V3": "The visit is recorded within the recording timescale (3 working days).",
    "V4": "The record says what the visit did about the child's plan.",
    "V5": "The record says what was observed, what it means for the child, and the next steps.",
    "C1": "The child's own words, quoted or reported and attributed to the child "
    "(not a parent's or professional's account, not a stock phrase).",
    "C2": "The child's wishes and feelings are explored, in the child's own voice.",
    "C3": "For a baby or a child who does not speak: specific observation of presentation, "
    "play and how they are with their carer.",
    "C4": "The child's voice shaped the plan or the actions.",
    "S1": "The case summary is up to date: updated since the last significant event, within "
    "3 months.",
    "S2": "The summary is succinct: about 150 to 800 words.",
    "S3": "A safety plan: worries and risks, strengths and protective factors, who does what by "
    "when, and what happens if the plan is not followed.",
    "S4": "The child's voice is in the summary.",
    "H1": "The chronology is present; entries dated, in order, each with its source.",
    "H2": "Significant events found elsewhere in the file appear in the chronology.",
    "H3": "Entries say the impact on the child and what worked and why, not only what happened.",
    "H4": "No unexplained gaps in the chronology while the case is open.",
    "P1": "Each action is SMART: who does what, how we will know, achievable, and by when.",
    "P2": "The plan is reviewed within the review timescale.",
    "P3": "The plan is updated after review; no action left stale.",
    "G1": "A genogram is on the file and up to date.",
    "G2": "The genogram is meaningful: both sides of the family, at least two generations, "
    "relationships named.",
    "G3": "The support network was discussed with the family or the child.",
    "M1": "Supervision or management oversight is recorded within the expected frequency.",
    "M2": "Supervision is reflective and analytic, not only a list of decisions.",
    "M3": "Supervision sets actions with owners and timescales.",
}

STATUS_WORDS: dict[str, str] = {
    "met": "Met",
    "partly_met": "Partly met",
    "not_met": "Not met",
    "not_applicable": "Does not apply",
}

BAND_WORDS: dict[str, str] = {
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
    "outstanding": "Outstanding",
}

RECORD_KINDS: dict[str, str] = {
    "visits": "Visit record",
    "case_summaries": "Case summary",
    "plan_actions": "Plan action",
    "plans": "Plan",
    "chronology": "Chronology entry",
    "supervision": "Supervision note",
    "genograms": "Genogram notes",
    "children": "Child's details",
}

EXEMPLAR_KINDS: dict[str, str] = {
    "visit": "Visit record",
    "case_summary": "Case summary",
    "plan_action": "Plan action",
    "chronology_entry": "Chronology entry",
    "supervision": "Supervision note",
}

LEGAL_STATUS_WORDS: dict[str, str] = {
    "CP": "Child protection plan",
    "LAC": "Looked after",
    "PF": "Private fostering",
    "CIN": "Child in need",
    "CL": "Care leaver",
}

#: The grades as a page lists them, best first (the vocabulary lists them worst first).
GRADES: tuple[str, ...] = tuple(reversed(vocabulary.GRADES))
