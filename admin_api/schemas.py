"""Request and response bodies: <Thing>Create/Update/Read.

Every input is bounded and checked here, so bad input is a 422 naming the field and never reaches
the database as something it would choke on (NUL characters, 64-bit ids, unpaired surrogates).
"""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from sathi.enums import (
    CaseEventKind,
    CaseStatus,
    MessageDirection,
    MessageKind,
    OutboxStatus,
    Role,
    Urgency,
)

MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


def _plain(value: str) -> str:
    """Refuses what no database column takes: NUL characters and unpaired surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _filled(value: str) -> str:
    value = _plain(value)
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
# A case's id, or its reference as a worker or the group's notice gives it (K7MP2QX).
CaseKey = Annotated[
    str, Path(pattern=r"^([1-9][0-9]{0,9}|[A-Za-z0-9]{7})$", examples=["42", "K7MP2QX"])
]
MessageText = Annotated[str, Field(min_length=1, max_length=4096), AfterValidator(_filled)]
NoteText = Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_filled)]
Title = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_filled)]
PublicName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_filled)]
Password = Annotated[str, Field(min_length=10, max_length=256), AfterValidator(_plain)]
Username = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$")]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$", examples=["ne"])]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", examples=["unpaid-wages"])]
ChatId = Annotated[int, Field(ge=-(10**15), le=10**15)]
Languages = Annotated[list[LanguageCode], Field(max_length=10)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---------------------------------------------------------------- errors


class ErrorField(BaseModel):
    """One invalid input: where it was (body, query, path, header) and what is wrong."""

    location: str
    field: str
    message: str


class ErrorBody(BaseModel):
    """A machine-readable code and a sentence for people."""

    code: str
    message: str
    fields: list[ErrorField] = []


class ErrorRead(BaseModel):
    """The shape of every error the API returns."""

    error: ErrorBody


# ---------------------------------------------------------------- auth and staff


class TokenRead(BaseModel):
    """A bearer token (shown once) and when it expires."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    expires_at: datetime


class StaffCreate(_In):
    """A new account, made by an admin."""

    username: Username
    password: Password
    role: Role
    languages: Languages = []
    public_name: PublicName | None = None
    telegram_chat_id: ChatId | None = None


class StaffUpdate(_In):
    """Changes an admin makes to an account; fields left out stay as they are."""

    role: Role | None = None
    languages: Languages | None = None
    is_active: bool | None = None
    public_name: PublicName | None = None
    telegram_chat_id: ChatId | None = None


class ProfileUpdate(_In):
    """What staff set for themselves: the name workers may see, their own Telegram chat."""

    public_name: PublicName | None = None
    telegram_chat_id: ChatId | None = None


class PasswordReset(_In):
    """A new password set by an admin."""

    password: Password


class PasswordChange(_In):
    """A staff member's own password change."""

    current_password: Annotated[str, Field(max_length=256), AfterValidator(_plain)]
    new_password: Password


class StaffRead(_Out):
    """An account, without its password hash."""

    id: int
    username: str
    role: Role
    languages: list[str]
    is_active: bool
    public_name: str | None
    telegram_chat_id: int | None
    created_at: datetime
    last_login_at: datetime | None


# ---------------------------------------------------------------- cases


class CaseListQuery(BaseModel):
    """Filters and paging for the case list (repeat status for several).

    Closed cases are listed only when asked for by status, or found by reference.
    """

    status: list[CaseStatus] = []
    lang: LanguageCode | None = None
    urgency: Urgency | None = None
    topic: Slug | None = None
    assignee: Literal["me", "none"] | Id | None = None
    reference: Annotated[str, Field(pattern=r"^[A-Za-z0-9 -]{1,16}$")] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(
        ge=0, le=1_000_000,
        description="cases to skip; exact, but its cost grows with the distance from either end "
        "of the list: page through the middle with cursor",
    )] = 0
    cursor: str | None = Field(
        None, min_length=1, max_length=300, pattern=r"^[A-Za-z0-9_-]+$",
        description="keyset paging: the next_cursor of the previous page, unchanged and with "
        "the same filters; the page continues right after that page's last case, whatever "
        "was added meanwhile. Not with offset. A cursor this list did not give out is a 422",
    )


class DeliveryRead(_Out):
    """How far a message to the worker got."""

    status: OutboxStatus
    attempts: int
    last_error: str | None
    updated_at: datetime
    delivered_at: datetime | None


class CaseMessageRead(_Out):
    """One message of the thread; files are fetched with the file action, never shown here."""

    id: int
    direction: MessageDirection
    kind: MessageKind
    text: str | None
    has_file: bool
    article_slug: str | None
    author_id: int | None
    created_at: datetime
    delivery: DeliveryRead | None


class CaseNoteRead(_Out):
    """An internal note."""

    id: int
    author_id: int | None
    text: str
    created_at: datetime


class CaseEventRead(_Out):
    """One audit trail entry."""

    id: int
    kind: CaseEventKind
    actor_id: int | None
    detail: str | None
    created_at: datetime


class CaseRead(_Out):
    """A case as listed: no contents."""

    id: int
    reference: str
    status: CaseStatus
    urgency: Urgency
    lang: str
    topic: str | None
    assignee_id: int | None
    created_at: datetime
    updated_at: datetime
    last_worker_message_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    worker_blocked_at: datetime | None
    erased_at: datetime | None = Field(
        None, description="set when the worker erased their data: the case has no content left"
    )
    rating: int | None


class CaseDetailRead(CaseRead):
    """A case with its whole thread, notes, audit trail and delivery problems."""

    rating_comment: str | None
    messages: list[CaseMessageRead]
    notes: list[CaseNoteRead]
    events: list[CaseEventRead]
    undelivered_message_ids: list[int]


class CasePageRead(BaseModel):
    """One page of cases, in the list's order (urgent first, then oldest first)."""

    items: list[CaseRead]
    total: int | None = Field(
        description="how many match the filters; null on cursor pages (counting every match "
        "is what grows with the table, so only offset pages pay for it)"
    )
    limit: int
    offset: int | None = Field(description="the offset asked for; null on cursor pages")
    next_cursor: str | None = Field(
        description="opaque: pass it as cursor for the next page; null on the last page"
    )


class ReplyCreate(_In):
    """A reply to the worker: own text, or the id of a canned reply in the case's language."""

    text: MessageText | None = None
    canned_reply_id: Id | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "ReplyCreate":
        if (self.text is None) == (self.canned_reply_id is None):
            raise ValueError("give either text or canned_reply_id")
        return self


class NoteCreate(_In):
    """An internal note."""

    text: NoteText


class AssignmentCreate(_In):
    """Who takes the case."""

    assignee_id: Id


class StatusChange(_In):
    """The status to move the case to."""

    status: CaseStatus


class UrgencyChange(_In):
    """The urgency to set."""

    urgency: Urgency


class ArticleSend(_In):
    """An article to send, by slug, in the worker's language."""

    slug: Slug


# ---------------------------------------------------------------- canned replies


class CannedReplyCreate(_In):
    """A new canned reply."""

    lang: LanguageCode
    title: Title
    body: MessageText


class CannedReplyUpdate(_In):
    """Changes to a canned reply; fields left out stay as they are."""

    title: Title | None = None
    body: MessageText | None = None


class CannedReplyRead(_Out):
    """A canned reply."""

    id: int
    lang: str
    title: str
    body: str
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
