"""The fixed vocabularies of Sathi, stored as their string values (no database enum types)."""

from enum import StrEnum


class Role(StrEnum):
    """What a staff account may do: admins everything, editors articles, volunteers cases."""

    admin = "admin"
    editor = "editor"
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
