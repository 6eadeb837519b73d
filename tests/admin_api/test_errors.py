import logging

import httpx
import pytest

from admin_api.main import create_app


def _fields(response):
    return [(f["location"], f["field"]) for f in response.json()["error"]["fields"]]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/cases?limit=0", ("query", "limit")),
        ("/api/v1/cases?limit=abc", ("query", "limit")),
        ("/api/v1/cases?offset=99999999999999999999999", ("query", "offset")),
        ("/api/v1/cases?status=lost", ("query", "status.0")),
        ("/api/v1/cases?urgency=panic", ("query", "urgency")),
        ("/api/v1/cases?lang=Nepali", ("query", "lang")),
        ("/api/v1/cases?topic=%00", ("query", "topic")),
        ("/api/v1/cases/99999999999999999999999999", ("path", "case_id")),
        ("/api/v1/cases/0", ("path", "case_id")),
        ("/api/v1/cases/abc", ("path", "case_id")),
    ],
)
async def test_bad_query_and_path_values_are_422_naming_the_field(client, actors, path, field):
    response = await client.get(path, headers=actors["admin"])
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "validation_error" and field in _fields(response)
    assert field[1].split(".")[0] in body["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "archived"}, ("body", "status")),
        ({"status": None}, ("body", "status")),
        ({}, ("body", "status")),
        ({"status": "closed", "extra": 1}, ("body", "extra")),
    ],
)
async def test_bad_bodies_are_422_naming_the_field(client, actors, make_case, body, field):
    case = await make_case()
    response = await client.post(
        f"/api/v1/cases/{case.id}/status", headers=actors["admin"], json=body
    )
    assert response.status_code == 422 and field in _fields(response)


async def test_huge_ids_in_bodies_are_422(client, actors, make_case):
    case = await make_case()
    response = await client.post(
        f"/api/v1/cases/{case.id}/assign", headers=actors["admin"],
        json={"assignee_id": 2**70},
    )
    assert response.status_code == 422 and ("body", "assignee_id") in _fields(response)


async def test_bad_json_is_422(client, actors, make_case):
    case = await make_case()
    response = await client.post(
        f"/api/v1/cases/{case.id}/notes", headers={**actors["admin"],
                                                   "Content-Type": "application/json"},
        content=b'{"text": "unfinished',
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["location"] == "body"


async def test_nul_characters_and_lone_surrogates_are_refused(client, actors, make_case):
    case = await make_case()
    for raw in (b'{"text": "a\\u0000b"}', b'{"text": "a\\ud800b"}'):
        response = await client.post(
            f"/api/v1/cases/{case.id}/notes",
            headers={**actors["admin"], "Content-Type": "application/json"}, content=raw,
        )
        assert response.status_code == 422, raw
        assert ("body", "text") in _fields(response)


async def test_validation_errors_do_not_echo_the_input(client, actors, make_case):
    case = await make_case()
    secret = "my manager took my passport " * 500  # too long for a note
    response = await client.post(
        f"/api/v1/cases/{case.id}/notes", headers=actors["admin"], json={"text": secret}
    )
    assert response.status_code == 422 and "passport" not in response.text


async def test_unknown_routes_and_methods_use_the_error_shape(client, actors):
    missing = await client.get("/api/v1/nothing-here", headers=actors["admin"])
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = await client.delete("/api/v1/cases", headers=actors["admin"])
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


async def test_unexpected_errors_are_a_generic_500_logged_without_the_body(runtime, caplog):
    app = create_app(runtime)

    @app.post("/boom")
    async def boom(payload: dict) -> None:
        raise RuntimeError(f"failed on {payload['text']}")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        with caplog.at_level(logging.ERROR, logger="admin_api.errors"):
            response = await client.post("/boom", json={"text": "worker secret words"})
    assert response.status_code == 500
    assert response.json() == {"error": {
        "code": "internal_error", "message": "Something went wrong on our side; it is logged.",
        "fields": [],
    }}
    logged = caplog.text
    assert "RuntimeError" in logged and "POST /boom" in logged
    assert "worker secret words" not in logged


async def test_a_body_that_is_not_utf8_is_422(client, actors, make_case):
    case = await make_case()
    response = await client.post(
        f"/api/v1/cases/{case.id}/notes",
        headers={**actors["admin"], "Content-Type": "application/json"},
        content=b'{"text": "\xff\xfe"}',
    )
    assert response.status_code == 422
    assert _fields(response) == [("body", "")]
