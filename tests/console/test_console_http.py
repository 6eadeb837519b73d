"""The console through ASGI: login, cookie, CSRF, no-store, languages, and the case rules."""

import datetime
import re
from datetime import timedelta

from sqlalchemy import select

from sathi.db import utcnow
from sathi.enums import MessageKind, OutboxKind, Role
from sathi.errors import NotAuthenticated
from sathi.models import Fact, FactValue, Member, OutboxItem
from sathi.services import console_sessions, gaps, worker_cases
from tests.console.conftest import csrf_of


async def test_login_sets_a_strict_http_only_cookie_and_pages_are_not_cached(
        client, accounts, login):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    page = await client.get("/console/login")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    answer = await login(client, "vol-ne")
    assert answer.status_code == 303 and answer.headers["location"] == "/console"
    cookie = answer.headers["set-cookie"]
    assert "sathi_console=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/console" in cookie and "Secure" not in cookie
    queue = await client.get("/console/cases")
    assert queue.status_code == 200 and queue.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in queue.headers["content-security-policy"]
    assert "localStorage" not in (await client.get("/console/static/console.js")).text.replace(
        "no localStorage", "")


async def test_behind_https_the_cookie_is_secure(client, accounts):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    page = await client.get("/console/login")
    answer = await client.post("/console/login", headers={"X-Forwarded-Proto": "https"}, data={
        "csrf": csrf_of(page.text), "username": "vol-ne", "password": accounts.password})
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]


async def test_login_without_its_csrf_token_is_refused(client, accounts):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    await client.get("/console/login")
    answer = await client.post("/console/login", data={
        "username": "vol-ne", "password": accounts.password})
    assert answer.status_code == 403 and "sathi_console" not in answer.headers.get(
        "set-cookie", "")


async def test_wrong_passwords_are_throttled_like_the_api(client, accounts, login):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    codes = [(await login(client, "vol-ne", "wrong password!")).status_code for _ in range(5)]
    assert codes[:4] == [401] * 4
    blocked = await login(client, "vol-ne")  # the right password, but the account is blocked
    assert blocked.status_code == 429 and "Try again in" in blocked.text
    api = await client.post("/api/v1/auth/token",
                            data={"username": "vol-ne", "password": accounts.password})
    assert api.status_code == 429, "one throttle for both doors"


async def test_without_a_session_pages_send_to_the_login(client):
    answer = await client.get("/console/cases")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login")


async def test_a_volunteer_sees_only_their_languages_even_by_url(client, accounts, login,
                                                                 make_case):
    await accounts.create("vol-bn", Role.volunteer, ("bn",))
    nepali = await make_case("ne", "mero talab aayena")
    bengali = await make_case("bn", "amar beton pai nai")
    await login(client, "vol-bn")
    queue = await client.get("/console/cases")
    assert bengali.reference in queue.text and nepali.reference not in queue.text
    refused = await client.get(f"/console/cases/{nepali.id}")
    assert refused.status_code == 404 and "mero talab" not in refused.text
    claimed = await client.post(f"/console/cases/{nepali.id}/claim",
                                data={"csrf": csrf_of(queue.text)})
    assert claimed.status_code == 404


async def test_claim_and_reply_need_the_csrf_token_and_queue_the_reply(
        client, accounts, login, make_case, runtime):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    case = await make_case("ne", "mero talab aayena")
    await login(client, "vol-ne")
    page = await client.get(f"/console/cases/{case.id}")
    assert page.status_code == 200 and "mero talab aayena" in page.text
    refused = await client.post(f"/console/cases/{case.id}/reply", data={"text": "Namaste"})
    assert refused.status_code == 403
    forged = await client.post(f"/console/cases/{case.id}/reply",
                               data={"text": "Namaste", "csrf": "x" * 64})
    assert forged.status_code == 403
    async with runtime.sessionmaker() as session:
        assert (await session.scalars(select(OutboxItem).where(
            OutboxItem.case_id == case.id, OutboxItem.message_id.is_not(None)))).all() == []
    token = csrf_of(page.text)
    assert (await client.post(f"/console/cases/{case.id}/claim", data={"csrf": token})
            ).status_code == 303
    sent = await client.post(f"/console/cases/{case.id}/reply",
                             data={"text": "Namaste, we will help", "csrf": token})
    assert sent.status_code == 303
    page = await client.get(f"/console/cases/{case.id}")
    assert "Namaste, we will help" in page.text and "Waiting to be sent" in page.text
    async with runtime.sessionmaker() as session:
        [item] = (await session.scalars(select(OutboxItem).where(
            OutboxItem.case_id == case.id, OutboxItem.message_id.is_not(None)))).all()
    assert item.payload["text"] == "Namaste, we will help"


async def test_only_the_assignee_replies(client, accounts, login, make_case, runtime):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    await accounts.create("vol-ne-2", Role.volunteer, ("ne",))
    case = await make_case("ne", "mero talab aayena")
    await login(client, "vol-ne")
    page = await client.get(f"/console/cases/{case.id}")
    await client.post(f"/console/cases/{case.id}/claim", data={"csrf": csrf_of(page.text)})
    client.cookies.clear()
    await login(client, "vol-ne-2")
    page = await client.get(f"/console/cases/{case.id}")
    answer = await client.post(f"/console/cases/{case.id}/reply",
                               data={"text": "Me too", "csrf": csrf_of(page.text)})
    assert answer.status_code == 409 and "another volunteer holds this case" in answer.text
    assert "Me too" not in answer.text
    await client.post("/console/language", data={"csrf": csrf_of(page.text), "lang": "ne",
                                                 "back": f"/cases/{case.id}"})
    answer = await client.post(f"/console/cases/{case.id}/reply",
                               data={"text": "Me too", "csrf": csrf_of(page.text)})
    assert answer.status_code == 409, "the refusal in the account's language"
    assert "भएन: अर्को स्वयंसेवकले यो केस लिनुभएको छ" in answer.text
    assert "assigned to another volunteer" not in answer.text


async def test_a_refused_step_says_its_kind_in_the_accounts_language(client, accounts, login,
                                                                    imported):
    await accounts.create("edith", Role.editor, ("ne",))
    await login(client, "edith")
    page = await client.get("/console/guide/unpaid-wages/ne")
    await client.post("/console/language", data={"csrf": csrf_of(page.text), "lang": "ko",
                                                 "back": "/guide"})
    refused = await client.post("/console/guide/unpaid-wages/ne/approve",
                                data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403
    assert "처리되지 않음: 이 계정으로는 할 수 없는 일입니다." in refused.text
    assert "may review this" not in refused.text, "a forbidden step needs no English detail"
    page = await client.get("/console/guide/facts")
    bad = await client.post("/console/guide/facts/minimum_wage_hourly/values", data={
        "csrf": csrf_of(page.text), "value": "abc", "valid_from": "2027-01-01",
        "source": "https://www.moel.go.kr/example-notice"})
    assert bad.status_code == 422 and "받아들일 수 없는 값이 있습니다" in bad.text


async def test_logout_ends_the_session_and_the_cookie_is_no_api_token(client, accounts, login):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    await login(client, "vol-ne")
    token = client.cookies.get("sathi_console")
    api = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    page = await client.get("/console/cases")
    assert (await client.post("/console/logout", data={"csrf": csrf_of(page.text)})
            ).status_code == 303
    client.cookies.set("sathi_console", token, path="/console")
    assert (await client.get("/console/cases")).status_code == 303


async def test_the_interface_language_is_chosen_per_account(client, accounts, login):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    await login(client, "vol-ne")
    page = await client.get("/console/cases")
    assert '<html lang="en">' in page.text
    await client.post("/console/language", data={"csrf": csrf_of(page.text), "lang": "ne"})
    page = await client.get("/console/cases")
    assert '<html lang="ne">' in page.text and "Log out" not in page.text


async def test_sessions_end_when_idle_and_at_their_absolute_end(runtime, accounts):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    timeouts = console_sessions.Timeouts(absolute=timedelta(hours=2), idle=timedelta(minutes=10))
    async with runtime.sessionmaker.begin() as session:
        opened = await console_sessions.open_session(
            session, username="vol-ne", password=accounts.password, timeouts=timeouts)
    now = utcnow()
    for minutes in (9, 18, 27):  # each request pushes the idle end on
        async with runtime.sessionmaker.begin() as session:
            await console_sessions.resume(session, token=opened.token, timeouts=timeouts,
                                          now=now + timedelta(minutes=minutes))
    async with runtime.sessionmaker.begin() as session:
        try:
            await console_sessions.resume(session, token=opened.token, timeouts=timeouts,
                                          now=now + timedelta(minutes=38))
            raise AssertionError("an idle session went on")
        except NotAuthenticated:
            pass
    async with runtime.sessionmaker.begin() as session:
        opened = await console_sessions.open_session(
            session, username="vol-ne", password=accounts.password, timeouts=timeouts)
    for minutes in range(9, 120, 9):
        async with runtime.sessionmaker.begin() as session:
            await console_sessions.resume(session, token=opened.token, timeouts=timeouts,
                                          now=now + timedelta(minutes=minutes))
    async with runtime.sessionmaker.begin() as session:
        try:
            await console_sessions.resume(session, token=opened.token, timeouts=timeouts,
                                          now=now + timedelta(minutes=121))
            raise AssertionError("a session outlived its absolute timeout")
        except NotAuthenticated:
            pass


async def test_the_guide_is_for_writers_and_its_rules_come_from_the_editing_service(
        client, accounts, login, imported):
    await accounts.create("edith", Role.editor, ("ne",))
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    await login(client, "vol-ne")
    assert (await client.get("/console/guide")).status_code == 403
    client.cookies.clear()
    await login(client, "edith")
    assert (await client.get("/console")).headers["location"] == "/console/guide"
    listing = await client.get("/console/guide?lang=ne")
    assert listing.status_code == 200 and "/console/guide/unpaid-wages/ne" in listing.text
    page = await client.get("/console/guide/unpaid-wages/ne")
    assert page.status_code == 200 and "English source" in page.text
    token = csrf_of(page.text)
    saved = await client.post("/console/guide/unpaid-wages/ne/save", data={
        "csrf": token, "title": "तलब", "body": "छोटो पाठ Edited-Kq2\n"})
    assert saved.status_code == 303
    await client.post("/console/guide/unpaid-wages/ne/submit", data={"csrf": token})
    page = await client.get("/console/guide/unpaid-wages/ne")
    assert "Edited-Kq2" in page.text and "In review" in page.text
    assert "Approve" not in page.text  # editors do not review
    refused = await client.post("/console/guide/unpaid-wages/ne/approve", data={"csrf": token})
    assert refused.status_code == 403 and "Not done:" in refused.text


async def test_admins_manage_accounts_see_the_audit_and_start_a_lockdown(
        client, accounts, login, make_case):
    await accounts.create("boss", Role.admin)
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    case = await make_case("ne", "mero talab aayena")
    await login(client, "vol-ne")
    assert (await client.get("/console/admin")).status_code == 403
    await client.get(f"/console/cases/{case.id}")
    client.cookies.clear()
    await login(client, "boss")
    page = await client.get("/console/admin")
    assert page.status_code == 200 and f"case {case.id} · read_case" in page.text
    token = csrf_of(page.text)
    weak = await client.post("/console/admin/create", data={
        "csrf": token, "username": "gita", "password": "password1", "role": "volunteer",
        "languages": "ne"})
    assert weak.status_code == 422 and "Not done:" in weak.text
    made = await client.post("/console/admin/create", data={
        "csrf": token, "username": "gita", "password": accounts.password + " x9",
        "role": "volunteer", "languages": "ne bn"})
    assert made.status_code == 303
    page = await client.get("/console/admin")
    assert "gita" in page.text and 'value="bn ne"' in page.text
    done = await client.post("/console/admin/lockdown", data={"csrf": token})
    assert done.status_code == 303 and done.headers["location"] == "/console/login"
    assert (await client.get("/console/cases")).status_code == 303, "every session ended"
    await login(client, "boss")
    hidden = await client.get(f"/console/cases/{case.id}")
    assert hidden.status_code == 423 and "mero talab" not in hidden.text


async def test_the_live_part_answers_only_when_the_case_changed(client, accounts, login,
                                                                make_case, runtime):
    from sathi.models import Member
    from sathi.services import worker_cases

    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    case = await make_case("ne", "mero talab aayena")
    await login(client, "vol-ne")
    page = await client.get(f"/console/cases/{case.id}")
    seen = page.text.split('data-seen="')[1].split('"')[0]
    poll = {"X-Console-Poll": "1"}
    same = await client.get(f"/console/cases/{case.id}/live?seen={seen}", headers=poll)
    assert same.status_code == 204 and same.text == ""
    async with runtime.sessionmaker.begin() as session:
        member = await session.get(Member, case.member_id)
        await worker_cases.add_worker_message(session, member=member, case_id=case.id, kind="text",
                                       text="dui mahina bhayo Later-Wq3")
    changed = await client.get(f"/console/cases/{case.id}/live?seen={seen}", headers=poll)
    assert changed.status_code == 200 and "Later-Wq3" in changed.text
    client.cookies.clear()
    ended = await client.get(f"/console/cases/{case.id}/live?seen={seen}", headers=poll)
    assert ended.status_code == 401, "the script reloads into the login page"


async def test_facts_show_their_dated_values_and_editors_add_one_with_csrf(
        client, accounts, login, imported):
    await accounts.create("edith", Role.editor, ("ne",))
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    await login(client, "vol-ne")
    assert (await client.get("/console/guide/facts")).status_code == 403
    page = await client.get("/console/cases")
    refused = await client.post("/console/guide/facts/minimum_wage_hourly/values", data={
        "csrf": csrf_of(page.text), "value": "10500", "valid_from": "2027-01-01",
        "source": "https://www.moel.go.kr/example-notice"})
    assert refused.status_code == 403, "a volunteer cannot add a fact value"
    client.cookies.clear()
    await login(client, "edith")
    page = await client.get("/console/guide/facts")
    assert page.status_code == 200
    wage = page.text.split('id="fact-minimum_wage_hourly"')[1].split("</li>")[0]
    assert "10320" in wage and "2026-01-01" in wage and "2027-01-01" in wage
    assert "https://" in wage and "/console/guide/minimum-wage/ne" in wage
    assert "Ends on 2027-01-01" in wage
    form = {"value": "10500", "valid_from": "2027-01-01",
            "source": "https://www.moel.go.kr/example-notice"}
    no_csrf = await client.post("/console/guide/facts/minimum_wage_hourly/values", data=form)
    assert no_csrf.status_code == 403
    bad = await client.post("/console/guide/facts/minimum_wage_hourly/values",
                            data={**form, "csrf": csrf_of(page.text), "source": "moel"})
    assert bad.status_code == 422 and "a value was not accepted" in bad.text
    added = await client.post("/console/guide/facts/minimum_wage_hourly/values",
                              data={**form, "csrf": csrf_of(page.text)})
    assert added.status_code == 303
    api = await client.get("/api/v1/facts", headers=await accounts.login("edith"))
    wage = next(f for f in api.json() if f["name"] == "minimum_wage_hourly")
    assert [v["value"] for v in wage["values"]] == ["10320", "10500"]
    again = await client.post("/console/guide/facts/minimum_wage_hourly/values",
                              data={**form, "csrf": csrf_of(page.text)})
    assert again.status_code == 409 and "already has a value from 2027-01-01" in again.text


async def test_a_fact_whose_period_ended_is_marked(client, accounts, login, runtime):
    async with runtime.sessionmaker.begin() as session:
        session.add(Fact(name="old_rate", kind="percent", description="An ended rate", values=[
            FactValue(value="4.5", valid_from=datetime.date(2020, 1, 1),
                      valid_until=datetime.date(2021, 1, 1), source="https://example.org/r")]))
    await accounts.create("edith", Role.editor, ("ne",))
    await login(client, "edith")
    page = await client.get("/console/guide/facts")
    old = page.text.split('id="fact-old_rate"')[1].split("</li>")[0]
    assert "Period ended, no newer value" in old and "no published text" in old


async def test_the_asked_and_not_found_report_counts_per_language_and_week(
        client, accounts, login, runtime):
    moment = utcnow()
    async with runtime.sessionmaker.begin() as session:
        for _ in range(3):
            await gaps.record_miss(session, lang="ne", question="visa extension kasari",
                                   now=moment)
        await gaps.record_feedback(session, lang="bn", slug="unpaid-wages", helpful=False,
                                   now=moment)
        await gaps.record_feedback(session, lang="bn", slug="unpaid-wages", helpful=True,
                                   now=moment)
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    await login(client, "vol-ne")
    assert (await client.get("/console/guide/gaps")).status_code == 403
    client.cookies.clear()
    await accounts.create("edith", Role.editor, ("ne",))
    await login(client, "edith")
    page = await client.get("/console/guide/gaps")
    assert page.status_code == 200
    week = gaps.iso_week(moment.date())
    nepali = re.search(rf"<td>{week}</td><td>ne</td>\s*((?:<td[^>]*>\d+</td>)+)", page.text)
    assert nepali and re.findall(r">(\d+)<", nepali.group(1))[0] == "3", "no_match comes first"
    assert "Searches that found nothing" in page.text and "visa extension kasari" in page.text
    assert "× 3" in page.text and week in page.text
    assert "/console/guide/unpaid-wages/bn" in page.text
    only_bn = await client.get("/console/guide/gaps?lang=bn&weeks=4")
    assert "visa extension" not in only_bn.text and "unpaid-wages" in only_bn.text


async def _newest_code(runtime) -> tuple[str, int]:
    async with runtime.sessionmaker() as session:
        item = await session.scalar(select(OutboxItem).where(OutboxItem.kind == OutboxKind.verify)
                                    .order_by(OutboxItem.id.desc()))
    assert item is not None, "no code was sent"
    return item.payload["code"], item.chat_id


async def test_a_volunteer_proves_their_telegram_chat_in_the_profile(
        client, accounts, login, runtime, make_case):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    await login(client, "vol-ne")
    page = await client.get("/console/profile")
    assert page.status_code == 200 and "No chat set" in page.text
    form = {"public_name": "Gita", "telegram_chat_id": "7700123"}
    assert (await client.post("/console/profile/details", data=form)).status_code == 403
    bad = await client.post("/console/profile/details", data={
        **form, "csrf": csrf_of(page.text), "telegram_chat_id": "my chat"})
    assert bad.status_code == 422 and "a value was not accepted" in bad.text
    saved = await client.post("/console/profile/details",
                              data={**form, "csrf": csrf_of(page.text)})
    assert saved.status_code == 303
    code, sent_to = await _newest_code(runtime)
    assert str(sent_to) == "7700123"
    page = await client.get("/console/profile")
    assert "Not proven yet" in page.text and 'value="Gita"' in page.text
    wrong = "000000" if code != "000000" else "111111"
    refused = await client.post("/console/profile/verify",
                                data={"csrf": csrf_of(page.text), "code": wrong})
    assert refused.status_code == 422 and "is not the code the bot sent" in refused.text
    proven = await client.post("/console/profile/verify",
                               data={"csrf": csrf_of(page.text), "code": code})
    assert proven.status_code == 303
    page = await client.get(proven.headers["location"])
    assert "Your Telegram chat is proven" in page.text and "Proven" in page.text
    api = await accounts.login("vol-ne")
    case = await make_case("ne", "mero talab aayena")
    async with runtime.sessionmaker.begin() as session:
        member = await session.get(Member, case.member_id)
        case = await worker_cases.add_worker_message(session, member=member, case_id=case.id,
                                              kind=MessageKind.voice, file_id="AwACVoice")
    sent = await client.post(f"/api/v1/cases/{case.id}/messages/{case.messages[-1].id}/file",
                             headers=api)
    assert sent.status_code == 202, "the file may now go to the proven chat"


async def test_changing_the_own_password_follows_the_api_rules(client, accounts, login):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    await login(client, "vol-ne")
    other = await accounts.login("vol-ne")  # an API token: another session of the account
    page = await client.get("/console/profile")
    new = "quiet river lantern forty"
    form = {"csrf": csrf_of(page.text), "current_password": accounts.password,
            "new_password": new, "repeat_password": new}
    wrong = await client.post("/console/profile/password",
                              data={**form, "current_password": "not it at all"})
    assert wrong.status_code == 422 and "is not your current password" in wrong.text
    weak = await client.post("/console/profile/password",
                             data={**form, "new_password": "password1",
                                   "repeat_password": "password1"})
    assert weak.status_code == 422
    differ = await client.post("/console/profile/password",
                               data={**form, "repeat_password": new + "x"})
    assert differ.status_code == 422 and "the two new passwords differ" in differ.text
    changed = await client.post("/console/profile/password", data=form)
    assert changed.status_code == 303
    assert (await client.get("/console/profile")).status_code == 200, "this session stays"
    assert (await client.get("/api/v1/auth/me", headers=other)).status_code == 401
    client.cookies.clear()
    assert (await login(client, "vol-ne")).status_code == 401
    assert (await login(client, "vol-ne", new)).status_code == 303


async def test_volunteers_manage_the_canned_replies_of_their_languages(
        client, accounts, login):
    await accounts.create("vol-ne", Role.volunteer, ("ne",))
    await accounts.create("edith", Role.editor, ("ne",))
    await login(client, "edith")
    assert (await client.get("/console/canned")).status_code == 403
    client.cookies.clear()
    await login(client, "vol-ne")
    page = await client.get("/console/canned")
    assert page.status_code == 200 and 'value="bn"' not in page.text.split("new-lang")[1]
    form = {"lang": "ne", "title": "Payslip", "body": "Keep every payslip. Canned-Pq4"}
    assert (await client.post("/console/canned", data=form)).status_code == 403
    other = await client.post("/console/canned", data={**form, "lang": "bn",
                                                       "csrf": csrf_of(page.text)})
    assert other.status_code == 403 and "your account may not do this" in other.text
    empty = await client.post("/console/canned", data={**form, "body": " ",
                                                       "csrf": csrf_of(page.text)})
    assert empty.status_code == 422
    added = await client.post("/console/canned", data={**form, "csrf": csrf_of(page.text)})
    assert added.status_code == 303
    api = await accounts.login("vol-ne")
    [reply] = (await client.get("/api/v1/canned-replies", headers=api)).json()
    assert reply["body"] == form["body"] and reply["lang"] == "ne"
    page = await client.get("/console/canned")
    assert "Canned-Pq4" in page.text
    changed = await client.post(f"/console/canned/{reply['id']}", data={
        "csrf": csrf_of(page.text), "title": "Payslips", "body": "Keep them all. Canned-Rr5"})
    assert changed.status_code == 303
    [reply] = (await client.get("/api/v1/canned-replies", headers=api)).json()
    assert (reply["title"], reply["body"]) == ("Payslips", "Keep them all. Canned-Rr5")
    removed = await client.post(f"/console/canned/{reply['id']}/delete",
                                data={"csrf": csrf_of(page.text)})
    assert removed.status_code == 303
    assert (await client.get("/api/v1/canned-replies", headers=api)).json() == []
