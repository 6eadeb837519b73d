"""Browsing: the topics of a category, an article, and the same article in Korean."""

from telegram import InlineKeyboardMarkup, Update

from bot import guidance, keyboards, render, sections
from bot.context import SathiContext
from bot.deps import with_member
from bot.handlers.menu import main_menu
from knowledge.models import Article
from sathi.services import gaps


def _arg(update: Update) -> tuple[str, str | None]:
    _area, action, arg = keyboards.parse_data(update.callback_query.data)
    return action, arg


def _gone(context: SathiContext) -> None:
    """A button from an older menu points at something no longer there."""
    text, markup = main_menu(context)
    gone = render.plain(context.t.gettext("This topic is no longer available."))
    context.reply(f"{gone}\n\n{text}", markup)


@with_member
async def show_topics(update: Update, context: SathiContext) -> None:
    """The titles of a category's articles, in the worker's language."""
    action, category = _arg(update)
    topics = guidance.topic_map(context.runtime.settings.topics_file)
    found = guidance.topics_in(topics, context.kb, category or "", context.locale)
    if not found:
        return _gone(context)
    t = context.t
    label = keyboards.category_label(category or "", t)
    # Translators: {category} is a category name from the main menu, e.g. "Pay and work".
    text = render.plain(t.gettext("{category}: choose a topic.", category=label))
    markup = keyboards.topics([(article.slug, article.title) for article in found], t)
    context.show(text, markup, in_place=action != keyboards.BACK)


@with_member
async def show_article(update: Update, context: SathiContext) -> None:
    """An article, split over several messages if long, with Korean and back buttons below."""
    _action, slug = _arg(update)
    article = guidance.article_in(context.kb, slug or "", context.locale)
    if article is None:
        return _gone(context)
    reply_article(context, article)


def reply_article(context: SathiContext, article: Article) -> None:
    """The lead and first steps of an article, its other sections as 'More' buttons."""
    t = context.t
    note = render.article_note(article, t, source_lang=guidance.SOURCE_LANG)
    phone = sections.for_phone(article, context.locale)
    context.reply(render.phone_article(article, phone.first, note=note),
                  _article_buttons(context, article, phone))
    if context.member is not None:  # counted as "left" if nothing follows (services/gaps.py)
        gaps.note_shown(context.member, lang=article.lang, slug=article.slug)


def _article_buttons(
    context: SathiContext, article: Article, phone: sections.PhoneArticle
) -> InlineKeyboardMarkup:
    korean = guidance.korean_version(context.kb, article.slug) is not None
    korean = korean and context.locale != guidance.KOREAN
    more = [(number, section.heading) for number, section in enumerate(phone.more)]
    markup = keyboards.article(article.slug, article.category, context.t, korean=korean,
                               sections=more, countries=phone.countries)
    return keyboards.with_feedback(markup, article.slug)


@with_member
async def show_section(update: Update, context: SathiContext) -> None:
    """One section of an article behind its 'More' button, the article's buttons below it."""
    _action, arg = _arg(update)
    slug, _, number = (arg or "").rpartition(":")
    article = guidance.article_in(context.kb, slug, context.locale)
    found = sections.section(article, context.locale, int(number)) if (
        article is not None and number.isdigit()) else None
    if article is None or found is None:
        return _gone(context)
    context.detach()
    phone = sections.for_phone(article, context.locale)
    context.reply(render.section(article.title, found.heading, found.body),
                  _article_buttons(context, article, phone))


@with_member
async def show_country_notes(update: Update, context: SathiContext) -> None:
    """One home country's notes of an article (English and Korean readers choose theirs)."""
    _action, arg = _arg(update)
    slug, _, country = (arg or "").rpartition(":")
    article = guidance.article_in(context.kb, slug, context.locale)
    notes = sections.country_notes(article, country) if (
        article is not None and country in sections.COUNTRIES) else []
    if article is None or not notes:
        return _gone(context)
    context.detach()
    markdown = "\n\n".join(
        f"**{note.heading}**\n{note.body}" if note.heading else note.body for note in notes
    )
    label = keyboards.country_label(country, context.t)
    context.reply(render.section(article.title, label, markdown),
                  _article_buttons(context, article, sections.for_phone(article, context.locale)))


@with_member
async def show_in_korean(update: Update, context: SathiContext) -> None:
    """The Korean article, for the worker to show an employer or an official."""
    _action, slug = _arg(update)
    korean = guidance.korean_version(context.kb, slug or "")
    if korean is None:
        return _gone(context)
    t, ko = context.t, context.runtime.catalogs.get(guidance.KOREAN)
    context.detach()
    context.reply(render.plain(t.gettext(
        "Here it is in Korean. You can show the next message to your employer or an official."
    )))
    text, sources = sections.korean_card(korean)
    # Translators: above the official web pages a card for an employer rests on.
    card = render.korean_card(korean.title, text, ko.gettext("Based on:"), sources)
    markup = keyboards.article(korean.slug, korean.category, t, korean=False)
    context.reply(card, markup)


@with_member
async def rate_article(update: Update, context: SathiContext) -> None:
    """👍 / 👎 under an article: counted per language and week, with nothing about the worker."""
    action, slug = _arg(update)
    article = guidance.article_in(context.kb, slug or "", context.locale)
    if article is None:
        return _gone(context)
    await gaps.record_feedback(context.session, lang=article.lang, slug=article.slug,
                               helpful=action == keyboards.HELPFUL)
    context.reply(render.plain(context.t.gettext(
        "Thank you. Your answer helps the union improve this guide."
    )))
