"""/cases: the worker's open cases, closing one, and rating the help afterwards."""

from telegram import Update

from bot import guidance, keyboards, render
from bot.context import SathiContext
from bot.deps import with_member
from bot.labels import CASE_STATES
from sathi.errors import Invalid, InvalidTransition, NotFound
from sathi.models import Case
from sathi.services import worker_cases


def _numbers(update: Update) -> tuple[int, int]:
    """(case id, rating) from the pressed button; 0 where missing or not a number."""
    _area, _action, arg = keyboards.parse_data(update.callback_query.data)
    parts = [int(part) if part.isdigit() else 0 for part in (arg or "").split(":")] + [0, 0]
    return parts[0], parts[1]


def _line(context: SathiContext, case: Case) -> str:
    t = context.t
    status = t.gettext(CASE_STATES[case.status])
    article = guidance.article_in(context.kb, case.topic or "", context.locale)
    if article is None:
        # Translators: {reference} is a case number, {status} one of the case states.
        return t.gettext("Case {reference}: {status}.", reference=case.reference, status=status)
    return t.gettext(
        # Translators: {topic} is the title of the article the case is about.
        "Case {reference}: {status}. Topic: {topic}.", reference=case.reference, status=status,
        topic=article.title,
    )


@with_member
async def list_cases(update: Update, context: SathiContext) -> None:
    """/cases (or "keep it open"): each open case with its state, and a button to close it."""
    t = context.t
    found = await worker_cases.open_cases_for_member(context.session, member=context.member)
    if not found:
        context.replace(render.plain(t.gettext("You have no open cases.")), keyboards.talk(t))
        return
    text = render.lines(t.gettext("Your open cases:"), *(_line(context, case) for case in found))
    context.replace(text, keyboards.open_cases([(case.id, case.reference) for case in found], t))


@with_member
async def ask_to_close(update: Update, context: SathiContext) -> None:
    """Closing is for good: the worker confirms first."""
    case_id, _ = _numbers(update)
    found = await worker_cases.open_cases_for_member(context.session, member=context.member)
    case = next((case for case in found if case.id == case_id), None)
    t = context.t
    if case is None:
        context.replace(render.plain(t.gettext("This case is already closed.")), keyboards.talk(t))
        return
    text = t.gettext(
        "Close case {reference}? The volunteers will stop working on it, and it cannot be "
        "opened again.", reference=case.reference,
    )
    context.replace(render.plain(text), keyboards.confirm_close(case.id, t))


@with_member
async def close_case(update: Update, context: SathiContext) -> None:
    """Closes the case and asks how much the volunteers helped."""
    case_id, _ = _numbers(update)
    t = context.t
    try:
        case = await worker_cases.close_case_by_worker(
            context.session, member=context.member, case_id=case_id
        )
    except (NotFound, InvalidTransition):
        context.replace(render.plain(t.gettext("This case is already closed.")), keyboards.talk(t))
        return
    context.replace(render.lines(
        t.gettext("Case {reference} is closed.", reference=case.reference),
        t.gettext(
            "How much did the volunteers help you? Choose from 1 (not at all) to 5 (very much)."
        ),
    ), keyboards.rating(case.id))


@with_member
async def rate_help(update: Update, context: SathiContext) -> None:
    """Stores the rating (1-5) and thanks the worker."""
    case_id, rating = _numbers(update)
    t = context.t
    try:
        await worker_cases.rate_case(
            context.session, member=context.member, case_id=case_id, rating=rating
        )
    except (Invalid, NotFound, InvalidTransition):
        context.replace(render.plain(t.gettext("This case is no longer available.")))
        return
    thanks = render.plain(t.gettext("Thank you for your answer."))
    context.replace(thanks, keyboards.menu_button(t))


@with_member
async def reopen_case(update: Update, context: SathiContext) -> None:
    """The worker says a resolved case is not solved: it goes back to the volunteers."""
    case_id, _ = _numbers(update)
    t = context.t
    try:
        case = await worker_cases.reopen_case_by_worker(
            context.session, member=context.member, case_id=case_id
        )
    except (NotFound, InvalidTransition):
        context.replace(render.plain(t.gettext("This case is no longer available.")),
                        keyboards.talk(t))
        return
    context.replace(render.plain(t.gettext(
        "Case {reference} is open again. Write here what is still wrong: a volunteer will read "
        "it.", reference=case.reference,
    )), keyboards.menu_button(t))
