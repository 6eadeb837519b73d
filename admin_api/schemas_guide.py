"""Request and response bodies of the guide: articles, revisions, history, facts, gaps."""

from datetime import date, datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BaseModel, Field

from admin_api.schemas import _filled, _In, _Out, _plain
from sathi.enums import ArticleEventKind, ChangeKind, RevisionState

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
PathSlug = Annotated[str, Path(pattern=SLUG_PATTERN, examples=["unpaid-wages"],
                               description="a-z, 0-9 and '-' only: never '.', '/' or '..'")]
PathLang = Annotated[str, Path(pattern=r"^[a-z]{2,3}$", examples=["ne"])]
PathNumber = Annotated[int, Path(ge=1, le=1_000_000)]
FactName = Annotated[str, Path(pattern=r"^[a-z][a-z_]{1,63}$", examples=["minimum_wage_hourly"])]
Line = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_filled)]
Url = Annotated[str, Field(min_length=8, max_length=500, pattern=r"^https?://\S+$")]
Comment = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_filled)]
Body = Annotated[str, Field(min_length=1, max_length=6000), AfterValidator(_filled)]


class RevisionCreate(_In):
    """A new draft of one language. `change` says how much an English change matters."""

    title: Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_filled)]
    keywords: Annotated[list[Line], Field(min_length=1, max_length=300)]
    sources: Annotated[list[Url], Field(min_length=1, max_length=50)]
    body: Body
    change: ChangeKind = Field(
        ChangeKind.substantive,
        description="English only: substantive (facts, numbers, steps) marks every translation "
                    "stale when published; minor (typo, wording) marks nothing stale",
    )


class ReviewNote(_In):
    """An optional comment for the history."""

    comment: Annotated[str, Field(max_length=2000), AfterValidator(_plain)] | None = None


class SendBack(_In):
    """What the author must change."""

    comment: Comment


class RevisionRead(_Out):
    """One revision of one language."""

    id: int
    slug: str
    lang: str
    number: int
    state: RevisionState
    change: ChangeKind
    category: str
    title: str
    keywords: list[str]
    sources: list[str]
    body: str
    last_reviewed: date
    review: str
    source_revision_id: int | None
    author_id: int | None
    approved_by_id: int | None
    comment: str | None
    review_by: date | None
    created_at: datetime
    approved_at: datetime | None
    published_at: datetime | None


class LanguageStateRead(_Out):
    """Where one language of an article stands."""

    slug: str
    lang: str
    category: str
    title: str
    published_number: int | None
    latest_number: int
    latest_state: RevisionState
    stale: bool
    review_by: date | None


class LanguageDetailRead(LanguageStateRead):
    """One language with its published and newest revisions."""

    published: RevisionRead | None
    latest: RevisionRead


class ArticleRead(BaseModel):
    """An article in all its languages."""

    slug: str
    category: str
    languages: list[LanguageDetailRead]


class ArticleEventRead(_Out):
    """One step of an article's history."""

    id: int
    lang: str
    revision_number: int | None
    kind: ArticleEventKind
    actor_id: int | None
    actor_name: str | None
    comment: str | None
    created_at: datetime


class DiffRead(BaseModel):
    """A unified diff between two revisions' files."""

    slug: str
    lang: str
    old: int
    new: int
    diff: str


class FactValueCreate(_In):
    """A new value of a fact, from a date on, with the URL it comes from."""

    value: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_filled)]
    valid_from: date
    valid_until: date | None = None
    source: Url


class FactValueRead(_Out):
    """One dated value of a fact."""

    value: str
    valid_from: date
    valid_until: date | None
    source: str
    created_by_id: int | None
    created_at: datetime


class FactRead(_Out):
    """A fact, its values, and what articles show today."""

    name: str
    kind: str
    description: str
    values: list[FactValueRead]
    current: str | None = None
    expired: bool = False
    ends: date | None = None


class DueFactRead(_Out):
    """A fact whose value ends soon (or has ended) with no newer value entered."""

    name: str
    description: str
    value: str
    ends: date
    expired: bool


class DueRead(BaseModel):
    """What editors must look at: facts ending (ended ones first), articles due for review."""

    facts: list[DueFactRead]
    articles: list[LanguageStateRead]


class GapRead(_Out):
    """How often, in one ISO week and language, workers found nothing or an article unhelpful."""

    week: str
    lang: str
    kind: str
    slug: str
    count: int


class MissedQueryRead(_Out):
    """A search that matched nothing (digits, names, numbers and ids removed), and how often."""

    lang: str
    week: str
    text: str
    count: int


class GapReportRead(BaseModel):
    """The counts, newest week first, and the recent searches that matched nothing."""

    counts: list[GapRead]
    missed_queries: list[MissedQueryRead]
