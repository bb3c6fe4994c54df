"""The synthetic extract: determinism, the contract's shape, formats, styles and proportions."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from notereview.errors import ConfigError
from notereview.synth import DEFAULT_AS_OF, STYLE_NAMES, SynthSummary, generate

AS_OF = DEFAULT_AS_OF
# The default a case-management system puts in an empty due-date field (see phenomena.yaml).
FAR_FUTURE_DEFAULT = "2099-12-31"
# CONTRACT.md, "The extract contract": every column, and the required ones.
COLUMNS: dict[str, tuple[str, ...]] = {
    "children": ("child_id", "first_name", "date_of_birth", "age_years", "gender", "legal_status",
                 "status_start", "team", "worker_id", "placement_start", "long_term_placement",
                 "ethnicity", "disability"),
    "visits": ("visit_id", "child_id", "visit_date", "recorded_at", "seen", "seen_alone",
               "visit_type", "worker_id", "text"),
    "case_summaries": ("summary_id", "child_id", "updated_at", "text"),
    "plans": ("plan_id", "child_id", "plan_type", "start_date", "last_review_date",
              "next_review_date"),
    "plan_actions": ("action_id", "plan_id", "text", "owner", "due_date", "status"),
    "chronology": ("entry_id", "child_id", "event_date", "entered_at", "event_type", "source",
                   "text", "impact"),
    "genograms": ("child_id", "updated_at", "members", "notes"),
    "supervision": ("record_id", "child_id", "date", "manager_id", "text"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "children": ("child_id", "legal_status", "status_start", "team", "worker_id"),
    "visits": ("visit_id", "child_id", "visit_date", "recorded_at", "seen", "text"),
    "case_summaries": ("summary_id", "child_id", "updated_at", "text"),
    "plans": ("plan_id", "child_id", "plan_type", "start_date"),
    "plan_actions": ("action_id", "plan_id", "text"),
    "chronology": ("entry_id", "child_id", "event_date", "text"),
    "genograms": ("child_id", "updated_at", "members"),
    "supervision": ("record_id", "child_id", "date", "text"),
}
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "children": ("date_of_birth", "status_start", "placement_start"),
    "visits": ("visit_date", "recorded_at"),
    "case_summaries": ("updated_at",),
    "plans": ("start_date", "last_review_date", "next_review_date"),
    "plan_actions": ("due_date",),
    "chronology": ("event_date", "entered_at"),
    "genograms": ("updated_at",),
    "supervision": ("date",),
}
BOOL_COLUMNS: dict[str, tuple[str, ...]] = {
    "children": ("long_term_placement",),
    "visits": ("seen", "seen_alone"),
}


def read_tables(folder: Path) -> dict[str, list[dict[str, str]]]:
    out = {}
    for table in COLUMNS:
        with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
            out[table] = list(csv.DictReader(fh))
    return out


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary]:
    folder = tmp_path_factory.mktemp("synth400")
    summary = generate(folder, 400, seed=7)
    return folder, summary


@pytest.fixture(scope="module")
def tables(extract: tuple[Path, SynthSummary]) -> dict[str, list[dict[str, str]]]:
    return read_tables(extract[0])


@pytest.fixture(scope="module")
def key(extract: tuple[Path, SynthSummary]) -> dict:
    return json.loads((extract[0] / "answer_key.json").read_text(encoding="utf-8"))


def test_public_names() -> None:
    assert len(STYLE_NAMES) >= 12
    assert len(set(STYLE_NAMES)) == len(STYLE_NAMES)
    assert date(2026, 11, 2) == DEFAULT_AS_OF


def test_unknown_style_is_a_config_error_naming_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        generate(tmp_path, 3, seed=1, styles=["haiku"])
    message = str(err.value)
    assert "haiku" in message
    assert all(s in message for s in STYLE_NAMES)
    with pytest.raises(ConfigError):
        generate(tmp_path, 3, seed=1, exclude_styles=["sonnet"])
    with pytest.raises(ConfigError):
        generate(tmp_path, 3, seed=1, fmt="xlsx")


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, 120, seed=3)
    generate(b, 120, seed=3)
    generate(c, 120, seed=4)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert len(names) == 9
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "visits.csv").read_bytes() != (c / "visits.csv").read_bytes()
    assert (a / "answer_key.json").read_bytes() != (c / "answer_key.json").read_bytes()


def test_a_smaller_run_is_a_prefix_of_a_larger_one(tmp_path: Path) -> None:
    generate(tmp_path / "small", 40, seed=5)
    generate(tmp_path / "big", 90, seed=5)
    for table in COLUMNS:
        small = (tmp_path / "small" / f"{table}.csv").read_bytes()
        big = (tmp_path / "big" / f"{table}.csv").read_bytes()
        assert big.startswith(small), table
    small_key = json.loads((tmp_path / "small" / "answer_key.json").read_text())
    big_key = json.loads((tmp_path / "big" / "answer_key.json").read_text())
    for child_id, entry in small_key["children"].items():
        assert big_key["children"][child_id] == entry


def test_every_table_has_the_contract_columns(extract: tuple[Path, SynthSummary],
                                              tables: dict[str, list[dict[str, str]]]) -> None:
    folder, summary = extract
    for table, cols in COLUMNS.items():
        with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert tuple(header) == cols, table
        rows = tables[table]
        assert rows, table
        assert summary.rows[table] == len(rows)
        for row in rows:
            for col in REQUIRED[table]:
                assert row[col] != "", (table, col)
    children = tables["children"]
    assert all(r["date_of_birth"] or r["age_years"] for r in children)
    assert all(r["placement_start"] for r in children if r["legal_status"] == "LAC")


def test_values_are_well_formed(tables: dict[str, list[dict[str, str]]]) -> None:
    for table, cols in DATE_COLUMNS.items():
        for row in tables[table]:
            for col in cols:
                if row[col] and row[col] != FAR_FUTURE_DEFAULT:
                    assert date.fromisoformat(row[col]) <= AS_OF + timedelta(days=400), (table, col)
    for table, cols in BOOL_COLUMNS.items():
        for row in tables[table]:
            for col in cols:
                assert row[col] in ("y", "n", ""), (table, col, row[col])
    assert all(r["seen"] in ("y", "n") for r in tables["visits"])
    children = {r["child_id"]: r for r in tables["children"]}
    for r in children.values():
        assert r["legal_status"] in ("CIN", "CP", "LAC", "PF", "CL")
        assert r["gender"] in ("F", "M", "other", "unknown")
        age = int(r["age_years"])
        if r["date_of_birth"]:
            born = date.fromisoformat(r["date_of_birth"])
            years = AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
            assert years == age
        if r["legal_status"] == "CL":
            assert 18 <= age <= 20
        else:
            assert 0 <= age <= 17
        assert date.fromisoformat(r["status_start"]) <= AS_OF
    for v in tables["visits"]:
        visit_date = date.fromisoformat(v["visit_date"])
        recorded = date.fromisoformat(v["recorded_at"])
        assert visit_date <= AS_OF
        assert visit_date <= recorded <= AS_OF
        assert v["visit_type"] in ("statutory", "home", "school", "placement", "other")
        assert v["child_id"] in children
        assert date.fromisoformat(children[v["child_id"]]["status_start"]) <= visit_date
    assert all(p["plan_type"] in ("CIN", "CP", "care", "pathway") for p in tables["plans"])
    assert all(a["status"] in ("open", "done", "dropped") for a in tables["plan_actions"])
    for e in tables["chronology"]:
        assert date.fromisoformat(e["event_date"]) <= date.fromisoformat(e["entered_at"]) <= AS_OF
    for g in tables["genograms"]:
        members = json.loads(g["members"])
        assert isinstance(members, list) and members
        for m in members:
            assert set(m) == {"name", "relationship", "side", "generation"}
            assert m["side"] in ("maternal", "paternal", "other")
            assert isinstance(m["generation"], int)
    for s in tables["supervision"]:
        assert date.fromisoformat(s["date"]) <= AS_OF


def test_ids_are_unique_and_children_known(tables: dict[str, list[dict[str, str]]]) -> None:
    ids = {"children": "child_id", "visits": "visit_id", "case_summaries": "summary_id",
           "plans": "plan_id", "plan_actions": "action_id", "chronology": "entry_id",
           "supervision": "record_id"}
    seen: set[str] = set()
    for table, col in ids.items():
        values = [r[col] for r in tables[table]]
        assert len(values) == len(set(values)), table
        assert not seen & set(values), table
        seen |= set(values)
    known = {r["child_id"] for r in tables["children"]}
    assert [r["child_id"] for r in tables["children"]][:2] == ["C000001", "C000002"]
    for table in ("visits", "case_summaries", "plans", "chronology", "genograms", "supervision"):
        assert {r["child_id"] for r in tables[table]} <= known, table
    plans = {r["plan_id"] for r in tables["plans"]}
    assert {r["plan_id"] for r in tables["plan_actions"]} <= plans


def test_records_span_twelve_to_eighteen_months(tables: dict[str, list[dict[str, str]]]) -> None:
    first: dict[str, date] = {}
    for v in tables["visits"]:
        d = date.fromisoformat(v["visit_date"])
        first[v["child_id"]] = min(first.get(v["child_id"], d), d)
    span = [(AS_OF - d).days for d in first.values()]
    assert max(span) <= 560
    assert sum(s >= 330 for s in span) / len(span) > 0.4  # long-open children reach back a year+


def test_status_and_team_proportions(tables: dict[str, list[dict[str, str]]]) -> None:
    children = tables["children"]
    n = len(children)
    share = {k: v / n for k, v in Counter(r["legal_status"] for r in children).items()}
    assert 0.35 <= share["CIN"] <= 0.55
    assert 0.08 <= share["CP"] <= 0.23
    assert 0.22 <= share["LAC"] <= 0.38
    assert 0.03 <= share.get("CL", 0) <= 0.14
    assert share.get("PF", 0) <= 0.06
    teams = Counter(r["team"] for r in children)
    assert 6 <= len(teams) <= 8
    workers_per_team: dict[str, set[str]] = {}
    for r in children:
        workers_per_team.setdefault(r["team"], set()).add(r["worker_id"])
    assert all(len(w) <= 8 for w in workers_per_team.values())
    matched = sum(
        (r["team"] == "Children in Care" and r["legal_status"] == "LAC")
        or (r["team"] == "Leaving Care" and r["legal_status"] in ("CL", "LAC"))
        or (r["team"] == "Child Protection" and r["legal_status"] in ("CP", "CIN"))
        or r["team"] in ("Assessment", "CIN North", "CIN South", "Disabled Children")
        for r in children)
    assert matched / n > 0.9


def test_all_styles_appear_and_styles_can_be_restricted(key: dict, tmp_path: Path) -> None:
    used = Counter(c["style"] for c in key["children"].values())
    assert set(used) == set(STYLE_NAMES)
    assert key["styles"] == list(STYLE_NAMES)
    only = ["terse_abbreviated", "bullet_points"]
    summary = generate(tmp_path / "only", 60, seed=2, styles=only)
    assert set(summary.styles) == set(only)
    k = json.loads((tmp_path / "only" / "answer_key.json").read_text())
    assert {c["style"] for c in k["children"].values()} == set(only)
    assert {v["style"] for c in k["children"].values() for v in c["visits"].values()} <= set(only)
    summary = generate(tmp_path / "without", 60, seed=2, exclude_styles=only)
    k = json.loads((tmp_path / "without" / "answer_key.json").read_text())
    assert not {c["style"] for c in k["children"].values()} & set(only)
    assert set(summary.styles) == set(STYLE_NAMES) - set(only)


def test_parquet_and_jsonl_hold_the_same_rows_as_csv(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    for fmt in ("csv", "parquet", "jsonl"):
        generate(tmp_path / fmt, 30, seed=9, fmt=fmt)
    for table, cols in COLUMNS.items():
        csv_rows = read_tables(tmp_path / "csv")[table]
        expected = [[r[c] or None for c in cols] for r in csv_rows]
        pq_table = pq.read_table(tmp_path / "parquet" / f"{table}.parquet")
        assert tuple(pq_table.column_names) == cols
        pq_rows = [list(r.values()) for r in pq_table.to_pylist()]
        assert pq_rows == expected, table
        with (tmp_path / "jsonl" / f"{table}.jsonl").open(encoding="utf-8") as fh:
            js_rows = [json.loads(line) for line in fh]
        assert [[r[c] for c in cols] for r in js_rows] == expected, table
    assert ((tmp_path / "csv" / "answer_key.json").read_bytes()
            == (tmp_path / "parquet" / "answer_key.json").read_bytes())


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[int] = []
    summary = generate(tmp_path, 260, seed=1, progress=calls.append)
    assert calls == [250, 260]
    assert summary.children == 260


def test_no_children_writes_empty_tables_and_key(tmp_path: Path) -> None:
    summary = generate(tmp_path, 0, seed=1)
    assert all(v == 0 for v in summary.rows.values())
    key = json.loads((tmp_path / "answer_key.json").read_text())
    assert key["children"] == {}
    assert key["seed"] == 1 and key["as_of"] == AS_OF.isoformat()


def test_equality_monitoring_fields(tables: dict[str, list[dict[str, str]]], key: dict) -> None:
    """Ethnicity in the Annex A categories and disability on every child; children with an
    interpreter and those who communicate through signs, symbols, an app or eye gaze among
    them (issue 20)."""
    from notereview.synth._data import monitoring_file

    m = monitoring_file()
    kids = {r["child_id"]: r for r in tables["children"]}
    assert all(r["ethnicity"] in m.ethnicity for r in kids.values())
    assert all(r["disability"] in ("yes", "no") for r in kids.values())
    assert len({r["ethnicity"] for r in kids.values()}) >= 8
    comm = {cid: c["communication"] for cid, c in key["children"].items()}
    interpreted = [cid for cid, c in comm.items() if c == "interpreter"]
    aided = [cid for cid, c in comm.items() if c in ("makaton", "app", "bsl", "pecs", "eyegaze")]
    assert len(interpreted) >= 5 and len(aided) >= 2, Counter(comm.values())
    assert not {kids[c]["ethnicity"] for c in interpreted} & set(m.interpreter_not)
    assert sum(kids[c]["disability"] == "yes" for c in aided) >= len(aided) / 2
    share = sum(r["disability"] == "yes" for r in kids.values()) / len(kids)
    assert 0.03 < share < 0.3
    assert all(key["children"][c]["ethnicity"] == kids[c]["ethnicity"] for c in kids)
