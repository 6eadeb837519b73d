"""Notices to the volunteers' group are in the volunteers' language (SATHI_VOLUNTEER_LANGUAGE)."""

import pytest
from babel import Locale
from sqlalchemy import select

from sathi.errors import ConfigError
from sathi.models import Case
from sathi.runtime import Runtime
from sathi.settings import Settings
from tests.bot.conftest import TOKEN
from tests.escalation.conftest import VOLUNTEER_GROUP
from tests.fakes.bot_api import FakeBotApi


@pytest.fixture(params=["en", "ne", "ko"])
def settings(request, make_settings, fake_api: FakeBotApi) -> Settings:
    return make_settings(telegram_token=TOKEN, telegram_api_url=fake_api.url,
                         volunteer_chat_id=VOLUNTEER_GROUP, volunteer_language=request.param)


async def test_the_groups_notice_is_in_the_volunteers_language(
    worker, imported: Runtime, delivery, fake_api
):
    volunteers = imported.settings.volunteer_language
    t = imported.catalogs.get(volunteers)
    await worker.say("/start")
    await worker.press("lang:choose:bn")
    await worker.say("/menu")
    await worker.press("esc:offer")
    await worker.press("esc:agree")
    await worker.say("amar beton dey nai")
    async with imported.sessionmaker() as session:
        [case] = list(await session.scalars(select(Case)))
    fake_api.clear()
    await delivery.run_once()
    [notice] = fake_api.delivered(VOLUNTEER_GROUP)
    bengali = Locale.parse("bn").get_display_name(volunteers)
    lines = notice.text.split("\n")
    assert lines[0] == "🆕 " + t.gettext("New case {reference}", reference=case.reference)
    assert lines[1] == t.gettext("Language: {language} ({code})", language=bengali, code="bn")
    assert lines[3] == t.gettext("Urgency: {urgency}", urgency=t.pgettext("urgency", "normal"))
    if volunteers == "en":
        assert lines[:2] == [f"🆕 New case {case.reference}", "Language: Bangla (bn)"]
    else:
        assert "New case" not in notice.text, "translated, not English"
    assert "beton" not in notice.text, "never the worker's words"


def test_an_unknown_volunteer_language_stops_with_the_variables_name(make_settings):
    with pytest.raises(ConfigError, match="SATHI_VOLUNTEER_LANGUAGE: must be one of bn, en"):
        make_settings(volunteer_language="fr")
    assert make_settings(volunteer_language=" KO ").volunteer_language == "ko"
