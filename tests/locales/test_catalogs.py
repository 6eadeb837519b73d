"""The catalogs: complete, compiled, consistent with the code, and a new language needs no code."""

import datetime
import re
import shutil
import string
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from telegram import Update

from bot.app import build_application
from knowledge.loader import load_articles
from knowledge.topics import load_topics
from sathi import paths
from sathi.i18n import available_locales, load_catalogs
from sathi.runtime import open_runtime
from sathi.services.articles import import_articles
from tests.fakes import updates
from tests.fakes.bot_api import FakeBotApi

LOCALES = paths.LOCALES_DIR
LANGUAGES = available_locales(LOCALES)
TOKEN = "123456:TEST-token-for-the-fake-bot-api-server"


def _catalog(code: str) -> Catalog:
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=code)


def _ids(catalog: Catalog) -> set[object]:
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in catalog if m.id}


def _placeholders(text: str) -> set[str]:
    fields = string.Formatter().parse(text)
    return {name for _literal, name, _spec, _conversion in fields if name is not None}


def test_the_five_languages_are_there():
    assert {"en", "ne", "bn", "tl", "ko"} <= set(LANGUAGES)


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalog_compiles_without_errors(code):
    catalog = _catalog(code)
    problems = [(m.id, errors) for m, errors in catalog.check()]
    assert problems == []
    write_mo(__import__("io").BytesIO(), catalog)


@pytest.mark.parametrize("code", LANGUAGES)
def test_catalog_is_complete_and_not_fuzzy(code):
    catalog = _catalog(code)
    assert not catalog.fuzzy, "the header is marked fuzzy"
    untranslated = [m.id for m in catalog if m.id and not all(
        m.string if isinstance(m.string, tuple) else (m.string,)
    )]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_placeholders_match(code):
    for message in _catalog(code):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(_placeholders(i) for i in ids))
        for translated in strings:
            assert _placeholders(translated) == expected, (message.id, translated)


@pytest.mark.parametrize("code", LANGUAGES)
def test_text_is_nfc(code):
    for message in _catalog(code):
        for text in (message.string if isinstance(message.string, tuple) else (message.string,)):
            assert unicodedata.is_normalized("NFC", text or ""), message.id


def test_each_language_names_itself():
    names = {code: load_catalogs(LOCALES).get(code).native_name for code in LANGUAGES}
    assert len(set(names.values())) == len(names), names
    assert names["ne"] == "नेपाली" and names["ko"] == "한국어"


def test_catalogs_match_the_template():
    with (LOCALES / "messages.pot").open("rb") as handle:
        template = _ids(read_po(handle))
    for code in LANGUAGES:
        assert _ids(_catalog(code)) == template, f"run pybabel update for {code}"


def test_template_is_up_to_date_with_the_source(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "pgettext:1c,2", "-o", str(pot), "."],
        cwd=paths.REPO_ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as fresh, (LOCALES / "messages.pot").open("rb") as committed:
        assert _ids(read_po(fresh)) == _ids(read_po(committed)), "run pybabel extract (README)"


# A new language: only files, no code. Hindi here, with a handful of strings translated.
HINDI = {
    ("language name", "English"): "हिन्दी",
    (None, "Choose your language:"): "अपनी भाषा चुनें:",
    (None, "What do you need help with? Choose a topic, or write your question in your own "
           "words."): "आपको किस बारे में मदद चाहिए? कोई विषय चुनें, या अपना सवाल लिखें।",
    (None, "Pay and work"): "वेतन और काम",
}


def _add_hindi_catalog(locales: Path) -> None:
    with (locales / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    catalog = Catalog(locale="hi", fuzzy=False,
                      revision_date=datetime.datetime(2026, 11, 23, tzinfo=datetime.UTC))
    for message in template:
        if message.id:
            catalog.add(message.id, HINDI.get((message.context, message.id), ""),
                        context=message.context)
    folder = locales / "hi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as handle:
        write_po(handle, catalog)


def _add_hindi_article(articles: Path) -> str:
    english = (articles / "unpaid-wages" / "en.md").read_text(encoding="utf-8")
    front, body = english.split("\n---\n", 1)
    front = re.sub(r"(?m)^title: .*$", "title: वेतन नहीं मिला या देर से मिला", front)
    body = "वेतन नहीं मिला? आज से ही सबूत रखें।\n\n## सबूत\n- वेतन पर्ची (임금명세서)।\n"
    (articles / "unpaid-wages" / "hi.md").write_text(f"{front}\n---\n{body}", encoding="utf-8")
    return "वेतन नहीं मिला या देर से मिला"


async def test_a_new_language_is_offered_and_used_without_code_changes(make_settings, tmp_path):
    locales, articles = tmp_path / "locales", tmp_path / "articles"
    shutil.copytree(LOCALES, locales)
    shutil.copytree(paths.KNOWLEDGE_DIR, articles)
    _add_hindi_catalog(locales)
    title = _add_hindi_article(articles)
    api = FakeBotApi()
    await api.start()
    settings = make_settings(locales_dir=locales, knowledge_dir=articles, telegram_token=TOKEN,
                             telegram_api_url=api.url)
    runtime = await open_runtime(settings)
    try:
        found = load_articles(articles, load_topics(settings.topics_file), settings.languages)
        async with runtime.sessionmaker.begin() as session:
            await import_articles(session, found)
        await runtime.knowledge.refresh()
        async with build_application(runtime) as application:
            async def feed(update: dict) -> list:
                api.clear()
                await application.process_update(Update.de_json(update, application.bot))
                return api.messages()

            [offer] = await feed(updates.command("start", language_code="hi-IN"))
            assert offer.buttons[0] == ("✓ हिन्दी", "lang:choose:hi")
            assert "अपनी भाषा चुनें:" in offer.text
            _confirmed, menu = await feed(updates.button("lang:choose:hi", 1))
            assert "आपको किस बारे में मदद चाहिए?" in menu.text
            assert ("💰 वेतन और काम", "cat:open:at-work") in menu.buttons
            [topics] = await feed(updates.button("cat:open:at-work", 2))
            assert (title, "art:show:unpaid-wages") in topics.buttons
            [article] = await feed(updates.button("art:show:unpaid-wages", 3))
            assert article.text.startswith(title) and "सबूत" in article.text
    finally:
        await runtime.close()
        await api.stop()
