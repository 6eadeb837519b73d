"""Editors change the guide through the admin API; workers see it through the real bot.

The bot is driven against the fake Bot API; the knowledge base reload is driven by calling
`refresh` (what `sathi run` does every minute), with `now` passed to freeze the day.
"""

import datetime
from collections.abc import AsyncIterator

import httpx
import pytest
from argon2 import PasswordHasher

from admin_api.main import create_app
from sathi.enums import Role
from sathi.runtime import Runtime
from sathi.services import staff as staff_service
from tests.bot.conftest import Conversation
from tests.fakes import updates

LANGUAGES = ("en", "ne", "bn", "tl", "ko")
PASSWORD = "correct horse battery"
KST = datetime.timezone(datetime.timedelta(hours=9))
TODAY = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=KST)
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@pytest.fixture
async def api(imported: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(imported))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def login(runtime: Runtime, api: httpx.AsyncClient, name: str, role: Role,
                languages: tuple[str, ...] = ()) -> dict[str, str]:
    async with runtime.sessionmaker.begin() as session:
        await staff_service.create_staff(session, username=name, password=PASSWORD, role=role,
                                         languages=languages)
    response = await api.post("/api/v1/auth/token",
                              data={"username": name, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def read_article(app, fake_api, slug: str, lang: str):
    """A worker whose phone is in `lang` opens the article; the bot's messages come back."""
    chat = Conversation(app, fake_api)
    await chat.send(updates.button(f"lang:choose:{lang}", 1))
    shown = await chat.send(updates.button(f"art:show:{slug}", 1))
    assert shown and shown[0].text.startswith(app.bot_data["runtime"].knowledge.current.get(
        slug, lang).title)
    # The phone view shows the lead first: open every section behind its "More" button too.
    more = [data for call in shown for _label, data in call.buttons
            if data.startswith("art:more:")]
    for data in more:
        shown += await chat.send(updates.button(data, 1))
    return shown


def text_of(calls) -> str:
    return "\n".join(call.text for call in calls)


async def test_an_editor_changes_the_interpreter_number_and_every_language_shows_it(
    app, fake_api, imported, api
):
    editor = await login(imported, api, "editor", Role.editor)
    await imported.knowledge.refresh(now=TODAY)
    for lang in LANGUAGES:
        assert "1577-0071" in text_of(await read_article(app, fake_api, "minimum-wage", lang))

    response = await api.post("/api/v1/facts/hotline_interpreter/values", headers=editor, json={
        "value": "1577-0099", "valid_from": TODAY.date().isoformat(),
        "source": "https://www.moel.go.kr/example-notice",
    })
    assert response.status_code == 201, response.text
    assert response.json()["current"] == "1577-0099"

    assert await imported.knowledge.refresh(now=TODAY) is True  # the minute's reload
    for lang in LANGUAGES:
        shown = text_of(await read_article(app, fake_api, "minimum-wage", lang))
        assert "1577-0099" in shown and "1577-0071" not in shown, lang
    assert await imported.knowledge.refresh(now=TODAY) is False  # nothing changed: no reload


async def test_a_value_dated_tomorrow_is_shown_from_tomorrow(app, fake_api, imported, api):
    editor = await login(imported, api, "editor", Role.editor)
    response = await api.post("/api/v1/facts/minimum_wage_hourly/values", headers=editor, json={
        "value": "10999", "valid_from": TOMORROW.date().isoformat(),
        "source": "https://www.moel.go.kr/example-notice",
    })
    assert response.status_code == 201, response.text

    await imported.knowledge.refresh(now=TODAY)
    today = text_of(await read_article(app, fake_api, "minimum-wage", "ne"))
    assert "10,320" in today and "10,999" not in today
    assert await imported.knowledge.refresh(now=TOMORROW) is True  # the day changed
    for lang in LANGUAGES:
        tomorrow = text_of(await read_article(app, fake_api, "minimum-wage", lang))
        assert "10,999" in tomorrow and "10,320" not in tomorrow, lang


async def test_an_ended_value_is_shown_with_its_year_and_the_hotline(app, fake_api, imported):
    after = datetime.datetime(2027, 1, 5, 12, 0, tzinfo=KST)  # 2026 values end 2027-01-01
    await imported.knowledge.refresh(now=after)
    for lang in LANGUAGES:
        t = imported.catalogs.get(lang)
        note = t.gettext("{value} (in {year}; call {hotline} to check today's amount)",
                         value="10,320", year=2026, hotline="1350")
        assert note in text_of(await read_article(app, fake_api, "minimum-wage", lang)), lang


async def test_a_substantive_english_change_shows_the_stale_line_until_translated(
    app, fake_api, imported, api
):
    editor = await login(imported, api, "editor", Role.editor)
    reviewer = await login(imported, api, "reviewer", Role.reviewer, ("en", "ne"))
    base = "/api/v1/articles/unpaid-wages"

    async def publish(lang: str, change: str, extra: str) -> None:
        article = (await api.get(base, headers=editor)).json()
        [state] = [item for item in article["languages"] if item["lang"] == lang]
        current = state["published"]
        fields = {k: current[k] for k in ("title", "keywords", "sources")}
        created = await api.post(f"{base}/{lang}/revisions", headers=editor, json={
            **fields, "body": current["body"] + extra, "change": change,
        })
        number = created.json()["number"]
        path = f"{base}/{lang}/revisions/{number}"
        await api.post(f"{path}/submit", headers=editor)
        assert (await api.post(f"{path}/approve", headers=reviewer, json={})).status_code == 200
        assert (await api.post(f"{path}/publish", headers=editor)).status_code == 200

    def stale_line(lang: str) -> str:
        return imported.catalogs.get(lang).gettext(
            "This text may be out of date. Call {hotline} (interpreters) to check.",
            hotline="1577-0071",
        )

    await publish("en", "minor", "\n\nA small wording change.")
    await imported.knowledge.refresh(now=TODAY)
    for lang in ("ne", "bn", "tl", "ko"):
        assert stale_line(lang) not in text_of(await read_article(app, fake_api,
                                                                  "unpaid-wages", lang))

    await publish("en", "substantive", "\n\n- Keep every bank statement.")
    await imported.knowledge.refresh(now=TODAY)
    for lang in ("ne", "bn", "tl", "ko"):
        shown = text_of(await read_article(app, fake_api, "unpaid-wages", lang))
        assert stale_line(lang) in shown, lang
    assert stale_line("en") not in text_of(await read_article(app, fake_api, "unpaid-wages",
                                                              "en"))

    await publish("ne", "substantive", "\n\n- बैंक विवरण राख्नुहोस्।")
    await imported.knowledge.refresh(now=TODAY)
    assert stale_line("ne") not in text_of(await read_article(app, fake_api, "unpaid-wages",
                                                              "ne"))
    assert stale_line("bn") in text_of(await read_article(app, fake_api, "unpaid-wages", "bn"))
