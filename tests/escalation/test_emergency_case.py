"""An alert reaches the case too: urgent, and the volunteers' group told without any words."""

from sqlalchemy import select

from sathi.enums import OutboxKind, Urgency
from sathi.models import Case, OutboxItem
from sathi.runtime import Runtime
from tests.escalation.conftest import VOLUNTEER_GROUP


async def _cases(runtime: Runtime) -> list[Case]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(Case).order_by(Case.id)))


async def _notices(runtime: Runtime) -> list[dict]:
    async with runtime.sessionmaker() as session:
        query = select(OutboxItem).where(OutboxItem.kind == OutboxKind.notice)
        items = list(await session.scalars(query.order_by(OutboxItem.id)))
    for item in items:
        assert item.chat_id == str(VOLUNTEER_GROUP)
    return [item.payload for item in items]


async def test_an_alert_sent_to_an_open_case_makes_it_urgent(worker, imported: Runtime):
    await worker.say("/start")
    await worker.press("lang:choose:bn")
    await worker.press("esc:offer")
    await worker.press("esc:agree")
    await worker.say("amar beton tin mash dhore pai nai")
    [case] = await _cases(imported)
    assert case.urgency == Urgency.normal
    assert [notice["reason"] for notice in await _notices(imported)] == ["new"]

    first, *rest = await worker.say("malik amake marche, churi niye ase")
    assert "112" in first.text, "the danger answer comes first, in a case too"
    assert not first.buttons, "no second case from a worker who already has one"
    [case] = await _cases(imported)
    assert case.urgency == Urgency.urgent
    notices = await _notices(imported)
    assert [notice["reason"] for notice in notices] == ["new", "urgent"]
    assert notices[-1] == {
        "reason": "urgent", "reference": case.reference, "lang": "bn", "topic": case.topic,
        "urgency": "urgent",
    }
    for notice in notices:
        text = " ".join(str(value) for value in notice.values())
        assert "malik" not in text and "beton" not in text


async def test_the_urgent_button_notifies_the_group_at_once(worker, imported: Runtime):
    await worker.say("/start")
    await worker.press("lang:choose:ko")
    await worker.say("기숙사에 불이 났어요")
    await worker.press("esc:urgent:emergency-contacts")
    await worker.press("esc:agreenow:emergency-contacts")
    [case] = await _cases(imported)
    assert (case.urgency, case.topic, case.lang) == (Urgency.urgent, "emergency-contacts", "ko")
    [notice] = await _notices(imported)
    assert notice["reason"] == "urgent" and notice["reference"] == case.reference
