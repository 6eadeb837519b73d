"""ORM classes: what Sathi stores. Worker identities are pseudonyms; their words are encrypted."""

import json
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from sathi.crypto import EncryptedInt, EncryptedText
from sathi.db import Base, UTCDateTime, utcnow
from sathi.enums import (
    DELIVERY_PROBLEMS,
    ArticleEventKind,
    CaseEventKind,
    CaseStatus,
    ChangeKind,
    MessageDirection,
    MessageKind,
    OutboxKind,
    OutboxStatus,
    RevisionState,
    Role,
    Urgency,
)


class EnumString(TypeDecorator[StrEnum]):
    """A StrEnum stored as its plain value in a VARCHAR, so a new member needs no migration."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int = 24) -> None:
        super().__init__(length=length)
        self.enum = enum
        self.length = length

    def process_bind_param(self, value: StrEnum | str | None, dialect: object) -> str | None:
        """Refuses values outside the enum before they reach the database."""
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: object) -> StrEnum | None:
        """Returns the enum member for a stored value."""
        return None if value is None else self.enum(value)


class Member(Base):
    """A worker who wrote to the bot: known only by a keyed hash of the Telegram user id."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_key: Mapped[str] = mapped_column(String(64), unique=True)
    chat_id: Mapped[str] = mapped_column(EncryptedText)
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the worker agreed to talk to a volunteer: their next message opens a case.
    pending_case_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pending_case_topic: Mapped[str | None] = mapped_column(String(64))
    # Set when the bot asked a worker without a language to choose one: it asks only once.
    language_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A voice note sent outside a case, offered to a volunteer: it opens the case on consent.
    pending_voice_file_id: Mapped[str | None] = mapped_column(EncryptedText)


class Article(Base):
    """One article in one language, as imported from knowledge/ (the bot serves these rows)."""

    __tablename__ = "article"
    __table_args__ = (UniqueConstraint("slug", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), index=True)
    lang: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[list[str]] = mapped_column(JSON)
    sources: Mapped[list[str]] = mapped_column(JSON)
    # Unused since emergency phrases moved to knowledge/triage/; kept to avoid a migration.
    alert_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_reviewed: Mapped[date] = mapped_column(Date)
    review: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The published revision this row shows (the row is that revision's copy for the bot).
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_revision.id", ondelete="SET NULL")
    )
    # A translation whose English source changed substantively since it was translated.
    stale: Mapped[bool] = mapped_column(Boolean, default=False)


class Staff(Base):
    """A union volunteer, editor or admin with an account on the admin API."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(EnumString(Role, 16))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    public_name: Mapped[str | None] = mapped_column(String(64))
    # Encrypted like workers' chat ids; files go there only once proven (services/chat_proof).
    telegram_chat_id: Mapped[int | None] = mapped_column(EncryptedInt)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The web console's language for this account (None: the default language).
    interface_lang: Mapped[str | None] = mapped_column(String(16))


class StaffToken(Base):
    """A bearer token, known to the database only by its SHA-256."""

    __tablename__ = "staff_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set on web console sessions only: they also end after this long without a request.
    idle_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship(lazy="joined")


class Case(Base):
    """A worker's request for a volunteer; its contents live in encrypted messages and notes."""

    __tablename__ = "case"
    # The list's order within one urgency is (created_at, id) (sathi/services/case_list.py):
    # these serve it in index order, for every case and within one language and status or one
    # status, and cover what the list filters on (no sort, no row read to count).
    __table_args__ = (
        Index("ix_case_queue", "urgency", "created_at", "id"),
        Index("ix_case_status_queue", "status", "urgency", "created_at", "id"),
        Index("ix_case_lang_status_queue", "lang", "status", "urgency", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(8), unique=True)
    # NULL once the worker erased their data: the case stays as an empty "erased" entry.
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str | None] = mapped_column(String(64))
    urgency: Mapped[Urgency] = mapped_column(EnumString(Urgency, 16), default=Urgency.normal)
    status: Mapped[CaseStatus] = mapped_column(EnumString(CaseStatus, 24), default=CaseStatus.new)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_worker_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker_blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(EncryptedText)
    # Optimistic locking: SQLite ignores FOR UPDATE, so two volunteers changing a case at once
    # would silently overwrite each other; with a version the second flush fails instead.
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}

    member: Mapped[Member | None] = relationship(lazy="raise")
    assignee: Mapped[Staff | None] = relationship(lazy="raise")
    messages: Mapped[list["CaseMessage"]] = relationship(
        back_populates="case", order_by="CaseMessage.id", passive_deletes=True, lazy="raise"
    )
    notes: Mapped[list["CaseNote"]] = relationship(
        order_by="CaseNote.id", passive_deletes=True, lazy="raise"
    )
    events: Mapped[list["CaseEvent"]] = relationship(
        order_by="CaseEvent.id", passive_deletes=True, lazy="raise"
    )

    @property
    def undelivered_message_ids(self) -> list[int]:
        """Messages to the worker that failed, may not have arrived, or hit a block."""
        return [
            message.id for message in self.messages
            if message.delivery is not None and message.delivery.status in DELIVERY_PROBLEMS
        ]


class CaseMessage(Base):
    """One message of a case thread, from or to the worker; text and file id are encrypted."""

    __tablename__ = "case_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    direction: Mapped[MessageDirection] = mapped_column(EnumString(MessageDirection, 16))
    kind: Mapped[MessageKind] = mapped_column(EnumString(MessageKind, 16))
    text: Mapped[str | None] = mapped_column(EncryptedText)
    file_id: Mapped[str | None] = mapped_column(EncryptedText)
    article_slug: Mapped[str | None] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="messages", lazy="raise")
    delivery: Mapped["OutboxItem | None"] = relationship(
        primaryjoin="CaseMessage.id == OutboxItem.message_id",
        foreign_keys="OutboxItem.message_id",
        uselist=False,
        viewonly=True,
        lazy="raise",
    )

    @property
    def has_file(self) -> bool:
        """True when the message carries a Telegram file a volunteer can ask for."""
        return self.file_id is not None


class CaseNote(Base):
    """An internal note by a volunteer: never sent to the worker, encrypted all the same."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseEvent(Base):
    """The audit trail: who changed what on a case, and when (never any message text)."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CaseEventKind] = mapped_column(EnumString(CaseEventKind, 32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    detail: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CannedReply(Base):
    """A prepared answer in one language; union boilerplate, so stored in clear."""

    __tablename__ = "canned_reply"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lang: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxItem(Base):
    """A message the bot must send, written in the same transaction as the change that made it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[OutboxKind] = mapped_column(EnumString(OutboxKind, 16))
    status: Mapped[OutboxStatus] = mapped_column(
        EnumString(OutboxStatus, 16), default=OutboxStatus.pending
    )
    chat_id: Mapped[str] = mapped_column(EncryptedText)
    # The vault's pseudonym of chat_id: the same for one chat, so its items go out in order.
    chat_key: Mapped[str | None] = mapped_column(String(64), index=True)
    payload_text: Mapped[str] = mapped_column("payload", EncryptedText)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_message.id", ondelete="CASCADE"), unique=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def payload(self) -> dict[str, Any]:
        """What to send, as the structured item the bot renders ({slug, lang}, {text}, ...)."""
        return json.loads(self.payload_text)


class InboundUpdate(Base):
    """A Telegram update stored before it is acknowledged, so none is lost or handled twice."""

    __tablename__ = "inbound_update"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(EncryptedText)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class ArticleRevision(Base):
    """One version of one language of an article, from draft to published (or sent back)."""

    __tablename__ = "article_revision"
    __table_args__ = (
        UniqueConstraint("slug", "lang", "number"),
        Index("ix_article_revision_slug_lang", "slug", "lang"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[RevisionState] = mapped_column(EnumString(RevisionState, 16), index=True)
    category: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[list[str]] = mapped_column(JSON)
    sources: Mapped[list[str]] = mapped_column(JSON)
    last_reviewed: Mapped[date] = mapped_column(Date)
    review: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    change: Mapped[ChangeKind] = mapped_column(
        EnumString(ChangeKind, 16), default=ChangeKind.substantive
    )
    # For a translation: the English revision it was translated from.
    source_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_revision.id", ondelete="SET NULL")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(Text)
    review_by: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ArticleEvent(Base):
    """An article's history: who did what to which revision, when, and why (a comment)."""

    __tablename__ = "article_event"
    __table_args__ = (Index("ix_article_event_slug_lang", "slug", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16))
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_revision.id", ondelete="SET NULL")
    )
    kind: Mapped[ArticleEventKind] = mapped_column(EnumString(ArticleEventKind, 24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    revision: Mapped[ArticleRevision | None] = relationship(lazy="joined")
    actor: Mapped[Staff | None] = relationship(lazy="joined")

    @property
    def revision_number(self) -> int | None:
        """The number of the revision the event is about (None for an article-wide event)."""
        return self.revision.number if self.revision is not None else None

    @property
    def actor_name(self) -> str | None:
        """Who did it (None for the file import and for deleted accounts)."""
        return self.actor.username if self.actor is not None else None


class Fact(Base):
    """A named number or phone number that articles refer to as {{fact:name}}."""

    __tablename__ = "fact"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(300))

    values: Mapped[list["FactValue"]] = relationship(
        order_by="FactValue.valid_from", passive_deletes=True, lazy="selectin"
    )


class FactValue(Base):
    """A fact's value from a date on (until the next value, or its own end), with its source."""

    __tablename__ = "fact_value"
    __table_args__ = (UniqueConstraint("fact_name", "valid_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fact_name: Mapped[str] = mapped_column(ForeignKey("fact.name", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuideGap(Base):
    """How often workers asked and found nothing, or found an article unhelpful: counts only.

    Per language and ISO week ("2026-W49"); `slug` is empty for searches that matched nothing.
    No worker identity is stored.
    """

    __tablename__ = "guide_gap"
    __table_args__ = (UniqueConstraint("week", "lang", "kind", "slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[str] = mapped_column(String(8))
    lang: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(64), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


class MissedQuery(Base):
    """A search that matched nothing, with digits, names, phone numbers and ids removed.

    Kept 30 days at most (removed by the bot's housekeeping); `text_hash` counts repeats.
    """

    __tablename__ = "missed_query"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lang: Mapped[str] = mapped_column(String(16))
    week: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

import sathi.models_privacy  # noqa: E402, F401 - the privacy tables
import sathi.sealing  # noqa: E402, F401 - registers which key encrypts which column
