"""Long articles are split over several messages, each within Telegram's limit, markup intact."""

import datetime

from bot import render
from knowledge.models import Article
from sathi.runtime import Runtime
from sathi.services.articles import import_articles
from tests.fakes import updates
from tests.fakes.markdown_v2 import plain_text


def _long_article(lang: str = "en", sections: int = 40) -> Article:
    parts = ["**Call 1350 first.** Keep every payslip (임금명세서) safe!"]
    for number in range(sections):
        parts.append(f"## Part {number}: what_to do (step {number}.)")
        parts.append(
            f"- Keep **proof {number}**: photos, [the law](https://www.law.go.kr/a_(b)), "
            "dates like 2026-11-23 and amounts like 2,000,000원 — don't lose them.\n"
            "- Ask at the labour office (고용노동부) #1, or call 1577-0071 > wait | ok {x}.\n"
            + "A long line of plain words that just keeps going. " * 4
        )
    return Article(
        slug="long-test-article", lang=lang, category="at-work", title="A very long article",
        keywords=("long",), sources=("https://example.org",),
        last_reviewed=datetime.date(2026, 11, 23), review="draft", body="\n\n".join(parts),
    )


def test_render_splits_long_articles_into_valid_messages(imported: Runtime):
    article = _long_article("ne")
    t = imported.catalogs.get("ne")
    note = render.article_note(article, t, source_lang="en")
    chunks = render.article(article, note=note)
    assert len(chunks) > 2
    seen = ""
    for chunk in chunks:
        assert len(chunk) <= 4096
        seen += plain_text(chunk)  # raises on any broken markup
    assert "Part 39: what_to do (step 39.)" in seen
    note = t.gettext("A native speaker has not checked this translation yet.")
    assert seen.rstrip().endswith(note)


async def test_long_article_arrives_as_several_messages(chat, imported: Runtime, fake_api):
    async with imported.sessionmaker.begin() as session:
        await import_articles(session, [_long_article()], remove_missing=False)
    await imported.knowledge.refresh()
    await chat.say("/start")
    await chat.press("lang:choose:en")

    # On a phone: the lead and the first part, every other part behind its own button.
    [first] = await chat.send(updates.button("art:show:long-test-article", 1))
    assert "Part 0" in first.text and "Part 1:" not in first.text
    more = [data for _label, data in first.buttons if data.startswith("art:more:")]
    assert len(more) == 39
    assert all(len(data.encode()) <= 64 for data in more)

    chat.last = [first]
    shown = await chat.press("art:more:long-test-article:38")
    assert all(call.message_id is not None for call in shown), "the fake server accepted all"
    assert all(len(call.params["text"]) <= 4096 for call in shown)
    assert all(call.params["parse_mode"] == "MarkdownV2" for call in shown)
    assert "Part 39" in shown[-1].text and "Part 38" not in shown[-1].text
    assert shown[-1].buttons, "the buttons come under the section"
