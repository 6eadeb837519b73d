"""`sathi chat`: the same bot in a terminal, driven here with piped lines."""

import io

from sathi.cli.chat import chat
from sathi.i18n import load_catalogs


async def test_nepali_question_gets_a_nepali_answer(settings, article_files):
    ne = load_catalogs(settings.locales_dir).get("ne")
    [wages] = [a for a in article_files if (a.slug, a.lang) == ("unpaid-wages", "ne")]
    stdin = io.StringIO("साहुजीले दुई महिनाको तलब दिएको छैन, के गर्ने\n1\n")
    out = io.StringIO()

    code = await chat(settings, lang="ne", stdin=stdin, out=out)

    text = out.getvalue()
    assert code == 0
    assert "imported" in text, "an empty database gets the article files"
    assert ne.gettext(
        "What do you need help with? Choose a topic, or write your question in your own words."
    ) in text
    assert f"[1] {wages.title}" in text  # the found topic, as a numbered button
    assert wages.title in text.split(f"[1] {wages.title}", 1)[1], "and, pressed, the article"
    assert "\\" not in text, "MarkdownV2 escapes are undone for reading"
    assert ne.gettext("Show in Korean") in text


async def test_chat_without_lang_offers_the_languages(settings):
    out = io.StringIO()
    assert await chat(settings, lang=None, stdin=io.StringIO(""), out=out) == 0
    assert "[1] " in out.getvalue() and "नेपाली" in out.getvalue()


async def test_chat_refuses_an_unknown_language(settings):
    assert await chat(settings, lang="xx", stdin=io.StringIO(""), out=io.StringIO()) == 2


def test_terminal_shows_markdown_v2_as_plain_text():
    from bot import render
    from bot.terminal import readable

    assert readable(render.lines("1. Pay: 2,000,000원 (net)! a_b*c", "[x]")) == (
        "1. Pay: 2,000,000원 (net)! a_b*c\n\n[x]"
    )
    assert readable("*bold* and [a link](https://example.org/a\\)b)") == (
        "bold and a link (https://example.org/a)b)"
    )
