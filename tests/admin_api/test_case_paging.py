"""Keyset paging of the case list: every case once, in the list's order, and only real cursors."""

import base64
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from sathi.db import utcnow
from sathi.enums import CaseStatus, Urgency
from sathi.models import Case

ALL = "&".join(f"status={status}" for status in CaseStatus)


@pytest.fixture
async def many_cases(runtime, make_case):
    """23 cases: two languages, 6 urgent, 5 closed, and ties on created_at (the id decides)."""
    made = []
    for index in range(23):
        case = await make_case(lang="bn" if index % 4 == 3 else "ne", urgent=index % 4 == 1)
        made.append(case.id)
    now = utcnow()
    async with runtime.sessionmaker.begin() as session:
        for index, case_id in enumerate(made):
            values = {"created_at": now - timedelta(minutes=(index * 7) % 11)}  # ties too
            if index % 5 == 2:
                values["status"] = CaseStatus.closed
            await session.execute(update(Case).where(Case.id == case_id).values(**values))
    return made


async def _expected(runtime, *, langs=("ne", "bn"), statuses=tuple(CaseStatus)) -> list[int]:
    """The list's order computed here: urgent first, then oldest first, then by id."""
    async with runtime.sessionmaker() as session:
        rows = (await session.execute(
            select(Case.id, Case.urgency, Case.created_at)
            .where(Case.lang.in_(langs), Case.status.in_(statuses))
        )).all()
    rows.sort(key=lambda row: (row.urgency != Urgency.urgent, row.created_at, row.id))
    return [row.id for row in rows]


async def _walk(client, headers, query, limit):
    """Follows next_cursor from the first page to the last; returns ids and the pages."""
    pages = []
    response = await client.get(f"/api/v1/cases?limit={limit}&{query}", headers=headers)
    while True:
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            break
        response = await client.get(f"/api/v1/cases?limit={limit}&{query}&cursor={cursor}",
                                    headers=headers)
    return [case["id"] for page in pages for case in page["items"]], pages


@pytest.mark.parametrize("limit", [1, 4, 6, 200])
async def test_cursor_walks_every_case_once_in_order(runtime, client, actors, many_cases, limit):
    ids, pages = await _walk(client, actors["admin"], ALL, limit)
    assert ids == await _expected(runtime) and len(ids) == len(set(ids)) == 23
    assert pages[0]["total"] == 23 and pages[0]["offset"] == 0
    assert all(page["total"] is None and page["offset"] is None for page in pages[1:])
    assert all(len(page["items"]) == limit for page in pages[:-1])


async def test_cursor_with_filters_and_a_volunteers_languages(runtime, client, actors,
                                                              many_cases):
    open_statuses = [status for status in CaseStatus if status != CaseStatus.closed]
    ids, _ = await _walk(client, actors["volunteer"], "", 3)  # default list: not closed, ne
    assert ids == await _expected(runtime, langs=("ne",), statuses=open_statuses)
    ids, _ = await _walk(client, actors["admin"], "lang=ne&status=closed", 2)
    assert ids == await _expected(runtime, langs=("ne",), statuses=(CaseStatus.closed,))
    assert ids  # the fixture has closed Nepali cases


async def test_cursor_and_offset_pages_agree(runtime, client, actors, many_cases):
    by_cursor, _ = await _walk(client, actors["admin"], ALL, 5)
    by_offset = []
    for offset in range(0, 25, 5):
        page = (await client.get(f"/api/v1/cases?limit=5&offset={offset}&{ALL}",
                                 headers=actors["admin"])).json()
        assert page["total"] == 23
        by_offset += [case["id"] for case in page["items"]]
    assert by_offset == by_cursor


async def test_a_page_continues_after_its_last_case_when_cases_are_added(
    runtime, client, actors, many_cases, make_case
):
    first = (await client.get(f"/api/v1/cases?limit=5&{ALL}", headers=actors["admin"])).json()
    await make_case(urgent=True)  # the newest urgent case: after the first page's urgent ones
    await make_case()
    rest, _ = await _walk(client, actors["admin"], f"{ALL}&cursor={first['next_cursor']}", 5)
    expected = await _expected(runtime)
    last_shown = first["items"][-1]["id"]
    assert rest == expected[expected.index(last_shown) + 1:] and len(rest) == 25 - 5


def _forge(cursor: str, old: bytes, new: bytes) -> str:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert old in raw
    return base64.urlsafe_b64encode(raw.replace(old, new)).decode().rstrip("=")


async def _refused(client, headers, query):
    response = await client.get(f"/api/v1/cases?{query}", headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["fields"][0]["location"] == "query" and error["fields"][0]["field"] == "cursor"
    return error


async def test_a_forged_or_foreign_cursor_is_a_clear_422(runtime, client, actors, many_cases):
    page = (await client.get(f"/api/v1/cases?limit=3&{ALL}", headers=actors["admin"])).json()
    cursor = page["next_cursor"]
    last_id = str(page["items"][-1]["id"]).encode()
    forged = _forge(cursor, b"," + last_id + b"]", b",1]")
    error = await _refused(client, actors["admin"], f"{ALL}&cursor={forged}")
    assert error["code"] == "invalid" and "next_cursor" in error["message"]
    await _refused(client, actors["admin"], f"lang=ne&cursor={cursor}")  # other filters
    await _refused(client, actors["admin"], f"{ALL}&cursor=bm90LWEtY3Vyc29y")  # not-a-cursor
    await _refused(client, actors["admin"], f"{ALL}&cursor=a%2Fb")  # not base64url
    await _refused(client, actors["admin"], f"{ALL}&cursor={cursor}&offset=3")
    # The same position, asked for by a volunteer (other languages): not their cursor either.
    await _refused(client, actors["volunteer"], f"{ALL}&cursor={cursor}")


async def test_the_cursor_is_documented_in_openapi(client):
    schema = (await client.get("/openapi.json")).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert "next_cursor" in parameters["cursor"]["description"]
    page = schema["components"]["schemas"]["CasePageRead"]["properties"]
    assert "next_cursor" in page and "null on cursor pages" in page["total"]["description"]


async def test_reference_finds_a_closed_case_but_only_in_the_callers_languages(
    runtime, client, actors, many_cases
):
    async with runtime.sessionmaker() as session:
        case = await session.scalar(select(Case).where(Case.status == CaseStatus.closed,
                                                       Case.lang == "ne"))
    typed = f"{case.reference[:3].lower()} {case.reference[3:]}"  # as a worker reads it out
    page = (await client.get(f"/api/v1/cases?reference={typed}",
                             headers=actors["volunteer"])).json()
    assert [item["id"] for item in page["items"]] == [case.id] and page["total"] == 1
    other = (await client.get(f"/api/v1/cases?reference={case.reference}",
                              headers=actors["volunteer_other_language"])).json()
    assert other["items"] == [] and other["total"] == 0
    default = (await client.get("/api/v1/cases?limit=200", headers=actors["volunteer"])).json()
    assert case.id not in [item["id"] for item in default["items"]]
