"""What workers asked and did not find, and 👍/👎 under articles: counts without identities."""

import datetime

import httpx
from argon2 import PasswordHasher
from sqlalchemy import inspect, select

from admin_api.main import create_app
from sathi.enums import Role
from sathi.models import GuideGap, MissedQuery
from sathi.services import gaps
from sathi.services import staff as staff_service
from tests.bot.conftest import Conversation
from tests.fakes import updates

PASSWORD = "correct horse battery"
NOTHING = "Kim Minsu 010-1234-5678 boss took my dog to 7 hospitals, ID 880101"


def test_scrub_removes_names_numbers_and_ids():
    cleaned = gaps.scrub(NOTHING + " write to amrita@example.org or @amrita_np https://x.y/z")
    assert cleaned == "boss took my dog to hospitals, write to or"
    assert not any(c.isdigit() for c in cleaned)
    assert gaps.scrub("01012345678") == ""


async def test_a_question_with_no_answer_is_counted_and_kept_scrubbed(chat, imported):
    answered = await chat.say("Kim Minsu 010-1234-5678 zzqx blorf, ID 880101")
    assert answered  # the bot still answers ("no answer yet", with the menu)
    async with imported.sessionmaker() as session:
        [row] = (await session.scalars(select(GuideGap))).all()
        [query] = (await session.scalars(select(MissedQuery))).all()
    assert (row.kind, row.lang, row.count, row.slug) == ("no_match", "en", 1, "")
    assert row.week == gaps.iso_week(datetime.date.today())
    assert query.text == "zzqx blorf"
    columns = {c.key for c in inspect(MissedQuery).columns} | {
        c.key for c in inspect(GuideGap).columns}
    assert not columns & {"member_id", "telegram_key", "chat_id", "user_id"}


async def test_thumbs_under_an_article_are_counted_per_language_and_week(
    app, fake_api, imported, monkeypatch
):
    chat = Conversation(app, fake_api)
    await chat.send(updates.button("lang:choose:ne", 1))
    shown = await chat.send(updates.button("art:show:unpaid-wages", 1))
    datas = [data for _label, data in shown[-1].buttons]
    assert "fb:up:unpaid-wages" in datas and "fb:down:unpaid-wages" in datas
    assert all(len(data.encode()) <= 64 for data in datas)
    [thanks] = await chat.press("fb:down:unpaid-wages")
    t = imported.catalogs.get("ne")
    assert thanks.text == t.gettext("Thank you. Your answer helps the union improve this guide.")
    await chat.send(updates.button("fb:down:unpaid-wages", 1))
    await chat.send(updates.button("fb:up:unpaid-wages", 1))

    monkeypatch.setattr(staff_service, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    async with imported.sessionmaker.begin() as session:
        await staff_service.create_staff(session, username="editor", password=PASSWORD,
                                         role=Role.editor, languages=[])
        await staff_service.create_staff(session, username="volunteer", password=PASSWORD,
                                         role=Role.volunteer, languages=["ne"])
    transport = httpx.ASGITransport(app=create_app(imported))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as api:
        async def headers(name):
            token = (await api.post("/api/v1/auth/token",
                                    data={"username": name, "password": PASSWORD})).json()
            return {"Authorization": f"Bearer {token['access_token']}"}

        assert (await api.get("/api/v1/guide-gaps",
                              headers=await headers("volunteer"))).status_code == 403
        report = (await api.get("/api/v1/guide-gaps", headers=await headers("editor"))).json()
    counts = {(c["lang"], c["kind"], c["slug"]): c["count"] for c in report["counts"]}
    assert counts == {("ne", "unhelpful", "unpaid-wages"): 2, ("ne", "helpful", "unpaid-wages"): 1}


async def test_missed_questions_are_forgotten_after_30_days(runtime):
    old = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    async with runtime.sessionmaker.begin() as session:
        await gaps.record_miss(session, lang="ne", question="mero sathi", now=old)
        await gaps.record_miss(session, lang="ne", question="mero sathi", now=old)
    async with runtime.sessionmaker() as session:
        _counts, missed = await gaps.report(session, now=old)
    assert [(m.text, m.count) for m in missed] == [("mero sathi", 2)]
    later = old + datetime.timedelta(days=31)
    async with runtime.sessionmaker.begin() as session:
        await gaps.record_miss(session, lang="ne", question="naya prashna", now=later)
    async with runtime.sessionmaker() as session:
        texts = (await session.scalars(select(MissedQuery.text))).all()
    assert texts == ["naya prashna"]
