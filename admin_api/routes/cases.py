"""Cases for volunteers (their languages) and admins (all); editors get 403."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from admin_api.deps import CurrentVolunteer, SessionDep
from admin_api.errors import ERROR_RESPONSES
from admin_api.schemas import (
    MAX_ID,
    ArticleSend,
    AssignmentCreate,
    CaseDetailRead,
    CaseKey,
    CaseListQuery,
    CasePageRead,
    NoteCreate,
    PathId,
    ReplyCreate,
    StatusChange,
    UrgencyChange,
)
from sathi.errors import NotFound
from sathi.models import Case
from sathi.services import deliveries, volunteer_cases
from sathi.services.case_list import CasePage
from sathi.services.references import LENGTH as REFERENCE_LENGTH

router = APIRouter(prefix="/cases", tags=["cases"], responses=ERROR_RESPONSES)


@router.get("", response_model=CasePageRead)
async def list_cases(
    session: SessionDep, staff: CurrentVolunteer, query: Annotated[CaseListQuery, Query()]
) -> CasePage:
    """Cases in the caller's languages, urgent first, then oldest first.

    Page with `cursor` (each page's `next_cursor`), or with `offset` (exact, with `total`,
    but slower the farther the page is from either end of the list).
    """
    return await volunteer_cases.list_cases(session, staff=staff, **query.model_dump())


@router.get("/{case_id}", response_model=CaseDetailRead)
async def read_case(
    request: Request, session: SessionDep, staff: CurrentVolunteer, case_id: CaseKey
) -> Case:
    """A case by id or reference (as in the group's notice), with its whole thread.

    Also its notes, audit trail and each reply's delivery status.
    """
    case = None
    if case_id.isdigit() and int(case_id) <= MAX_ID:
        try:
            case = await volunteer_cases.get_case(session, staff=staff, case_id=int(case_id))
        except NotFound:
            if len(case_id) != REFERENCE_LENGTH:  # a reference may be all digits (2345678)
                raise
    if case is None:
        case = await volunteer_cases.get_case_by_reference(session, staff=staff, reference=case_id)
    request.state.case_id = case.id  # the access log notes the case found, however named
    return case


@router.post("/{case_id}/claim", response_model=CaseDetailRead)
async def claim_case(session: SessionDep, staff: CurrentVolunteer, case_id: PathId) -> Case:
    """The caller takes an unassigned case."""
    return await volunteer_cases.claim_case(session, staff=staff, case_id=case_id)


@router.post("/{case_id}/assign", response_model=CaseDetailRead)
async def assign_case(
    session: SessionDep, staff: CurrentVolunteer, case_id: PathId, body: AssignmentCreate
) -> Case:
    """Hands the case to a volunteer who handles its language, or to an admin."""
    return await volunteer_cases.assign_case(
        session, staff=staff, case_id=case_id, assignee_id=body.assignee_id
    )


@router.post("/{case_id}/unassign", response_model=CaseDetailRead)
async def unassign_case(session: SessionDep, staff: CurrentVolunteer, case_id: PathId) -> Case:
    """The assignee or an admin puts the case back in the queue."""
    return await volunteer_cases.unassign_case(session, staff=staff, case_id=case_id)


@router.post("/{case_id}/replies", response_model=CaseDetailRead, status_code=201)
async def create_reply(
    session: SessionDep, staff: CurrentVolunteer, case_id: PathId, body: ReplyCreate
) -> Case:
    """Replies to the worker (text or a canned reply); the bot delivers it."""
    return await volunteer_cases.reply_to_case(
        session, staff=staff, case_id=case_id, text=body.text,
        canned_reply_id=body.canned_reply_id,
    )


@router.post("/{case_id}/articles", response_model=CaseDetailRead, status_code=201)
async def send_article(
    session: SessionDep, staff: CurrentVolunteer, case_id: PathId, body: ArticleSend
) -> Case:
    """Sends an article to the worker in the case's language."""
    return await volunteer_cases.send_article(
        session, staff=staff, case_id=case_id, slug=body.slug
    )


@router.post("/{case_id}/notes", response_model=CaseDetailRead, status_code=201)
async def create_note(
    session: SessionDep, staff: CurrentVolunteer, case_id: PathId, body: NoteCreate
) -> Case:
    """Adds an internal note; never sent to the worker."""
    return await volunteer_cases.add_note(session, staff=staff, case_id=case_id, text=body.text)


@router.post("/{case_id}/status", response_model=CaseDetailRead)
async def change_status(
    session: SessionDep, staff: CurrentVolunteer, case_id: PathId, body: StatusChange
) -> Case:
    """Moves the case along new -> assigned -> waiting_for_worker -> resolved -> closed."""
    return await volunteer_cases.change_status(
        session, staff=staff, case_id=case_id, status=body.status
    )


@router.post("/{case_id}/reopen", response_model=CaseDetailRead)
async def reopen_case(session: SessionDep, staff: CurrentVolunteer, case_id: PathId) -> Case:
    """Reopens a resolved or closed case."""
    return await volunteer_cases.reopen_case(session, staff=staff, case_id=case_id)


@router.post("/{case_id}/urgency", response_model=CaseDetailRead)
async def set_urgency(
    session: SessionDep, staff: CurrentVolunteer, case_id: PathId, body: UrgencyChange
) -> Case:
    """Marks the case urgent or normal."""
    return await volunteer_cases.set_urgency(
        session, staff=staff, case_id=case_id, urgency=body.urgency
    )


@router.post("/{case_id}/messages/{message_id}/resend", response_model=CaseDetailRead)
async def resend_message(
    session: SessionDep, staff: CurrentVolunteer, case_id: PathId, message_id: PathId
) -> Case:
    """Sends a failed, uncertain or blocked message to the worker again."""
    return await deliveries.resend_message(
        session, staff=staff, case_id=case_id, message_id=message_id
    )


@router.post("/{case_id}/messages/{message_id}/dismiss", response_model=CaseDetailRead)
async def dismiss_message(
    session: SessionDep, staff: CurrentVolunteer, case_id: PathId, message_id: PathId
) -> Case:
    """Leaves a failed, uncertain or blocked message as it is (e.g. the worker confirmed it)."""
    return await deliveries.dismiss_message(
        session, staff=staff, case_id=case_id, message_id=message_id
    )


@router.post(
    "/{case_id}/messages/{message_id}/file",
    response_model=CaseDetailRead,
    status_code=status.HTTP_202_ACCEPTED,
)
async def request_file(
    session: SessionDep, staff: CurrentVolunteer, case_id: PathId, message_id: PathId
) -> Case:
    """Has the bot send the worker's file to the caller's own Telegram chat."""
    return await deliveries.request_file(
        session, staff=staff, case_id=case_id, message_id=message_id
    )
