"""What an outbox item looks like in Telegram.

To the worker, in the case's language: a volunteer's reply under a header saying it comes from
a union volunteer (with their public name only if they set one), or an article shown like any
article view. To the volunteers' group, in their language (SATHI_VOLUNTEER_LANGUAGE, English by
default): a notice with the case's reference, language, topic and urgency, never the worker's
words. To a volunteer's own
chat: a worker's file, sent again by its Telegram file id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError
from telegram import InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode

from bot import guidance, keyboards, render
from knowledge.search import KnowledgeBase
from sathi.enums import OutboxKind
from sathi.i18n import Catalogs, Translator

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_FILE_METHODS = {
    "voice": "send_voice", "audio": "send_audio", "photo": "send_photo", "video": "send_video",
    "document": "send_document",
}


class Undeliverable(Exception):
    """The item cannot be shown as it is (its article is gone, its kind is unknown)."""


@dataclass(frozen=True)
class Send:
    """One Bot API call: the Bot method's name and its arguments besides chat_id."""

    method: str
    kwargs: dict[str, Any] = field(default_factory=dict)


def render_item(
    kind: OutboxKind, payload: dict[str, Any], *, lang: str | None, catalogs: Catalogs,
    kb: KnowledgeBase, volunteer_lang: str = guidance.SOURCE_LANG,
) -> list[Send]:
    """The calls that deliver one outbox item, in order (notices in volunteer_lang)."""
    if kind == OutboxKind.text:
        return volunteer_reply(payload, catalogs.get(lang))
    if kind == OutboxKind.article:
        return volunteer_article(payload, catalogs.get(payload.get("lang") or lang), kb)
    if kind == OutboxKind.resolved:
        return resolved_question(payload, catalogs.get(lang))
    if kind == OutboxKind.notice:
        return [Send("send_message", {
            "text": notice_text(payload, kb, catalogs.get(volunteer_lang)),
        })]
    if kind == OutboxKind.file:
        return [file_for_volunteer(payload)]
    if kind == OutboxKind.verify:
        return [Send("send_message", {"text": (
            f"Sathi: the code for the admin API account {payload.get('username', '')} is "
            f"{payload.get('code', '')}. Enter it in Sathi to receive workers' files in this "
            "chat. If you did not ask for it, ignore this message.")})]
    raise Undeliverable(f"unknown outbox kind {kind}")


def _messages(chunks: list[str], markup: InlineKeyboardMarkup | None = None) -> list[Send]:
    last = len(chunks) - 1
    return [
        Send("send_message", {
            "text": chunk, "parse_mode": ParseMode.MARKDOWN_V2,
            "link_preview_options": _NO_PREVIEW, "reply_markup": markup if index == last else None,
        })
        for index, chunk in enumerate(chunks)
    ]


def volunteer_reply(payload: dict[str, Any], t: Translator) -> list[Send]:
    """The reply under a header in the worker's language, and how to answer."""
    reference, name = payload.get("reference", ""), payload.get("signature")
    if name:
        # Translators: {name} is the volunteer's public name, {reference} the case number.
        header = t.gettext("Reply from {name}, a union volunteer (case {reference}):",
                           name=name, reference=reference)
    else:
        # Translators: {reference} is the case number, such as K7MP2QX.
        header = t.gettext("Reply from a union volunteer (case {reference}):",
                           reference=reference)
    doc = render.Doc().add("💬 ").add(header, "bold").add("\n\n").add(str(payload["text"]))
    doc.add("\n\n").add(t.gettext("To answer, just write here."), "italic")
    return _messages(doc.messages())


def resolved_question(payload: dict[str, Any], t: Translator) -> list[Send]:
    """A volunteer resolved the case: the worker says solved (close and rate) or not (reopen)."""
    reference, case_id = payload.get("reference", ""), int(payload.get("case_id", 0))
    text = render.lines(
        # Translators: {reference} is the case number, such as K7MP2QX.
        t.gettext("A union volunteer marked your case {reference} as resolved.",
                  reference=reference),
        t.gettext("Is your problem solved?"),
    )
    return _messages([text], keyboards.resolved(case_id, t))


def volunteer_article(payload: dict[str, Any], t: Translator, kb: KnowledgeBase) -> list[Send]:
    """The article a volunteer chose, shown as the worker would see it in the menu."""
    article = guidance.article_in(kb, str(payload.get("slug")), t.locale)
    if article is None:
        raise Undeliverable(f"no article {payload.get('slug')!r}")
    # Translators: {reference} is the case number, such as K7MP2QX.
    intro = t.gettext("A union volunteer sent you this topic (case {reference}):",
                      reference=payload.get("reference", ""))
    note = render.article_note(article, t, source_lang=guidance.SOURCE_LANG)
    korean = t.locale != guidance.KOREAN and guidance.korean_version(kb, article.slug) is not None
    markup = keyboards.article(article.slug, article.category, t, korean=korean)
    return _messages([render.plain(f"💬 {intro}")]) + _messages(
        render.article(article, note=note), markup
    )


def _language_name(code: str, in_lang: str) -> str:
    try:
        return Locale.parse(code).get_display_name(in_lang) or code
    except (UnknownLocaleError, ValueError):
        return code


def notice_text(payload: dict[str, Any], kb: KnowledgeBase, t: Translator) -> str:
    """A new or urgent case for the volunteers' group, in their language: labels only."""
    urgent = payload.get("urgency") == "urgent"
    reference = payload.get("reference", "")
    lang, topic = str(payload.get("lang", "")), payload.get("topic")
    article = (kb.get(topic, t.locale) or kb.get(topic, guidance.SOURCE_LANG)) if topic else None
    if article is not None:
        topic_text = f"{article.title} ({topic})"
    else:
        topic_text = topic or t.gettext("not known yet")
    if urgent:
        # Translators: to the volunteers' group; {reference} is a case number such as K7MP2QX.
        title = "🚨 " + t.gettext("Urgent case {reference}", reference=reference)
    else:
        # Translators: to the volunteers' group; {reference} is a case number such as K7MP2QX.
        title = "🆕 " + t.gettext("New case {reference}", reference=reference)
    return "\n".join([
        title,
        # Translators: {language} is a language's name, {code} its code such as ne.
        t.gettext("Language: {language} ({code})", language=_language_name(lang, t.locale),
                  code=lang),
        # Translators: {topic} is the title of a guide article, or "not known yet".
        t.gettext("Topic: {topic}", topic=topic_text),
        t.gettext("Urgency: {urgency}",
                  urgency=t.pgettext("urgency", "urgent") if urgent
                  else t.pgettext("urgency", "normal")),
    ])


def file_for_volunteer(payload: dict[str, Any]) -> Send:
    """A worker's file, by its Telegram file id, to the volunteer who asked for it."""
    media = str(payload.get("media"))
    method = _FILE_METHODS.get(media)
    if method is None:
        raise Undeliverable(f"unknown media {media!r}")
    caption = f"Case {payload.get('reference', '')}: {media} from the worker"
    return Send(method, {media: payload["file_id"], "caption": caption})
