"""The guide's facts and the "asked and not found" report, for editors, reviewers and admins.

The facts page lists every named fact with its dated values, their sources, the published texts
that use it, and a mark on a fact whose period has ended with no newer value. A new value is
added through sathi/services/facts.py, as POST /api/v1/facts/{name}/values does. The report is
sathi/services/gaps.py's, as GET /api/v1/guide-gaps: every kind of count it returns is shown.
"""

import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from console import refusals, web
from console.web import ConsoleSession
from sathi.errors import Invalid, NotAllowed, SathiError
from sathi.services import editing, gaps
from sathi.services import facts as fact_service
from sathi.services.articles import today_in_korea

router = APIRouter(prefix=f"{web.PREFIX}/guide", include_in_schema=False)

WEEKS = (4, 8, 26, 52)


def _only_writers(request: Request, current: ConsoleSession) -> Response:
    translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
    return web.render(request, "error.html", translator=translator, current=current, status=403,
                      message=translator.gettext(
                          "Only editors, reviewers and admins work on the guide."))


async def _facts_page(request: Request, session: AsyncSession, current: ConsoleSession, *,
                      error: str | None = None, failed: str = "", status: int = 200
                      ) -> Response:
    translator = web.translator_for(web.runtime_of(request), current.staff.interface_lang)
    today = today_in_korea()
    rows = []
    for row in await fact_service.list_facts(session):
        fact = fact_service.as_file(row)
        shown = fact.shown(today)
        rows.append({"row": row, "shown": shown, "expired": fact.expired(today),
                     "ends": fact.ends(today)})
    return web.render(request, "facts.html", translator=translator, current=current,
                      status=status, rows=rows, today=today, error=error, failed=failed,
                      uses=await fact_service.articles_using(session), back="/guide/facts")


@router.get("/facts")
async def facts_page(request: Request) -> Response:
    """Every fact: its values with their dates and sources, and the texts that use it."""
    async with web.signed_in(request) as (session, current):
        try:
            editing.require_writer(current.staff)
        except NotAllowed:
            return _only_writers(request, current)
        return await _facts_page(request, session, current)


def _date(text: str, field: str) -> datetime.date | None:
    if not text.strip():
        return None
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"{field} must be a date (YYYY-MM-DD)", field=field) from None


@router.post("/facts/{name}/values")
async def add_value(request: Request, name: str) -> Response:
    """A new value of a fact from a date on (CSRF-checked); a refusal shows on the page."""
    try:
        async with web.signed_in(request) as (session, current):
            data = await web.form(request, current)
            editing.require_writer(current.staff)
            valid_from = _date(str(data.get("valid_from", "")), "valid_from")
            if valid_from is None:
                        raise Invalid("valid_from is required", field="valid_from")
            await fact_service.add_value(
                session, staff=current.staff, name=name, value=str(data.get("value", "")),
                valid_from=valid_from, source=str(data.get("source", "")),
                valid_until=_date(str(data.get("valid_until", "")), "valid_until"))
    except SathiError as exc:
        async with web.signed_in(request) as (session, current):
            if isinstance(exc, NotAllowed):
                return _only_writers(request, current)
            translator = web.translator_for(web.runtime_of(request),
                                            current.staff.interface_lang)
            return await _facts_page(request, session, current, failed=name,
                                     status=refusals.status(exc),
                                     error=refusals.message(translator, exc))
    await web.runtime_of(request).knowledge.refresh()  # this process's bot shows it from its date
    return web.redirect(f"/guide/facts#fact-{name}")


@router.get("/gaps")
async def gaps_page(request: Request) -> Response:
    """Searches that matched nothing and 👍/👎, per language and ISO week, newest first."""
    runtime = web.runtime_of(request)
    async with web.signed_in(request) as (session, current):
        try:
            editing.require_writer(current.staff)
        except NotAllowed:
            return _only_writers(request, current)
        translator = web.translator_for(runtime, current.staff.interface_lang)
        lang = request.query_params.get("lang") or None
        if lang not in runtime.catalogs.available:
            lang = None
        weeks_text = request.query_params.get("weeks", "")
        weeks = int(weeks_text) if weeks_text.isdigit() and int(weeks_text) in WEEKS else 8
        counts, missed = await gaps.report(session, weeks=weeks, lang=lang)
        table: dict[tuple[str, str], dict[str, int]] = {}
        kinds: list[str] = []
        for row in counts:
            cell = table.setdefault((row.week, row.lang), {})
            cell[row.kind] = cell.get(row.kind, 0) + row.count
            if row.kind not in kinds:
                kinds.append(row.kind)
        known = [k for k in (gaps.NO_MATCH, gaps.UNHELPFUL, gaps.HELPFUL) if k in kinds]
        kinds = known + sorted(k for k in kinds if k not in known)
        per_article = [row for row in counts if row.slug]
        return web.render(request, "gaps.html", translator=translator, current=current,
                          table=table, kinds=kinds, per_article=per_article, missed=missed,
                          chosen_lang=lang or "", weeks=weeks, week_choices=WEEKS,
                          article_languages=runtime.catalogs.available, back="/guide/gaps")
