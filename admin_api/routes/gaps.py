"""What workers asked and did not find, for editors: counts per language and week."""

from typing import Annotated

from fastapi import APIRouter, Query

from admin_api.deps import CurrentWriter, SessionDep
from admin_api.errors import ERROR_RESPONSES
from admin_api.schemas_guide import GapRead, GapReportRead, MissedQueryRead
from sathi.services import gaps

router = APIRouter(prefix="/guide-gaps", tags=["articles"], responses=ERROR_RESPONSES)


@router.get("", response_model=GapReportRead)
async def guide_gaps(
    session: SessionDep, staff: CurrentWriter,
    weeks: Annotated[int, Query(ge=1, le=104)] = 8,
    lang: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$")] = None,
) -> GapReportRead:
    """Questions that matched nothing, 👍/👎 and articles left, per language and ISO week.

    No worker identity is stored; the questions are kept 30 days at most, without digits,
    names, phone numbers or ids.
    """
    counts, missed = await gaps.report(session, weeks=weeks, lang=lang)
    return GapReportRead(
        counts=[GapRead.model_validate(row) for row in counts],
        missed_queries=[MissedQueryRead.model_validate(row, from_attributes=True)
                        for row in missed],
    )
