"""Named facts (the minimum wage, rates, hotlines) with dated values, and what is due."""

from typing import Annotated

from fastapi import APIRouter, Query

from admin_api.deps import CurrentStaff, CurrentWriter, SessionDep
from admin_api.errors import ERROR_RESPONSES
from admin_api.schemas_guide import DueRead, FactName, FactRead, FactValueCreate
from sathi.models import Fact
from sathi.services import editing
from sathi.services import facts as fact_service
from sathi.services.articles import today_in_korea

router = APIRouter(tags=["facts"], responses=ERROR_RESPONSES)


def _read(row: Fact) -> FactRead:
    today = today_in_korea()
    fact = fact_service.as_file(row)
    shown = fact.shown(today)
    read = FactRead.model_validate(row)
    read.current = shown.value if shown else None
    read.expired = fact.expired(today)
    read.ends = fact.ends(today)
    return read


@router.get("/facts", response_model=list[FactRead])
async def list_facts(session: SessionDep, staff: CurrentStaff) -> list[FactRead]:
    """Every fact with its values, the value shown today and when it ends."""
    return [_read(row) for row in await fact_service.list_facts(session)]


@router.post("/facts/{name}/values", response_model=FactRead, status_code=201)
async def add_fact_value(
    session: SessionDep, staff: CurrentWriter, name: FactName, body: FactValueCreate
) -> FactRead:
    """A new value from a date on, with its source.

    Every article in every language shows it from that date (the bot reloads every minute).
    """
    row = await fact_service.add_value(session, staff=staff, name=name, **body.model_dump())
    return _read(row)


@router.get("/due", response_model=DueRead)
async def due(
    session: SessionDep, staff: CurrentStaff,
    within_days: Annotated[int, Query(ge=0, le=3650)] = 60,
) -> DueRead:
    """What editors must look at, most urgent first.

    Facts that have ended or end within the window (ended ones first), then published texts
    whose review-by date falls within it.
    """
    today = today_in_korea()
    facts = await fact_service.load_facts(session)
    articles = await editing.list_articles(
        session, staff, due=True, today=today, within_days=within_days
    )
    articles.sort(key=lambda a: (a.review_by, a.slug, a.lang))
    return DueRead.model_validate({
        "facts": fact_service.due_facts(facts, today, within_days), "articles": articles,
    })
