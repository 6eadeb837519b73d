"""A worker is understood in any language: other languages, greetings, commands, phone articles."""

import pytest

from bot import sections
from bot.labels import COUNTRY_NOTES
from sathi.runtime import Runtime
from tests.bot.conftest import Conversation
from tests.fakes import updates

# Typed in Latin letters by a worker whose Telegram is in English (the picker pre-ticks it).
ROMANIZED = {
    "ne": "mero talab aayena",
    "bn": "amar beton dey nai",
    "tl": "di pa binabayaran sahod ko",
}


async def _chosen(chat: Conversation, locale: str) -> None:
    await chat.say("/start")
    await chat.press(f"lang:choose:{locale}")


@pytest.mark.parametrize("lang", sorted(ROMANIZED))
async def test_message_in_another_language_is_answered_in_it_with_a_switch(
    chat, imported: Runtime, lang
):
    await _chosen(chat, "en" if lang != "ne" else "bn")
    own = "en" if lang != "ne" else "bn"
    t = imported.catalogs.get(lang)
    answer = await chat.say(ROMANIZED[lang])
    kb = imported.knowledge.current
    shown = "\n".join([call.text for call in answer]
                      + [label for call in answer for label, _data in call.buttons])
    assert kb.get("unpaid-wages", lang).title in shown, "that language's article"
    assert imported.catalogs.get(own).gettext("I don't have an answer to that yet.") not in shown
    offer = answer[-1]
    assert offer.text == t.gettext("Use {language} from now on?", language=t.native_name)
    assert offer.buttons == [("🌐 " + t.gettext("Yes, use {language}", language=t.native_name),
                              f"lang:choose:{lang}")]
    await chat.press(f"lang:choose:{lang}")
    again = await chat.say(ROMANIZED[lang])
    assert not any(data.startswith("lang:choose") for c in again for _l, data in c.buttons), (
        "no offer once it is the worker's language")


async def test_command_is_no_language_evidence_and_the_bot_asks_once(
    app, fake_api, imported: Runtime
):
    # A phone language Sathi does not speak: English is used, and the worker is asked once.
    chat = Conversation(app, fake_api, language_code="fr")
    en = imported.catalogs.get("en")
    [menu] = await chat.say("/menu")
    assert menu.text.startswith(en.gettext(
        "What do you need help with? Choose a topic, or write your question in your own words."
    ))
    # Pressing a button of that (English) menu is not evidence either; words are.
    first = await chat.say("hello")
    assert first[0].text.startswith(en.gettext("Hello! I am Sathi, an automatic helper."))
    assert any(data == "lang:choose:ne" for call in first for _l, data in call.buttons)
    second = await chat.say("xyzzy qwerty plugh")
    assert not any(data.startswith("lang:choose") for c in second for _l, data in c.buttons)
    assert "/language" not in "\n".join(call.text for call in second)


@pytest.mark.parametrize("locale", ["ne", "bn", "tl"])
async def test_phone_language_we_speak_is_used_without_asking(
    app, fake_api, imported: Runtime, locale
):
    chat = Conversation(app, fake_api, language_code=locale)
    bn = imported.catalogs.get(locale)
    [menu] = await chat.say("/menu")
    assert menu.text == bn.gettext(
        "What do you need help with? Choose a topic, or write your question in your own words."
    )
    answer = await chat.say("xyzzy qwerty plugh")
    assert not any(data.startswith("lang:choose") for c in answer for _l, data in c.buttons)


@pytest.mark.parametrize(("locale", "words"), [
    ("ne", "namaste"), ("tl", "salamat po"), ("en", "hello"), ("ko", "annyeong"),
    ("bn", "nomoskar"), ("bn", "নমস্কার"), ("ne", "नमस्ते"),
])
async def test_greeting_is_greeted_back_with_the_menu(chat, imported: Runtime, locale, words):
    await _chosen(chat, locale)
    t = imported.catalogs.get(locale)
    [answer] = await chat.say(words)
    assert answer.text.startswith(t.gettext("Hello! I am Sathi, an automatic helper."))
    assert ("🌐 " + t.gettext("Language"), "lang:open") in answer.buttons


@pytest.mark.parametrize(("locale", "country", "others"), [
    ("ne", "नेपाल", ("फिलिपिन्स", "बंगलादेश")),
    ("bn", "বাংলাদেশ", ("নেপাল", "ফিলিপাইন")),
    ("tl", "Pilipinas", ("Nepal", "Bangladesh")),
])
async def test_article_for_a_phone_lead_first_more_buttons_own_country(
    chat, imported: Runtime, locale, country, others
):
    await _chosen(chat, locale)
    kb = imported.knowledge.current
    article = kb.get("unpaid-wages", locale)
    [first] = await chat.send(updates.button("art:show:unpaid-wages", 1))
    assert first.text.startswith(article.title) and len(first.text) < 1500
    more = [data for _label, data in first.buttons if data.startswith("art:more:")]
    assert more, "the other sections are behind buttons"
    texts = []
    for data in more:
        chat.last = [first]
        texts += [call.text for call in await chat.press(data)]
    everything = "\n".join([first.text, *texts])
    assert country in everything
    assert not any(f"*{other}*" in everything for other in others)
    assert all(len(text) <= 4096 for text in texts)


NOTE_NAMES = {"en": {"nepal": "Nepal", "bangladesh": "Bangladesh", "philippines": "Philippines"},
              "ko": {"nepal": "네팔", "bangladesh": "방글라데시", "philippines": "필리핀"}}


@pytest.mark.parametrize("locale", ["en", "ko"])
async def test_english_and_korean_readers_choose_their_country_in_one_tap(
    chat, imported: Runtime, locale
):
    t = imported.catalogs.get(locale)
    names = NOTE_NAMES[locale]
    await _chosen(chat, locale)
    [first] = await chat.send(updates.button("art:show:unpaid-wages", 1))
    pressed = [first]
    for data in [d for _l, d in first.buttons if d.startswith("art:more:")]:
        chat.last = [first]
        pressed += await chat.press(data)
    shown = "\n".join(call.text for call in pressed)
    assert not any(f"{name}:" in shown for name in names.values()), "no country's notes inline"
    countries = [(label, d) for label, d in first.buttons if d.startswith("art:country:")]
    assert [d for _l, d in countries] == [
        f"art:country:unpaid-wages:{c}" for c in ("nepal", "bangladesh", "philippines")]
    assert countries[0][0] == "🇳🇵 " + t.gettext("For workers from Nepal")
    for country, name in names.items():
        chat.last = [first]
        [notes] = await chat.press(f"art:country:unpaid-wages:{country}")
        assert t.gettext(COUNTRY_NOTES[country]) in notes.text
        assert f"{name}:" in notes.text
        assert not any(f"{other}:" in notes.text for c, other in names.items() if c != country)
        assert len(notes.text) <= 4096 and any(d.startswith("art:") for _l, d in notes.buttons)
    [gone] = await chat.send(updates.button("art:country:unpaid-wages:mars", 1))
    assert gone.text.startswith(t.gettext("This topic is no longer available."))


@pytest.mark.parametrize("locale", ["ne", "bn", "tl"])
async def test_one_search_hit_opens_the_article(chat, imported: Runtime, locale):
    await _chosen(chat, locale)
    kb = imported.knowledge.current
    question = {"ne": "मेरो पासपोर्ट साहुजीले राख्यो", "bn": "ভিসা এক্সটেনশন কিভাবে করব",
                "tl": "paano mag renew ng visa"}[locale]
    hits = kb.search(question, locale, limit=4)
    answer = await chat.say(question)
    if len(hits) == 1:
        assert answer[0].text.startswith(kb.get(hits[0].slug, locale).title)
        assert any(data.startswith("art:") for _l, data in answer[-1].buttons)
    else:
        assert [data for _l, data in answer[0].buttons][: len(hits)] == [
            f"art:show:{hit.slug}" for hit in hits]


@pytest.mark.parametrize("locale", ["ne", "bn", "tl"])
async def test_korean_card_for_an_employer_is_clean(chat, imported: Runtime, locale):
    await _chosen(chat, locale)
    ko = imported.catalogs.get("ko")
    for slug in ("maternity-protection", "unpaid-wages"):
        intro, card = await chat.send(updates.button(f"art:ko:{slug}", 1))
        assert "**" not in card.text
        assert not any(name in card.text for name in ("네팔", "필리핀", "방글라데시")), slug
        footer = ko.gettext("A native speaker has not checked this translation yet.")
        assert footer not in card.text
        assert ko.gettext("Based on:") in card.text and ".go.kr" in card.text


def test_every_country_name_of_the_articles_is_known(imported: Runtime):
    kb = imported.knowledge.current
    for lang in ("ne", "bn", "tl", "ko", "en"):
        for slug in kb._slugs:  # noqa: SLF001 - every article
            article = kb.get(slug, lang)
            if article is None:
                continue
            for line in article.body.splitlines():
                if line.startswith(("- **Nepal", "- Nepal:", "- 네팔", "- **नेपाल", "- नेपाल")):
                    assert sections._note_country(line) == "nepal", line  # noqa: SLF001


async def test_more_button_of_an_article_gone_says_so(chat, imported: Runtime):
    await _chosen(chat, "tl")
    t = imported.catalogs.get("tl")
    [gone] = await chat.send(updates.button("art:more:no-such-article:3", 1))
    assert gone.text.startswith(t.gettext("This topic is no longer available."))


def test_articles_as_first_shown_fit_a_phone(imported: Runtime):
    kb = imported.knowledge.current
    for lang in ("en", "ne", "bn", "tl", "ko"):
        lengths = []
        for slug in kb._slugs:  # noqa: SLF001 - every article
            article = kb.get(slug, lang)
            if article is not None:
                phone = sections.for_phone(article, lang)
                lengths.append(len(article.title) + len(phone.first))
                assert len(phone.first) < len(article.body) or not phone.more
        lengths.sort()
        assert lengths[len(lengths) // 2] < 1000, lang


# Seen missing (issue 8, point 10): the bot's first article for each. The search is scored on a
# held-out set too (benchmarks/search_bench.py); these are the reported cases, not the fix.
SEEN_MISSES = [
    ("ne", "ma ghar farkana chahanchu paisa kasari lane", "returning-home", None),
    ("tl", "di ako pinapasweldo", "unpaid-wages", None),
    ("bn", "ami onek osustho", "health-insurance", None),
    ("bn", "kaj theke bair kore dise", "dismissal", "passport-id-confiscation"),
    ("ne", "korea ko visa kasari paune", "eps-overview", "undocumented-rights"),
]


@pytest.mark.parametrize(("locale", "words", "slug", "not_first"), SEEN_MISSES)
async def test_seen_search_misses_get_the_right_article_first(
    chat, imported: Runtime, locale, words, slug, not_first
):
    await _chosen(chat, locale)
    kb = imported.knowledge.current
    answer = await chat.say(words)
    first = answer[0]
    opened = [data for _l, data in first.buttons if data.startswith("art:show:")]
    if opened:  # several hits: the list, best first
        assert opened[0] == f"art:show:{slug}"
    else:  # one hit opens the article
        assert first.text.startswith(kb.get(slug, locale).title)
    if not_first is not None:
        assert not first.text.startswith(kb.get(not_first, locale).title)
