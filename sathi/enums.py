"""The fixed vocabularies of Sathi, stored as their string values (no database enum types)."""

from enum import StrEnum


class Role(StrEnum):
    """What a staff account may do: admins everything, editors articles, volunteers cases.

    A reviewer is an editor who also approves revisions in the languages of their account.
    """

    admin = "admin"
    editor = "editor"
    reviewer = "reviewer"
    volunteer = "volunteer"


class CaseStatus(StrEnum):
    """Where a case stands: new -> assigned -> waiting_for_worker -> resolved -> closed."""

    new = "new"
    assigned = "assigned"
    waiting_for_worker = "waiting_for_worker"
    resolved = "resolved"
    closed = "closed"


# A worker's further messages join a case in one of these; closed cases stay closed.
OPEN_STATUSES = (
    CaseStatus.new, CaseStatus.assigned, CaseStatus.waiting_for_worker, CaseStatus.resolved,
)


class Urgency(StrEnum):
    """Urgent cases come first in every list and are announced to volunteers."""

    normal = "normal"
    urgent = "urgent"


class MessageDirection(StrEnum):
    """Whether a case message came from the worker or went to the worker."""

    inbound = "inbound"
    outbound = "outbound"


class MessageKind(StrEnum):
    """What a case message carries: text, a Telegram file (by file id only) or an article."""

    text = "text"
    voice = "voice"
    audio = "audio"
    photo = "photo"
    video = "video"
    document = "document"
    article = "article"


# Kinds whose content is a Telegram file id, delivered to volunteers on request, never downloaded.
FILE_KINDS = (
    MessageKind.voice,
    MessageKind.audio,
    MessageKind.photo,
    MessageKind.video,
    MessageKind.document,
)


class CaseEventKind(StrEnum):
    """One entry of a case's audit trail; events never carry message text."""

    opened = "opened"
    worker_message = "worker_message"
    urgency_changed = "urgency_changed"
    claimed = "claimed"
    assigned = "assigned"
    unassigned = "unassigned"
    replied = "replied"
    article_sent = "article_sent"
    note_added = "note_added"
    status_changed = "status_changed"
    reopened = "reopened"
    closed_by_worker = "closed_by_worker"
    rated = "rated"
    file_requested = "file_requested"
    delivery_failed = "delivery_failed"
    delivery_uncertain = "delivery_uncertain"
    worker_blocked = "worker_blocked"
    delivery_resent = "delivery_resent"
    erased_by_worker = "erased_by_worker"
    erased_by_retention = "erased_by_retention"
    delivery_dismissed = "delivery_dismissed"


class OutboxKind(StrEnum):
    """What the bot's delivery loop must send for an outbox item."""

    text = "text"
    article = "article"
    file = "file"
    notice = "notice"
    resolved = "resolved"  # asks the worker whether their resolved case is solved
    verify = "verify"  # the code that proves a volunteer's Telegram chat


class OutboxStatus(StrEnum):
    """Delivery state: pending -> sending -> delivered, or retry, failed, uncertain, blocked."""

    pending = "pending"
    sending = "sending"
    delivered = "delivered"
    failed = "failed"
    uncertain = "uncertain"
    blocked = "blocked"
    dismissed = "dismissed"


# States a volunteer must look at: the message may not have reached the worker.
DELIVERY_PROBLEMS = (OutboxStatus.failed, OutboxStatus.uncertain, OutboxStatus.blocked)


class RevisionState(StrEnum):
    """An article revision: draft -> in_review -> approved -> published (or sent back).

    A published revision becomes `superseded` when a newer one is published, `unpublished`
    when an editor takes the language off the bot.
    """

    draft = "draft"
    in_review = "in_review"
    sent_back = "sent_back"
    approved = "approved"
    published = "published"
    superseded = "superseded"
    unpublished = "unpublished"


class ChangeKind(StrEnum):
    """How much an English revision changes: substantive marks every translation stale."""

    substantive = "substantive"
    minor = "minor"


class ArticleEventKind(StrEnum):
    """One entry of an article's history (who did what to which revision, and when)."""

    created = "created"
    submitted = "submitted"
    approved = "approved"
    sent_back = "sent_back"
    published = "published"
    unpublished = "unpublished"
    restored = "restored"
    imported = "imported"
    marked_stale = "marked_stale"
