"""The OpenAPI document says what the service does: every operation lists its errors as
problem+json (429 and 413 included) and its bearer scheme, and a method a path does not serve
is answered 405 with an Allow header naming exactly the documented methods."""

from __future__ import annotations

from typing import Any

from notereview_api.access import is_public
from notereview_api.problems import PROBLEM

pytest_plugins = ["api_fixtures"]

IMPLICIT = {"HEAD", "OPTIONS"}


def _document(client: Any, admin: str) -> dict[str, Any]:
    answer = client.get("/openapi.json", headers={"Authorization": f"Bearer {admin}"})
    assert answer.status_code == 200
    return answer.json()


def test_every_operation_documents_its_errors(client_factory: Any, token_factory: Any):
    client = client_factory()
    doc = _document(client, token_factory("admin"))
    assert "Problem" in doc["components"]["schemas"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operations = [(m.upper(), p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 15
    for method, path, op in operations:
        responses = op["responses"]
        errors = {int(s) for s in responses if int(s) >= 400}
        if is_public(method, path):
            continue
        assert {401, 403, 404, 422, 429, 503} <= errors, (method, path)
        assert op["security"] == [{"bearer": []}]
        if "requestBody" in op:
            assert 413 in errors, (method, path)
        for status in errors:
            assert list(responses[str(status)]["content"]) == [PROBLEM], (method, path, status)
        assert "Retry-After" in responses["429"]["headers"]
    claims = doc["paths"]["/queue/{child_id}/claim"]["post"]["responses"]
    assert "409" in claims
    assert {"200", "201"} <= set(doc["paths"]["/runs"]["post"]["responses"])


def test_an_unserved_method_is_405_with_the_documented_allow(
    client_factory: Any, token_factory: Any
):
    client = client_factory()
    admin = token_factory("admin")
    doc = _document(client, admin)
    headers = {"Authorization": f"Bearer {admin}"}
    for path, operations in doc["paths"].items():
        documented = {m.upper() for m in operations}
        concrete = path.replace("{child_id}", "C0001").replace("{run_id}", "1")
        for method in ("OPTIONS", "PUT", "PATCH", "DELETE", "POST"):
            if method in documented:
                continue
            answer = client.request(method, concrete, headers=headers)
            assert answer.status_code == 405, (method, path)
            assert answer.headers["content-type"].startswith(PROBLEM)
            allow = {m.strip() for m in answer.headers["allow"].split(",")}
            assert allow - IMPLICIT == documented, (method, path, allow)


def test_a_nul_character_is_never_a_server_error(
    client_factory: Any, token_factory: Any, run_factory: Any, payload_factory: Any
):
    """PostgreSQL holds no NUL in text or JSON: a path with one is refused (422) or not found,
    a posted run's strings lose theirs, an audit comment with one is refused by the schema."""
    client = client_factory()
    admin = {"Authorization": f"Bearer {token_factory('admin')}"}
    assert client.get("/cases/C%0001", headers=admin).status_code in (404, 422)
    info, tables = run_factory(seed=5, n_children=3)
    body = payload_factory(info, tables)
    body["tables"]["cases"][0]["team"] = "No\x00rth"
    body["tables"]["criteria"][0]["evidence"] = [{"quote\x00": "a\x00b"}]
    posted = client.post("/runs", json=body, headers=admin)
    assert posted.status_code == 201, posted.text
    audit = {"overall": "good", "comments": "fine\x00"}
    child = body["tables"]["cases"][0]["child_id"]
    refused = client.post(f"/cases/{child}/audits", json=audit, headers=admin)
    assert refused.status_code == 422


def test_every_answer_has_a_described_body(client_factory: Any, token_factory: Any):
    """Every 2xx JSON answer names a schema with its properties (not an untyped object), so a
    client, and schemathesis's response checks, know what comes back."""
    doc = _document(client_factory(), token_factory("admin"))
    schemas = doc["components"]["schemas"]
    described = 0
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for status, answer in op["responses"].items():
                if not 200 <= int(status) < 300 or "content" not in answer:
                    continue
                schema = answer["content"]["application/json"]["schema"]
                assert "$ref" in schema, (method, path, status)
                target = schemas[schema["$ref"].rsplit("/", 1)[-1]]
                assert target.get("properties") and target.get("required"), (method, path)
                described += 1
    assert described >= 16
    queue = schemas["Queue"]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert {"child_id", "priority", "reasons", "claimed_by"} <= set(schemas[queue]["required"])


def test_a_correction_names_a_label_its_record_has(client_factory: Any, token_factory: Any):
    """The schema says which labels each record kind has and which values each label takes
    (schemathesis found a schema-valid visit correction of "smart" refused); the server
    refuses the same bodies in validation, naming no value sent."""
    client = client_factory()
    admin = {"Authorization": f"Bearer {token_factory('admin')}"}
    doc = _document(client, token_factory("admin"))
    branches = doc["components"]["schemas"]["CorrectionIn"]["oneOf"]
    assert {b["properties"]["record_kind"]["const"] for b in branches} == {"visit", "plan_action"}
    for body in (
        {"record_kind": "visit", "record_id": "V1", "family": "smart", "corrected": "true"},
        {"record_kind": "visit", "record_id": "V1", "family": "voice", "corrected": "0"},
        {"record_kind": "plan_action", "record_id": "A1", "family": "smart",
         "corrected": "true", "span": [0, 4]},
        {"record_kind": "visit", "record_id": "V1", "family": "analysis", "corrected": "true",
         "span": [5, 2]},
    ):  # fmt: skip
        answer = client.post("/cases/C0001/corrections", json=body, headers=admin)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"].startswith(PROBLEM)
