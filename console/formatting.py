"""How the console shows times, durations and the case vocabularies in the reader's language."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta

from sathi.enums import CaseStatus, MessageKind, OutboxStatus, RevisionState
from sathi.i18n import N_, Translator

# Volunteers work in Korea: times are shown in Korean time, as the workers live them.
KOREA = ZoneInfo("Asia/Seoul")

STATUS = {
    CaseStatus.new: N_("New"),
    CaseStatus.assigned: N_("Assigned"),
    CaseStatus.waiting_for_worker: N_("Waiting for the worker"),
    CaseStatus.resolved: N_("Resolved"),
    CaseStatus.closed: N_("Closed"),
}

DELIVERY = {
    OutboxStatus.pending: N_("Waiting to be sent"),
    OutboxStatus.sending: N_("Waiting to be sent"),
    OutboxStatus.delivered: N_("Sent"),
    OutboxStatus.failed: N_("Not sent"),
    OutboxStatus.uncertain: N_("May not have arrived"),
    OutboxStatus.blocked: N_("The worker has blocked the bot"),
    OutboxStatus.dismissed: N_("Left as it is"),
}

# The kinds of count in the "asked and not found" report (sathi/services/gaps.py); a kind not
# named here is shown by its code.
GAP_KIND = {
    "no_match": N_("Searches that found nothing"),
    "unhelpful": N_("👎 Not helpful"),
    "helpful": N_("👍 Helpful"),
    "left": N_("Left without opening anything else"),
}

FILES = {
    MessageKind.voice: N_("Voice message"),
    MessageKind.audio: N_("Audio file"),
    MessageKind.photo: N_("Photo"),
    MessageKind.video: N_("Video"),
    MessageKind.document: N_("Document"),
}


def when(translator: Translator, moment: datetime | None) -> str:
    """A date and time in Korean time, in the reader's format."""
    if moment is None:
        return ""
    return format_datetime(moment, "short", tzinfo=KOREA, locale=translator.babel_locale)


def duration(translator: Translator, delta: timedelta) -> str:
    """A rounded duration ("3 hours") in the reader's language."""
    return format_timedelta(max(delta, timedelta(0)), threshold=1.5, format="short",
                            locale=translator.babel_locale)

REVISION = {
    RevisionState.draft: N_("Draft"),
    RevisionState.in_review: N_("In review"),
    RevisionState.sent_back: N_("Sent back"),
    RevisionState.approved: N_("Approved"),
    RevisionState.published: N_("Published"),
    RevisionState.superseded: N_("Replaced by a newer revision"),
    RevisionState.unpublished: N_("Taken off the bot"),
}
