import pytest
from sqlalchemy import func, select

from sathi.enums import (
    CaseEventKind,
    CaseStatus,
    MessageDirection,
    MessageKind,
    OutboxKind,
    Role,
    Urgency,
)
from sathi.errors import Invalid, InvalidTransition, NotAllowed, NotFound
from sathi.models import CaseMessage, OutboxItem
from sathi.services import canned, volunteer_cases, worker_cases
from sathi.services.references import ALPHABET, LENGTH, normalize_reference


async def _outbox(runtime) -> list[OutboxItem]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


async def test_open_case_needs_consent(runtime, factory):
    member = await factory.member()
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(NotAllowed):
            await worker_cases.open_case(session, member=member, lang="ne", consent=False)


async def test_open_case_has_an_unguessable_reference_and_the_first_message(runtime, factory):
    first = await factory.case(topic="unpaid-wages")
    second = await factory.case()
    for case in (first, second):
        assert len(case.reference) == LENGTH and set(case.reference) <= set(ALPHABET)
    assert first.reference != second.reference
    assert first.status == CaseStatus.new and first.topic == "unpaid-wages"
    assert [m.text for m in first.messages] == ["My wages are late"]
    assert first.messages[0].direction == MessageDirection.inbound
    assert [e.kind for e in first.events] == [CaseEventKind.opened]


def test_reference_typed_by_a_worker_is_normalized():
    assert normalize_reference("k7m p2q-x") == "K7MP2QX"
    assert normalize_reference("K7M0") is None
    assert normalize_reference("IIIIIII") is None


async def test_new_case_notifies_volunteers_without_the_workers_words(runtime, factory):
    case = await factory.case(text="my boss keeps my payslip", volunteer_chat_id=-1001,
                              topic="dismissal")
    [notice] = await _outbox(runtime)
    assert notice.kind == OutboxKind.notice and notice.chat_id == "-1001"
    assert notice.payload == {
        "reason": "new", "reference": case.reference, "lang": "ne", "topic": "dismissal",
        "urgency": "normal",
    }
    assert "boss" not in notice.payload_text and "payslip" not in notice.payload_text


async def test_no_notice_without_a_volunteer_chat(runtime, factory):
    await factory.case()
    assert await _outbox(runtime) == []


async def test_emergency_words_make_a_case_urgent(imported, factory):
    case = await factory.case(text="I was beaten by the manager", volunteer_chat_id=-1)
    assert case.urgency == Urgency.urgent
    [notice] = await _outbox(imported)
    assert notice.payload["reason"] == "urgent" and notice.payload["urgency"] == "urgent"
    calm = await factory.case(text="What is my interest rate")
    assert calm.urgency == Urgency.normal


async def test_later_emergency_message_escalates_and_notifies(imported, factory):
    case = await factory.case(text="question about my contract")
    member_id = case.member_id
    async with imported.sessionmaker.begin() as session:
        from sathi.models import Member

        member = await session.get(Member, member_id)
        case = await worker_cases.add_worker_message(
            session, member=member, case_id=case.id, kind=MessageKind.text,
            text="now the police arrested my friend", volunteer_chat_id=-5,
        )
    assert case.urgency == Urgency.urgent
    assert CaseEventKind.urgency_changed in [e.kind for e in case.events]
    assert [item.payload["reason"] for item in await _outbox(imported)] == ["urgent"]


async def test_worker_messages_join_the_open_case_and_hand_the_turn_back(runtime, factory):
    member = await factory.member()
    volunteer = await factory.staff()
    case = await factory.case(member=member)
    async with runtime.sessionmaker.begin() as session:
        await volunteer_cases.reply_to_case(
            session, staff=volunteer, case_id=case.id, text="Tell me more"
        )
    async with runtime.sessionmaker.begin() as session:
        case = await worker_cases.add_worker_message(
            session, member=member, case_id=case.id, kind=MessageKind.photo,
            file_id="AgACAgQAAxkBAAIB", text="my payslip",
        )
    assert case.status == CaseStatus.assigned
    assert [m.kind for m in case.messages] == [MessageKind.text] * 2 + [MessageKind.photo]
    assert case.messages[-1].file_id == "AgACAgQAAxkBAAIB"
    async with runtime.sessionmaker() as session:
        listed = await worker_cases.open_cases_for_member(session, member=member)
        assert [c.id for c in listed] == [case.id]
        found = await worker_cases.find_case_for_member(
            session, member=member, reference=case.reference.lower()
        )
        assert found.id == case.id


async def test_a_file_message_needs_a_file_id(runtime, factory):
    member = await factory.member()
    case = await factory.case(member=member)
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(Invalid):
            await worker_cases.add_worker_message(
                session, member=member, case_id=case.id, kind=MessageKind.voice
            )


async def test_another_members_case_is_not_found(runtime, factory):
    case = await factory.case()
    stranger = await factory.member()
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(NotFound):
            await worker_cases.add_worker_message(
                session, member=stranger, case_id=case.id, kind=MessageKind.text, text="hi"
            )
        with pytest.raises(NotFound):
            await worker_cases.find_case_for_member(
                session, member=stranger, reference=case.reference
            )


async def test_worker_closes_and_rates_then_cannot_write_to_it(runtime, factory):
    member = await factory.member()
    case = await factory.case(member=member)
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(InvalidTransition):
            await worker_cases.rate_case(session, member=member, case_id=case.id, rating=5)
    async with runtime.sessionmaker.begin() as session:
        case = await worker_cases.close_case_by_worker(session, member=member, case_id=case.id)
        case = await worker_cases.rate_case(
            session, member=member, case_id=case.id, rating=4, comment="kind people"
        )
    assert case.status == CaseStatus.closed and case.rating == 4
    assert case.rating_comment == "kind people"
    assert [e.kind for e in case.events][-3:] == [
        CaseEventKind.closed_by_worker, CaseEventKind.status_changed, CaseEventKind.rated,
    ]
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(InvalidTransition):
            await worker_cases.add_worker_message(
                session, member=member, case_id=case.id, kind=MessageKind.text, text="hello?"
            )
        with pytest.raises(Invalid):
            await worker_cases.rate_case(session, member=member, case_id=case.id, rating=9)
        assert await worker_cases.open_cases_for_member(session, member=member) == []


async def test_worker_message_reopens_a_resolved_case(runtime, factory):
    member = await factory.member()
    volunteer = await factory.staff()
    case = await factory.case(member=member)
    async with runtime.sessionmaker.begin() as session:
        await volunteer_cases.claim_case(session, staff=volunteer, case_id=case.id)
        await volunteer_cases.change_status(
            session, staff=volunteer, case_id=case.id, status=CaseStatus.resolved
        )
    async with runtime.sessionmaker.begin() as session:
        case = await worker_cases.add_worker_message(
            session, member=member, case_id=case.id, kind=MessageKind.text, text="still unpaid"
        )
    assert case.status == CaseStatus.assigned and case.resolved_at is None
    assert case.events[-1].kind == CaseEventKind.reopened and case.events[-1].actor_id is None


async def test_lifecycle_with_the_audit_trail(runtime, factory):
    volunteer = await factory.staff()
    other = await factory.staff(languages=("ne", "bn"))
    case = await factory.case()
    async with runtime.sessionmaker.begin() as session:
        case = await volunteer_cases.claim_case(session, staff=volunteer, case_id=case.id)
        assert case.status == CaseStatus.assigned and case.assignee_id == volunteer.id
        case = await volunteer_cases.add_note(
            session, staff=volunteer, case_id=case.id, text="call HRD"
        )
        case = await volunteer_cases.reply_to_case(
            session, staff=volunteer, case_id=case.id, text="Keep your payslips"
        )
        assert case.status == CaseStatus.waiting_for_worker
        case = await volunteer_cases.assign_case(
            session, staff=volunteer, case_id=case.id, assignee_id=other.id
        )
        case = await volunteer_cases.change_status(
            session, staff=other, case_id=case.id, status=CaseStatus.resolved
        )
        case = await volunteer_cases.change_status(
            session, staff=other, case_id=case.id, status=CaseStatus.closed
        )
        case = await volunteer_cases.reopen_case(session, staff=other, case_id=case.id)
    assert case.status == CaseStatus.assigned and case.assignee_id == other.id
    assert [n.text for n in case.notes] == ["call HRD"]
    kinds = [e.kind for e in case.events]
    assert kinds == [
        CaseEventKind.opened,
        CaseEventKind.claimed, CaseEventKind.status_changed,
        CaseEventKind.note_added,
        CaseEventKind.status_changed, CaseEventKind.replied,
        CaseEventKind.assigned,
        CaseEventKind.status_changed,
        CaseEventKind.status_changed,
        CaseEventKind.reopened,
    ]
    actors = {e.actor_id for e in case.events if e.kind != CaseEventKind.opened}
    assert actors == {volunteer.id, other.id}
    assert all(e.detail is None or "payslip" not in e.detail for e in case.events)


async def test_claim_case_twice_is_rejected(runtime, factory):
    first = await factory.staff()
    second = await factory.staff()
    case = await factory.case()
    async with runtime.sessionmaker.begin() as session:
        await volunteer_cases.claim_case(session, staff=first, case_id=case.id)
    for who in (first, second):
        async with runtime.sessionmaker.begin() as session:
            with pytest.raises(InvalidTransition):
                await volunteer_cases.claim_case(session, staff=who, case_id=case.id)


async def test_only_the_assignee_or_an_admin_unassigns(runtime, factory):
    holder = await factory.staff()
    other = await factory.staff()
    admin = await factory.staff(Role.admin, ())
    case = await factory.case()
    async with runtime.sessionmaker.begin() as session:
        await volunteer_cases.claim_case(session, staff=holder, case_id=case.id)
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(NotAllowed):
            await volunteer_cases.unassign_case(session, staff=other, case_id=case.id)
    async with runtime.sessionmaker.begin() as session:
        case = await volunteer_cases.unassign_case(session, staff=admin, case_id=case.id)
    assert case.status == CaseStatus.new and case.assignee_id is None


async def test_assignee_must_handle_the_language(runtime, factory):
    volunteer = await factory.staff()
    bengali = await factory.staff(languages=("bn",))
    editor = await factory.staff(Role.editor, ("ne",))
    case = await factory.case()
    for assignee in (bengali, editor):
        async with runtime.sessionmaker.begin() as session:
            with pytest.raises(Invalid) as error:
                await volunteer_cases.assign_case(
                    session, staff=volunteer, case_id=case.id, assignee_id=assignee.id
                )
            assert error.value.field == "assignee_id"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), CaseStatus.waiting_for_worker),  # new -> waiting needs an assignee
        ((), CaseStatus.assigned),
        ((CaseStatus.resolved,), CaseStatus.waiting_for_worker),
        ((CaseStatus.closed,), CaseStatus.resolved),
        ((CaseStatus.resolved,), CaseStatus.new),
    ],
)
async def test_invalid_transitions_are_refused(runtime, factory, path, target):
    admin = await factory.staff(Role.admin, ())
    case = await factory.case()
    async with runtime.sessionmaker.begin() as session:
        for step in path:
            await volunteer_cases.change_status(session, staff=admin, case_id=case.id, status=step)
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(InvalidTransition):
            await volunteer_cases.change_status(
                session, staff=admin, case_id=case.id, status=target
            )


async def test_reply_needs_an_active_case(runtime, factory):
    admin = await factory.staff(Role.admin, ())
    case = await factory.case()
    async with runtime.sessionmaker.begin() as session:
        await volunteer_cases.change_status(
            session, staff=admin, case_id=case.id, status=CaseStatus.closed
        )
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(InvalidTransition):
            await volunteer_cases.reply_to_case(
                session, staff=admin, case_id=case.id, text="hello"
            )
    assert await _outbox(runtime) == []


async def test_reply_creates_exactly_one_outbox_item_in_the_same_transaction(runtime, factory):
    volunteer = await factory.staff(public_name="Sita")
    case = await factory.case()
    async with runtime.sessionmaker.begin() as session:
        case = await volunteer_cases.reply_to_case(
            session, staff=volunteer, case_id=case.id, text="Go to the labour office"
        )
    [item] = await _outbox(runtime)
    reply = case.messages[-1]
    assert item.kind == OutboxKind.text and item.message_id == reply.id
    assert item.payload == {
        "text": "Go to the labour office", "signature": "Sita", "reference": case.reference,
    }
    assert reply.delivery is not None and reply.delivery.id == item.id


async def test_reply_in_a_failed_transaction_leaves_no_outbox_item(runtime, factory):
    volunteer = await factory.staff()
    case = await factory.case()
    with pytest.raises(RuntimeError):
        async with runtime.sessionmaker.begin() as session:
            await volunteer_cases.reply_to_case(
                session, staff=volunteer, case_id=case.id, text="hello"
            )
            raise RuntimeError("the request failed after the reply")
    assert await _outbox(runtime) == []
    async with runtime.sessionmaker() as session:
        count = await session.scalar(select(func.count(CaseMessage.id)))
    assert count == 1  # only the worker's first message


async def test_canned_reply_in_the_case_language_is_sent(runtime, factory):
    volunteer = await factory.staff(languages=("ne", "bn"))
    case = await factory.case()
    async with runtime.sessionmaker.begin() as session:
        nepali = await canned.create_canned_reply(
            session, staff=volunteer, lang="ne", title="Payslip", body="तलब पर्ची राख्नुहोस्"
        )
        bengali = await canned.create_canned_reply(
            session, staff=volunteer, lang="bn", title="Payslip", body="বেতন স্লিপ রাখুন"
        )
    async with runtime.sessionmaker.begin() as session:
        with pytest.raises(Invalid):
            await volunteer_cases.reply_to_case(
                session, staff=volunteer, case_id=case.id, canned_reply_id=bengali.id
            )
    async with runtime.sessionmaker.begin() as session:
        case = await volunteer_cases.reply_to_case(
            session, staff=volunteer, case_id=case.id, canned_reply_id=nepali.id
        )
    assert case.messages[-1].text == "तलब पर्ची राख्नुहोस्"
    [item] = await _outbox(runtime)
    assert item.payload["text"] == "तलब पर्ची राख्नुहोस्"


async def test_article_goes_out_as_a_structured_item_in_the_workers_language(imported, factory):
    volunteer = await factory.staff()
    case = await factory.case()
    async with imported.sessionmaker.begin() as session:
        case = await volunteer_cases.send_article(
            session, staff=volunteer, case_id=case.id, slug="eps-overview"
        )
    [item] = await _outbox(imported)
    assert item.kind == OutboxKind.article
    assert item.payload == {"slug": "eps-overview", "lang": "ne", "reference": case.reference}
    assert case.messages[-1].kind == MessageKind.article
    assert case.events[-1].kind == CaseEventKind.article_sent
    async with imported.sessionmaker.begin() as session:
        with pytest.raises(Invalid) as error:
            await volunteer_cases.send_article(
                session, staff=volunteer, case_id=case.id, slug="no-such-article"
            )
    assert error.value.field == "slug"


async def test_volunteers_see_only_their_languages_and_editors_nothing(runtime, factory):
    nepali = await factory.staff(languages=("ne",))
    editor = await factory.staff(Role.editor, ("ne",))
    case = await factory.case(lang="bn")
    async with runtime.sessionmaker() as session:
        with pytest.raises(NotFound):
            await volunteer_cases.get_case(session, staff=nepali, case_id=case.id)
        with pytest.raises(NotAllowed):
            await volunteer_cases.get_case(session, staff=editor, case_id=case.id)
        page = await volunteer_cases.list_cases(session, staff=nepali)
    assert page.total == 0 and page.items == []
