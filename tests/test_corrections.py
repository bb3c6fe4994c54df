"""Auditors' corrections: stored and validated, through the API with roles and the access log,
agreement over time, the retraining gate (promotes a real gain, refuses flipped labels) and the
model registry (promote, rollback, the rubric's ``visit_judgement@promoted``)."""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from notereview.checks._judgement import load_judgement, promoted_version
from notereview.errors import ModelError, NotereviewError
from notereview.ml._judgement_fit import (
    PROMOTION_MARGIN,
    Example,
    correction_examples,
    gate,
    list_versions,
    promote,
    refit,
    rollback,
    write_registry,
)
from notereview.store import (
    CorrectionInput,
    UserError,
    add_corrections,
    agreement_over_time,
    list_corrections,
    read_access_log,
    training_corrections,
    write_run,
)

pytest_plugins = ["api_fixtures"]

MODELS = Path(__file__).resolve().parents[1] / "models"


def _item(**kw: Any) -> CorrectionInput:
    base: dict[str, Any] = {
        "auditor": "amira",
        "source": "import",
        "run_key": "k" * 64,
        "child_id": "C1",
        "record_kind": "visit",
        "record_id": "V1",
        "family": "analysis",
        "corrected": "true",
        "original": "false",
        "model_version": "visit_judgement@1",
        "rubric_version": "2026.11-1",
    }
    return CorrectionInput(**{**base, **kw})


def test_corrections_are_stored_validated_and_agreement_is_counted(engine: Engine) -> None:
    may = datetime(2026, 5, 3, tzinfo=UTC)
    june = datetime(2026, 6, 9, tzinfo=UTC)
    add_corrections(engine, [_item(), _item(record_id="V2", original="true")], now=may)
    add_corrections(
        engine,
        [
            _item(record_id="V3", family="voice", corrected="none", original="observation",
                  model_version="visit_judgement@2"),
            _item(record_id="V3", family="voice", corrected="direct", original=None,
                  span_start=4, span_end=20),  # a missed span: no verdict to agree with
        ],
        now=june,
    )
    rows = list_corrections(engine, child_id="C1")
    assert [r.record_id for r in rows] == ["V1", "V2", "V3", "V3"]
    assert rows[0].created_at == may and rows[0].agrees is False and rows[1].agrees is True
    assert rows[3].as_dict()["span"] == [4, 20] and rows[3].agrees is None
    over = agreement_over_time(engine)
    month = {(c.family, c.period): (c.corrections, c.agreed) for c in over.by_month}
    assert month == {("analysis", "2026-05"): (2, 1), ("voice", "2026-06"): (1, 0)}
    version = {(c.family, c.model_version): c.corrections for c in over.by_model_version}
    assert version == {("analysis", "visit_judgement@1"): 2, ("voice", "visit_judgement@2"): 1}

    for bad, words in (
        (_item(family="smart"), "not a label of a visit"),
        (_item(corrected="maybe"), "analysis must be one of"),
        (_item(record_kind="chronology"), "record_kind"),
        (_item(span_start=3), "both start and end"),
        (_item(span_start=9, span_end=2), "before its end"),
        (_item(record_kind="plan_action", family="smart", span_start=1, span_end=5), "visit"),
        (_item(auditor=" "), "auditor"),
    ):
        with pytest.raises(UserError, match=words):
            add_corrections(engine, [_item(record_id="ok"), bad])
    assert len(list_corrections(engine)) == 4  # all or none


@pytest.fixture
def service(
    client_factory: Any, engine: Engine, run_factory: Any, token_factory: Any
) -> dict[str, Any]:
    run_info, tables = run_factory(seed=5)
    write_run(engine, run_info, tables)
    client = client_factory()
    tokens = {
        "auditor": token_factory("auditor", name="amira"),
        "north": token_factory("auditor", ("North",), name="nia"),
        "lead": token_factory("practice_lead", name="lee"),
        "admin": token_factory("admin", name="ada"),
    }
    return {
        "client": client,
        "engine": engine,
        "tables": tables,
        "h": {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()},
    }


def test_api_corrections_are_stored_with_the_verdict_and_logged(service: dict[str, Any]) -> None:
    client, h, engine = service["client"], service["h"], service["engine"]
    visits = service["tables"]["visits"]
    row = visits[visits.child_id == "C0001"].iloc[0]
    body = {"record_kind": "visit", "record_id": row.visit_id, "family": "analysis",
            "corrected": "false" if row.analysis else "true"}
    response = client.post("/cases/C0001/corrections", json=body, headers=h["auditor"])
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["original"] == ("true" if row.analysis else "false")
    assert stored["auditor"] == "amira" and stored["source"] == "api" and stored["span"] is None
    assert stored["rubric_version"]

    missed = {"record_kind": "visit", "record_id": row.visit_id, "family": "voice",
              "corrected": "direct", "span": [0, 12]}
    response = client.post("/cases/C0001/corrections", json=missed, headers=h["auditor"])
    assert response.status_code == 201 and response.json()["span"] == [0, 12]
    assert response.json()["original"] is None  # the run marked no voice there

    action = service["tables"]["plan_actions"].query("child_id == 'C0001'").iloc[0]
    smart = {"record_kind": "plan_action", "record_id": action.action_id, "family": "timebound",
             "corrected": "false"}
    response = client.post("/cases/C0001/corrections", json=smart, headers=h["admin"])
    assert response.status_code == 201

    listed = client.get("/cases/C0001/corrections", headers=h["auditor"]).json()["corrections"]
    assert [c["family"] for c in listed] == ["analysis", "voice", "timebound"]
    (first, *_rest) = training_corrections(engine)
    assert first.reading["sentences"] and first.reading["features_version"]
    actions = Counter(e.action for e in read_access_log(engine) if e.child_id == "C0001")
    assert actions["write_correction"] == 3 and actions["read_corrections"] == 1

    bad_value = {**body, "corrected": "perhaps"}
    assert client.post("/cases/C0001/corrections", json=bad_value,
                       headers=h["auditor"]).status_code == 422
    unknown = {**body, "record_id": "NOPE"}
    assert client.post("/cases/C0001/corrections", json=unknown,
                       headers=h["auditor"]).status_code == 404
    long_span = {**missed, "span": [0, 10_000]}
    assert client.post("/cases/C0001/corrections", json=long_span,
                       headers=h["auditor"]).status_code == 422
    assert client.post("/cases/C0001/corrections", json=body,
                       headers=h["lead"]).status_code == 403
    south = service["tables"]["cases"].query("team == 'South'")["child_id"].iloc[0]
    assert client.post(f"/cases/{south}/corrections", json=body,
                       headers=h["north"]).status_code == 404
    assert client.get(f"/cases/{south}/corrections", headers=h["north"]).status_code == 404
    assert client.post("/cases/C0001/corrections", json=body).status_code == 401
    assert len(list_corrections(engine)) == 3

    agreement = client.get("/agreement", headers=h["lead"]).json()["corrections"]
    (cell,) = [c for c in agreement["by_month"] if c["family"] == "analysis"]
    assert cell["corrections"] == 1 and cell["agreed"] == 0 and cell["agreement"] == 0.0
    assert {c["family"] for c in agreement["by_model_version"]} == {"analysis", "timebound"}


# --- the gate, on invented sentences (no evaluation text) ----------------------------------


def _bag(*sentences: set[str]) -> list[Counter[str]]:
    return [Counter(s) for s in sentences]


_FILLER = [f"w{i}" for i in range(40)]


def _passages(rng: random.Random) -> list[Example]:
    """Six invented authors: analysis is written "this means", a plan link "the plan"."""
    out = []
    for author in range(6):
        for i in range(40):
            analysis, plan = bool(i % 2), bool((i // 2) % 2)
            sentences = [set(rng.sample(_FILLER, 4)) for _ in range(3)]
            if analysis:
                sentences[1] |= {"this", "means"}
            if plan:
                sentences[2] |= {"the", "plan"}
            out.append(Example(f"a{author}", _bag(*sentences),
                               {"analysis": analysis, "plan_link": plan}, group=f"a{author}"))
    return out


def _council(rng: random.Random, flip: bool = False) -> list[Example]:
    """A council whose workers write analysis as "which suggests", a phrase no author used."""
    out = []
    for child in range(12):
        for i in range(6):
            analysis = bool((i + child) % 2)
            sentences = [set(rng.sample(_FILLER, 4)) for _ in range(3)]
            if analysis:
                sentences[0] |= {"which", "suggests"}
            if i % 3 == 0:
                sentences[2] |= {"the", "plan"}
            labels = {"analysis": analysis != flip, "plan_link": (i % 3 == 0) != flip}
            out.append(Example("correction", _bag(*sentences), labels, 4.0, f"c{child}"))
    return out


@pytest.fixture(scope="module")
def shipped_recipe() -> Any:
    current = load_judgement("1", MODELS)
    return refit(current, _passages(random.Random(1)), "synthetic@1")


def test_gate_promotes_a_council_phrase_learned_from_held_out_children(
    shipped_recipe: Any,
) -> None:
    result = gate(shipped_recipe, _passages(random.Random(2)), _council(random.Random(3)))
    assert result.promote, result.reason
    assert result.pooled_after - result.pooled_before >= PROMOTION_MARGIN
    assert result.corrections["analysis"].after > result.corrections["analysis"].before
    assert result.reason.startswith("promoted:")


def test_gate_refuses_a_model_trained_on_flipped_labels(shipped_recipe: Any) -> None:
    result = gate(
        shipped_recipe, _passages(random.Random(2)), _council(random.Random(3), flip=True)
    )
    assert not result.promote
    assert result.reason.startswith("not promoted:") and "\n" not in result.reason
    assert any(f.high < 0 for f in result.passages.values())


def test_gate_needs_two_children(shipped_recipe: Any) -> None:
    one = [e for e in _council(random.Random(3)) if e.group == "c0"]
    with pytest.raises(NotereviewError, match="at least two children"):
        gate(shipped_recipe, _passages(random.Random(2)), one)


def test_correction_examples_merge_records_and_read_spans(engine: Engine) -> None:
    reading = {"features_version": "3", "plan_link_rules": 2,
               "sentences": [[0, 10, ["a", "b"]], [11, 30, ["c", "voice:observation"]]]}
    add_corrections(engine, [
        _item(reading=reading),
        _item(family="plan_link", corrected="false", original="true", reading=reading),
        _item(family="voice", corrected="none", original="observation", reading=reading),
        _item(record_id="V9", span_start=12, span_end=20, reading=reading),
        _item(record_id="V8", reading={"features_version": "0", "sentences": [[0, 1, []]]}),
        _item(record_id="V7", reading=None),
    ])
    examples, skipped = correction_examples(training_corrections(engine))
    record, span = examples
    assert record.labels == {"analysis": True, "plan_link": False}
    assert record.voice == "none" and record.rules_voice == "observation"
    assert record.rules == {"plan_link": 2} and record.weight > 1
    assert span.labels == {"analysis": True} and len(span.sentences) == 1
    assert skipped == {"read with other features": 1, "without a reading of the record": 1}


# --- versions -------------------------------------------------------------------------------


def test_registry_promotes_rolls_back_and_the_rubric_follows(tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(MODELS / "visit_judgement" / "1", models / "visit_judgement" / "1")
    assert promoted_version(models) == "1"
    assert load_judgement("promoted", models).model_id == "visit_judgement@1"
    shutil.copytree(models / "visit_judgement" / "1", models / "visit_judgement" / "2")
    meta = json.loads((models / "visit_judgement" / "2" / "meta.json").read_text())
    meta["version"] = "2"
    (models / "visit_judgement" / "2" / "meta.json").write_text(json.dumps(meta))
    promote(models, "2")
    assert load_judgement("promoted", models).model_id == "visit_judgement@2"
    listed = {v["version"]: v["promoted"] for v in list_versions(models)}
    assert listed == {"1": False, "2": True}
    assert rollback(models) == "1" and promoted_version(models) == "1"
    with pytest.raises(NotereviewError, match="nothing to roll back"):
        rollback(models)
    with pytest.raises(ModelError, match="not found"):
        promote(models, "9")
    (models / "visit_judgement" / "2" / "weights.json").write_text("{}")
    with pytest.raises(ModelError, match="sha256"):
        promote(models, "2")
    write_registry(models, "../../etc", "promote", "by hand")
    with pytest.raises(ModelError, match="no valid version"):
        load_judgement("promoted", models)


def test_import_and_retraining_refuse_bad_input_in_one_line(engine: Engine, tmp_path: Path) -> None:
    from notereview.corrections import import_answer_key
    from notereview.ml._judgement_fit import train_from_corrections

    bad = tmp_path / "key.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(NotereviewError, match="not readable") as caught:
        import_answer_key(engine, bad, tmp_path, "amira")
    assert "\n" not in str(caught.value)
    key = tmp_path / "good.json"
    key.write_text(json.dumps({"children": {"C1": {"visits": {}}}}), encoding="utf-8")
    with pytest.raises(NotereviewError, match="not in"):
        import_answer_key(engine, key, tmp_path, "amira", children=["C9"])
    with pytest.raises(NotereviewError, match=r"run\.json"):
        import_answer_key(engine, key, tmp_path, "amira")
    with pytest.raises(NotereviewError, match="no corrections of visit"):
        train_from_corrections(engine, MODELS, tmp_path)


def test_models_command_lists_the_promoted_version(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from notereview.cli import app

    models = tmp_path / "models"
    shutil.copytree(MODELS / "visit_judgement" / "1", models / "visit_judgement" / "1")
    result = CliRunner().invoke(app, ["models", "list", "--models-dir", str(models)])
    assert result.exit_code == 0 and result.stdout.startswith("* visit_judgement@1")
    result = CliRunner().invoke(app, ["models", "rollback", "--models-dir", str(models)])
    assert result.exit_code != 0
