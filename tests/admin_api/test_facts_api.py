"""Facts through the admin API: values with dates and sources, and the editors' due list."""

import datetime

import pytest

from knowledge.facts import load_facts
from sathi import paths
from sathi.enums import Role
from sathi.services import facts as fact_service

NOTICE = "https://www.moel.go.kr/example-notice"


@pytest.fixture
async def editor(imported, accounts):
    account = await accounts.create("editor", Role.editor)
    return await accounts.login(account.username)


async def test_list_facts_with_values_dates_and_sources(client, editor):
    facts = {f["name"]: f for f in (await client.get("/api/v1/facts", headers=editor)).json()}
    wage = facts["minimum_wage_hourly"]
    assert wage["kind"] == "amount" and wage["current"] == "10320"
    assert wage["values"][0]["valid_from"] == "2026-01-01"
    assert wage["values"][0]["valid_until"] == "2027-01-01"
    assert wage["values"][0]["source"].startswith("https://")
    assert facts["hotline_interpreter"]["current"] == "1577-0071"


async def test_the_due_list_has_the_facts_that_end_on_2027_01_01(client, editor):
    due = (await client.get("/api/v1/due", headers=editor,
                            params={"within_days": 3650})).json()
    ending = {f["name"]: f["ends"] for f in due["facts"]}
    for name in ("minimum_wage_hourly", "minimum_wage_monthly", "pension_rate_worker",
                 "health_insurance_rate_worker", "long_term_care_rate"):
        assert ending[name] == "2027-01-01"
    assert "hotline_interpreter" not in ending
    # The texts that quote them are due by then too (imported files: checked 2026-11-23).
    texts = {(a["slug"], a["lang"]): a["review_by"] for a in due["articles"]}
    assert texts[("minimum-wage", "ne")] == "2027-01-01"
    assert texts[("payslip-deductions", "en")] == "2027-01-01"


def test_ended_facts_come_first_in_the_due_list():
    facts = load_facts(paths.FACTS_FILE)
    before = fact_service.due_facts(facts, datetime.date(2026, 12, 2), 60)
    assert {d.name for d in before} >= {"minimum_wage_hourly", "pension_rate_worker"}
    assert not any(d.expired for d in before)
    after = fact_service.due_facts(facts, datetime.date(2027, 1, 2), 0)
    assert after and all(d.expired for d in after)
    assert fact_service.due_facts(facts, datetime.date(2026, 6, 1), 30) == []


async def test_adding_a_value_needs_a_source_a_valid_value_and_a_new_date(client, editor):
    url = "/api/v1/facts/minimum_wage_hourly/values"
    no_source = await client.post(url, headers=editor,
                                  json={"value": "10500", "valid_from": "2027-01-01"})
    assert no_source.status_code == 422
    bad = await client.post(url, headers=editor, json={
        "value": "10,500 won", "valid_from": "2027-01-01", "source": NOTICE})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "value"
    ok = await client.post(url, headers=editor, json={
        "value": "10500", "valid_from": "2027-01-01", "source": NOTICE})
    assert ok.status_code == 201 and [v["value"] for v in ok.json()["values"]] == [
        "10320", "10500"]
    again = await client.post(url, headers=editor, json={
        "value": "10600", "valid_from": "2027-01-01", "source": NOTICE})
    assert again.status_code == 409
    unknown = await client.post("/api/v1/facts/no_such_fact/values", headers=editor, json={
        "value": "1", "valid_from": "2027-01-01", "source": NOTICE})
    assert unknown.status_code == 404
    due = (await client.get("/api/v1/due", headers=editor, params={"within_days": 3650})).json()
    assert "minimum_wage_hourly" not in {f["name"] for f in due["facts"]}  # 2027 value entered


def test_review_by_is_a_year_after_approval_or_when_a_fact_ends():
    from sathi.services.editing import review_by

    facts = load_facts(paths.FACTS_FILE)
    today = datetime.date(2026, 12, 2)
    assert review_by("Call {{fact:hotline_labour}}.", facts, today) == datetime.date(2027, 12, 2)
    wage = "KRW {{fact:minimum_wage_hourly}} an hour; call {{fact:hotline_labour}}."
    assert review_by(wage, facts, today) == datetime.date(2027, 1, 1)
