"""Canned replies per language, for volunteers (their languages) and admins."""

from fastapi import APIRouter, status

from admin_api.deps import CurrentVolunteer, SessionDep
from admin_api.errors import ERROR_RESPONSES
from admin_api.schemas import (
    CannedReplyCreate,
    CannedReplyRead,
    CannedReplyUpdate,
    LanguageCode,
    PathId,
)
from sathi.models import CannedReply
from sathi.services import canned

router = APIRouter(prefix="/canned-replies", tags=["canned replies"], responses=ERROR_RESPONSES)


@router.get("", response_model=list[CannedReplyRead])
async def list_canned_replies(
    session: SessionDep, staff: CurrentVolunteer, lang: LanguageCode | None = None
) -> list[CannedReply]:
    """Canned replies in the caller's languages (or in one of them)."""
    return await canned.list_canned_replies(session, staff=staff, lang=lang)


@router.post("", response_model=CannedReplyRead, status_code=201)
async def create_canned_reply(
    session: SessionDep, staff: CurrentVolunteer, body: CannedReplyCreate
) -> CannedReply:
    """Adds a canned reply in a language the caller handles."""
    return await canned.create_canned_reply(session, staff=staff, **body.model_dump())


@router.get("/{reply_id}", response_model=CannedReplyRead)
async def read_canned_reply(
    session: SessionDep, staff: CurrentVolunteer, reply_id: PathId
) -> CannedReply:
    """One canned reply."""
    return await canned.get_canned_reply(session, staff=staff, reply_id=reply_id)


@router.patch("/{reply_id}", response_model=CannedReplyRead)
async def update_canned_reply(
    session: SessionDep, staff: CurrentVolunteer, reply_id: PathId, body: CannedReplyUpdate
) -> CannedReply:
    """Changes a canned reply's title or body."""
    return await canned.update_canned_reply(
        session, staff=staff, reply_id=reply_id, **body.model_dump(exclude_none=True)
    )


@router.delete("/{reply_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_canned_reply(
    session: SessionDep, staff: CurrentVolunteer, reply_id: PathId
) -> None:
    """Removes a canned reply."""
    await canned.delete_canned_reply(session, staff=staff, reply_id=reply_id)
