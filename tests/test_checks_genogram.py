"""G1, G2, G3: a genogram kept up with the household, both families mapped, made with them."""

from __future__ import annotations

from datetime import date

from notereview import CaseFile, Child, Genogram, GenogramMember, Visit

AS_OF = date(2026, 10, 30)


def _child() -> Child:
    return Child(
        child_id="C1",
        legal_status="CP",
        status_start=date(2026, 2, 2),
        team="T",
        worker_id="W",
        first_name="Maya",
        age_years=9,
        gender="F",
    )


FULL = (
    GenogramMember("Maya Hill", "subject child", "other", 0),
    GenogramMember("Owen Hill", "brother", "other", 0),
    GenogramMember("Jess Hill", "mother", "maternal", 1),
    GenogramMember("Rita Hill", "maternal grandmother", "maternal", 2),
    GenogramMember("Dan Price", "father", "paternal", 1),
    GenogramMember("Gwen Price", "paternal grandmother", "paternal", 2),
)


def _finding(reviewer, cid: str, genogram: Genogram | None, visits=()):
    case = CaseFile.build(_child(), visits=list(visits), genograms=[genogram] if genogram else [])
    review = reviewer.review(case, AS_OF)
    return next(f for f in review.findings if f.criterion == cid)


def test_a_genogram_drawn_before_a_new_adult_moved_in_is_out_of_date(reviewer):
    g = Genogram("C1", date(2026, 6, 1), FULL, notes="")
    assert _finding(reviewer, "G1", g).status == "met"
    visit = Visit(
        "V1", "C1", date(2026, 9, 8), date(2026, 9, 8), True,
        "Mum's new partner Lee moved into the household on 01/09/2026.",
    )  # fmt: skip
    f = _finding(reviewer, "G1", g, [visit])
    assert f.status == "partly_met" and "household changed" in f.missing


def test_a_side_of_the_family_is_more_than_the_parent(reviewer):
    assert _finding(reviewer, "G2", Genogram("C1", date(2026, 6, 1), FULL)).status == "met"
    friend = GenogramMember("Ali Khan", "family friend", "other", 1)
    father_only = (*(m for m in FULL if m.name != "Gwen Price"), friend)
    f = _finding(reviewer, "G2", Genogram("C1", date(2026, 6, 1), father_only))
    assert f.status == "partly_met" and "not only the parents" in f.missing
    assert _finding(reviewer, "G2", None).status == "not_met"


def test_notes_saying_it_was_drawn_with_the_child_or_the_family_show_a_discussion(reviewer):
    with_child = Genogram("C1", date(2026, 6, 1), FULL, notes="Drawn with Maya at school.")
    assert _finding(reviewer, "G3", with_child).status == "met"
    with_both = Genogram(
        "C1", date(2026, 6, 1), FULL, notes="Built with Jess and Rita at the family centre."
    )
    assert _finding(reviewer, "G3", with_both).status == "met"
    one_parent = Genogram("C1", date(2026, 6, 1), FULL, notes="Drawn with Jess at the office.")
    f = _finding(reviewer, "G3", one_parent)
    assert f.status == "partly_met" and "one person" in f.missing
    taken = Genogram("C1", date(2026, 6, 1), FULL, notes="Details from the referral form.")
    assert _finding(reviewer, "G3", taken).status == "not_met"
