"""Who may see and work on which case: admins all, volunteers their languages, editors none."""

from sathi.enums import Role
from sathi.errors import Conflict, NotAllowed, NotFound
from sathi.models import Case, Staff


def require_case_worker(staff: Staff) -> None:
    """Raises NotAllowed for anyone but an active volunteer or admin."""
    if not staff.is_active or staff.role not in (Role.volunteer, Role.admin):
        raise NotAllowed("only volunteers and admins work on cases")


def visible_languages(staff: Staff) -> list[str] | None:
    """The case languages a staff member sees; None means all of them."""
    return None if staff.role == Role.admin else list(staff.languages)


def handles_language(staff: Staff, lang: str) -> bool:
    """True when the staff member works on cases in this language."""
    languages = visible_languages(staff)
    return languages is None or lang in languages


def ensure_visible(staff: Staff, case: Case | None, case_id: int) -> Case:
    """The case, if the staff member may see it; otherwise NotFound, as if it did not exist."""
    require_case_worker(staff)
    if case is None or not handles_language(staff, case.lang):
        raise NotFound(f"case {case_id} not found")
    return case


def require_may_reply(staff: Staff, case: Case) -> None:
    """Only the assignee (or an admin) answers a claimed case: two voices confuse a worker.

    Anyone who may see an unassigned case may answer it, and it becomes theirs.
    """
    if case.assignee_id is None or case.assignee_id == staff.id or staff.role == Role.admin:
        return
    raise Conflict(
        f"case {case.reference} is assigned to another volunteer: only they or an admin may "
        "answer it. Ask them, or an admin, to reassign it to you."
    )
