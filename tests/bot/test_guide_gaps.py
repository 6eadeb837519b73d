"""What workers asked and did not find, and 👍/👎 under articles: counts without identities."""

import datetime

import httpx
from argon2 import PasswordHasher
from sqlalchemy import inspect, select, text

from admin_api.main import create_app
from sathi.enums import Role
from sathi.models import GuideGap, Member, MissedQuery
from sathi.services import gaps, retention
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


async def test_an_article_left_with_nothing_after_it_is_counted_in_the_week_it_was_shown(
    app, fake_api, imported, monkeypatch
):
    shown_at = datetime.datetime(2026, 12, 6, 23, 50, tzinfo=datetime.UTC)  # Sunday, 2026-W49
    clock = [shown_at]
    monkeypatch.setattr(gaps, "utcnow", lambda: clock[0])

    async def worker(user_id: int, lang: str, slug: str) -> Conversation:
        talk = Conversation(app, fake_api, user_id=user_id)
        await talk.send(updates.button(f"lang:choose:{lang}", 1, user_id=user_id))
        await talk.send(updates.button(f"art:show:{slug}", 1, user_id=user_id))
        return talk

    await worker(101, "ne", "unpaid-wages")  # reads it and leaves
    more = await worker(102, "en", "minimum-wage")
    thumbs = await worker(103, "en", "unpaid-wages")
    back_later = await worker(104, "ne", "dismissal")
    async with imported.sessionmaker() as session:
        stored = (await session.execute(text("SELECT shown_article FROM member"))).scalars()
        assert not any("unpaid-wages" in value for value in stored)  # encrypted on the row

    clock[0] = shown_at + datetime.timedelta(minutes=5)
    await more.press(next(d for _l, d in more.last[-1].buttons if d.startswith("art:more:")))
    clock[0] = shown_at + datetime.timedelta(minutes=10)
    await thumbs.press("fb:down:unpaid-wages")
    early = await retention.run_once(imported.sessionmaker, imported.settings,
                                     now=shown_at + datetime.timedelta(minutes=29))
    assert early.left_articles == 0
    clock[0] = shown_at + datetime.timedelta(minutes=35)  # Monday, 2026-W50
    await back_later.say("zzqx blorf")  # comes back after the window: it had been left
    swept = await retention.run_once(imported.sessionmaker, imported.settings,
                                     now=shown_at + datetime.timedelta(minutes=40))
    assert swept.left_articles == 1  # the first worker; the others did something, or came back

    async with imported.sessionmaker() as session:
        left = {(g.week, g.lang, g.slug): g.count for g in await session.scalars(
            select(GuideGap).where(GuideGap.kind == gaps.LEFT))}
        pending = (await session.scalars(select(Member.shown_article_at))).all()
    assert left == {("2026-W49", "ne", "unpaid-wages"): 1, ("2026-W49", "ne", "dismissal"): 1}
    assert pending == [None, None, None, None]
    again = await retention.run_once(imported.sessionmaker, imported.settings,
                                     now=shown_at + datetime.timedelta(hours=2))
    assert again.left_articles == 0  # counted once

    monkeypatch.setattr(staff_service, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    async with imported.sessionmaker.begin() as session:
        await staff_service.create_staff(session, username="editor", password=PASSWORD,
                                         role=Role.editor, languages=[])
    transport = httpx.ASGITransport(app=create_app(imported))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as api:
        token = (await api.post("/api/v1/auth/token",
                                data={"username": "editor", "password": PASSWORD})).json()
        report = (await api.get("/api/v1/guide-gaps", params={"lang": "ne"}, headers={
            "Authorization": f"Bearer {token['access_token']}"})).json()
    assert {(c["week"], c["kind"], c["slug"], c["count"]) for c in report["counts"]} == {
        ("2026-W49", "left", "unpaid-wages", 1), ("2026-W49", "left", "dismissal", 1),
        ("2026-W50", "no_match", "", 1),
    }
