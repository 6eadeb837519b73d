"""Nothing lives only in memory, and nothing in the database file identifies the worker."""

from pathlib import Path

from bot.app import build_application
from sathi.runtime import open_runtime
from sathi.services.articles import import_articles
from tests.bot.conftest import Conversation
from tests.fakes import updates


async def test_language_survives_a_restart(settings, fake_api, article_files):
    first = await open_runtime(settings)
    try:
        async with first.sessionmaker.begin() as session:
            await import_articles(session, article_files)
        await first.knowledge.refresh()
        async with build_application(first) as application:
            chat = Conversation(application, fake_api)
            await chat.say("/start")
            await chat.press("lang:choose:bn")
    finally:
        await first.close()

    second = await open_runtime(settings)  # a new process, as far as the bot can tell
    try:
        async with build_application(second) as application:
            [menu] = await Conversation(application, fake_api).say("/menu")
        bn = second.catalogs.get("bn")
        assert menu.text == bn.gettext(
            "What do you need help with? Choose a topic, or write your question in your own words."
        )
    finally:
        await second.close()


async def test_raw_ids_never_reach_the_database_file(settings, chat, imported):
    if not settings.uses_embedded_database:
        return  # PostgreSQL: no file to read
    await chat.say("/start")
    await chat.press("lang:choose:tl")
    await chat.say("kinuha ng amo passport ko, si Marites-Qz7 ako")
    await chat.send(updates.voice())

    database = Path(settings.database.split("///", 1)[1])
    raw = b"".join(
        path.read_bytes() for path in database.parent.glob(database.name + "*")
    )
    for identifier in {updates.USER_ID, updates.CHAT_ID}:
        assert str(identifier).encode() not in raw
        assert identifier.to_bytes(8, "big") not in raw
        assert identifier.to_bytes(8, "little") not in raw
    assert b"Marites-Qz7" not in raw, "what the worker wrote is not stored"
    assert updates.FIRST_NAME.encode() not in raw, "nor their Telegram name"
