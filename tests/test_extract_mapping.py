"""The column-mapping file, and an export in a council's own shape read through it."""

from __future__ import annotations

import json
from datetime import date
from importlib.resources import files
from pathlib import Path

import pytest

from notereview.errors import ConfigError
from notereview.extract import ColumnMapping, TableCount, load_mapping, read_extract
from test_extract_support import Rows, assert_accounting, reasons, table_bytes

EXAMPLE = Path(str(files("notereview.extract").joinpath("mappings/example_council.yaml")))


def _write_yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, "utf-8")
    return path


def test_example_mapping_loads() -> None:
    mapping = load_mapping(EXAMPLE)
    assert mapping.version == 1 and mapping.dayfirst is True
    assert mapping.file_stem("visits") == "ContactRecords"
    assert mapping.source_column("visits", "visit_date") == "ContactDate"
    assert mapping.source_column("visits", "no_such") == "no_such"
    assert mapping.value_maps()["legal_status"]["cp plan"] == "CP"


def test_defaults_without_a_file() -> None:
    mapping = ColumnMapping()
    assert mapping.dayfirst is False
    assert mapping.file_stem("children") == "children"
    assert mapping.source_column("children", "child_id") == "child_id"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("version: 1\ndayfirst: true\ncolour: blue\n", "colour"),
        ("version: 2\n", "version"),
        ("tables:\n  contacts:\n    file: X\n", "tables.contacts: unknown table"),
        ("tables:\n  visits:\n    columns: {visit_when: X}\n", "tables.visits.columns.visit_when"),
        ("tables:\n  visits:\n    filename: X\n", "filename"),
        ("tables:\n  visits:\n    file: sub/X\n", "without folders"),
        ("values:\n  legal_status: {'CP Plan': CPP}\n", "values.legal_status.CP Plan"),
        ("values:\n  seen: {'Seen': maybe}\n", "values.seen.Seen"),
        ("values:\n  seen: {Yes: y}\n", "put the export's value True in quotes"),
        ("values:\n  colour: {a: b}\n", "values.colour: not a contract column"),
        ("- just\n- a list\n", "must hold a mapping"),
        ("tables: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_mapping_files(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_mapping(_write_yaml(tmp_path, text))
    assert fragment in str(err.value)


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_mapping(tmp_path / "nope.yaml")


def test_empty_mapping_file_is_the_default(tmp_path: Path) -> None:
    assert load_mapping(_write_yaml(tmp_path, "")) == ColumnMapping()


def test_yaml_booleans_as_targets_become_text(tmp_path: Path) -> None:
    mapping = load_mapping(
        _write_yaml(tmp_path, "values:\n  seen: {'Seen': yes, 'Not seen': no}\n")
    )
    assert mapping.value_maps()["seen"] == {"seen": "true", "not seen": "false"}


# ------------------------------------------------------------------ a council-shaped export


def _council_export() -> dict[str, Rows]:
    """Files and columns as the example council's system writes them (invented people)."""
    members = json.dumps([
        {"name": "Mum", "relationship": "mother", "side": "maternal", "generation": 1},
        {"name": "Grandad Joe", "relationship": "grandfather", "side": "paternal", "generation": 2},
    ])  # fmt: skip
    return {
        "ChildDetails": [
            dict(PersonID="100234", Forename="Mia", DOB="14/07/2014", Gender="Female",
                 CurrentStatus="CP Plan", StatusStartDate="02/10/2025", TeamName="Safeguarding 2",
                 AllocatedWorkerID="SW17", PlacementStartDate="", LongTermPlacement="",
                 Ethnicity="Not recorded"),
            dict(PersonID="100291", Forename="Leo", DOB="03/02/2011", Gender="Male",
                 CurrentStatus="Looked After", StatusStartDate="15/01/2024",
                 TeamName="Children in Care", AllocatedWorkerID="SW04",
                 PlacementStartDate="01/09/2025", LongTermPlacement="Long term",
                 Ethnicity="Not recorded"),
            dict(PersonID="100377", Forename="Ava", DOB="29/02/2024", Gender="Not known",
                 CurrentStatus="Adopted", StatusStartDate="01/03/2026", TeamName="CIN 1",
                 AllocatedWorkerID="SW17", PlacementStartDate="", LongTermPlacement="",
                 Ethnicity=""),
        ],
        "ContactRecords": [
            dict(ContactID="C-1", PersonID="100234", ContactDate="05/01/2026 10:30",
                 RecordedDate="06/01/2026", ChildSeen="Seen", SeenAlone="Seen alone",
                 ContactType="Statutory Visit", WorkerID="SW17",
                 ContactNote="<p>Mia said &quot;I like my room&quot;.</p><p>Plan discussed.</p>"),
            dict(ContactID="C-2", PersonID="100234", ContactDate="19/01/2026",
                 RecordedDate="19/01/2026", ChildSeen="Not seen", SeenAlone="N/A",
                 ContactType="Home Visit", WorkerID="SW17", ContactNote="No answer at the door."),
            dict(ContactID="C-3", PersonID="100291", ContactDate="12/02/2026",
                 RecordedDate="11/02/2026", ChildSeen="Seen", SeenAlone="Not seen alone",
                 ContactType="Placement Visit", WorkerID="SW04", ContactNote="Leo was playing."),
            dict(ContactID="C-4", PersonID="100377", ContactDate="02/03/2026",
                 RecordedDate="03/03/2026", ChildSeen="Seen", SeenAlone="",
                 ContactType="Home Visit", WorkerID="SW17", ContactNote="Ava asleep."),
        ],
        "CaseSummaries": [
            dict(SummaryID="CS1", PersonID="100234", LastUpdated="10/02/2026",
                 SummaryText="Worries and strengths agreed with Mum."),
        ],
        "Plans": [
            dict(PlanID="PL1", PersonID="100234", PlanType="Child Protection Plan",
                 PlanStartDate="20/10/2025", LastReviewDate="15/01/2026",
                 NextReviewDue="15/07/2026"),
        ],
        "PlanActions": [
            dict(ActionID="AC1", PlanID="PL1", ActionDescription="Mum to attend course weekly.",
                 ResponsiblePerson="Family support", TargetDate="30/04/2026",
                 ActionStatus="In progress"),
            dict(ActionID="AC2", PlanID="PL1", ActionDescription="School to share attendance.",
                 ResponsiblePerson="", TargetDate="", ActionStatus="Completed"),
        ],
        "ChronologyEvents": [
            dict(EventID="EV1", PersonID="100234", EventDate="01/10/2025",
                 DateEntered="02/10/2025", EventCategory="Conference", InformationSource="Chair",
                 EventDetail="Initial conference.", ImpactOnChild="Mia is safer with a plan."),
        ],
        "Genograms": [
            dict(PersonID="100234", LastUpdated="01/11/2025", FamilyMembersJSON=members,
                 GenogramNotes="Drawn with Mum."),
        ],
        "SupervisionRecords": [
            dict(SupervisionID="SU1", PersonID="100291", SupervisionDate="20/02/2026",
                 ManagerID="TM2", SupervisionNote="Reflected on Leo's contact."),
        ],
    }  # fmt: skip


def test_council_export_through_the_example_mapping(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    formats = {"ContactRecords": "csv", "ChildDetails": "csv", "Genograms": "jsonl"}
    for stem, rows in _council_export().items():
        fmt = formats.get(stem, "csv")
        (folder / f"{stem}.{fmt}").write_bytes(table_bytes(rows, fmt, encoding="cp1252"))

    ex = read_extract(folder, mapping=load_mapping(EXAMPLE), as_of=date(2026, 3, 31))
    assert_accounting(ex)
    assert ex.tables_absent == []
    assert ex.notes["visits"]["file"] == "ContactRecords.csv"
    assert ex.notes["visits"]["columns"]["visit_date"] == "ContactDate"
    # the export's ethnicity is carried for equality monitoring (no check reads it)
    assert ex.notes["children"]["columns"]["ethnicity"] == "Ethnicity"
    assert ex.notes["children"]["extra_columns"] == []
    assert reasons(ex, "children") == [
        (3, "100377", "legal_status is not one of CIN, CP, LAC, PF, CL "
                      "(map the export's codes under values.legal_status in the mapping file)"),
    ]  # fmt: skip
    assert reasons(ex, "visits") == [
        (3, "C-3", "recorded_at is before visit_date"),
        (4, "C-4", "child_id 100377 was quarantined (children row 3)"),
    ]
    assert ex.counts["visits"] == TableCount(4, 2, 2)
    assert ex.counts["plan_actions"] == TableCount(2, 2, 0)

    mia, leo = list(ex.case_files())
    assert mia.child.legal_status == "CP" and mia.child.gender == "F"
    assert mia.child.date_of_birth == date(2014, 7, 14)
    assert leo.child.legal_status == "LAC" and leo.child.long_term_placement is True
    assert leo.child.placement_start == date(2025, 9, 1)
    v1, v2 = mia.visits
    assert (v1.visit_date, v1.seen, v1.seen_alone, v1.visit_type) == (
        date(2026, 1, 5),
        True,
        True,
        "statutory",
    )
    assert v1.text == 'Mia said "I like my room".\n\nPlan discussed.'
    assert (v2.seen, v2.seen_alone, v2.visit_type) == (False, False, "home")
    assert mia.plans[0].plan_type == "CP"
    assert [a.status for a in mia.plan_actions] == ["open", "done"]
    assert {m.side for m in mia.genograms[0].members} == {"maternal", "paternal"}
    assert leo.supervision[0].manager_id == "TM2"
