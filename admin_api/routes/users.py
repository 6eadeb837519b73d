"""Staff accounts, managed by admins."""

from fastapi import APIRouter

from admin_api.deps import CurrentAdmin, SessionDep
from admin_api.errors import ERROR_RESPONSES
from admin_api.schemas import PasswordReset, PathId, StaffCreate, StaffRead, StaffUpdate
from sathi.models import Staff
from sathi.services import staff as staff_service

router = APIRouter(prefix="/users", tags=["users"], responses=ERROR_RESPONSES)


@router.get("", response_model=list[StaffRead])
async def list_users(session: SessionDep, admin: CurrentAdmin) -> list[Staff]:
    """Every account."""
    return await staff_service.list_staff(session)


@router.post("", response_model=StaffRead, status_code=201)
async def create_user(session: SessionDep, admin: CurrentAdmin, body: StaffCreate) -> Staff:
    """Creates an account with a role and the languages it handles."""
    return await staff_service.create_staff(session, **body.model_dump())


@router.get("/{user_id}", response_model=StaffRead)
async def read_user(session: SessionDep, admin: CurrentAdmin, user_id: PathId) -> Staff:
    """One account."""
    return await staff_service.get_staff(session, staff_id=user_id)


@router.patch("/{user_id}", response_model=StaffRead)
async def update_user(
    session: SessionDep, admin: CurrentAdmin, user_id: PathId, body: StaffUpdate
) -> Staff:
    """Changes role, languages, active flag, public name or Telegram chat.

    Deactivating ends the account's sessions; the last active admin cannot be demoted or
    deactivated.
    """
    return await staff_service.update_staff(
        session, staff_id=user_id, **body.model_dump(exclude_unset=True)
    )


@router.post("/{user_id}/password", response_model=StaffRead)
async def reset_password(
    session: SessionDep, admin: CurrentAdmin, user_id: PathId, body: PasswordReset
) -> Staff:
    """Sets a new password; the account's sessions end."""
    return await staff_service.reset_password(session, staff_id=user_id, password=body.password)
