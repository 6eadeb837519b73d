"""A seized database holds no worker's words: only Fernet tokens where a case is concerned."""

from pathlib import Path

import pytest
from sqlalchemy import text

from sathi.db import Base
from sathi.enums import MessageKind
from sathi.services import inbound, volunteer_cases, worker_cases

SECRETS = (
    "Dipendra",  # in the first message
    "AgACAgUAAxkBAAIBZ2dWorkerPhoto",  # a Telegram file id
    "my passport was taken",  # a later message's caption
    "Saw him at the shelter",  # an internal note
    "Bring the contract to Ansan",  # a volunteer's reply (message and outbox)
    "they were very kind",  # a rating comment
    "raw update text",  # an inbound update
)


async def _fill(runtime, factory) -> str:
    volunteer = await factory.staff()
    member = await factory.member()
    case = await factory.case(member=member, text="I am Dipendra and my wages are late")
    async with runtime.sessionmaker.begin() as session:
        await worker_cases.add_worker_message(
            session, member=member, case_id=case.id, kind=MessageKind.photo,
            file_id=SECRETS[1], text=SECRETS[2],
        )
        await volunteer_cases.add_note(session, staff=volunteer, case_id=case.id, text=SECRETS[3])
        await volunteer_cases.reply_to_case(
            session, staff=volunteer, case_id=case.id, text=SECRETS[4]
        )
        await worker_cases.close_case_by_worker(session, member=member, case_id=case.id)
        await worker_cases.rate_case(
            session, member=member, case_id=case.id, rating=5, comment=SECRETS[5]
        )
        await inbound.store_update(
            session, update_id=1, payload='{"message": {"text": "raw update text"}}'
        )
    return case.reference


async def test_no_case_content_in_any_table(runtime, factory):
    await _fill(runtime, factory)
    dump = []
    async with runtime.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = await connection.execute(text(f'SELECT * FROM "{table.name}"'))
            dump.extend(str(tuple(row)) for row in rows)
    everything = "\n".join(dump)
    assert "gAAAAA" in everything  # Fernet tokens are there
    for secret in SECRETS:
        assert secret not in everything


async def test_raw_sqlite_file_holds_no_message_text_or_file_id(runtime, factory):
    if not runtime.settings.uses_embedded_database:
        pytest.skip("the raw file check needs the embedded SQLite database")
    reference = await _fill(runtime, factory)
    await runtime.engine.dispose()  # let SQLite write everything out
    database = Path(runtime.settings.database.removeprefix("sqlite+aiosqlite:///"))
    files = [database, *database.parent.glob(database.name + "-*")]
    raw = b"".join(path.read_bytes() for path in files if path.exists())
    assert reference.encode() in raw  # the right file: clear metadata is readable
    for secret in SECRETS:
        assert secret.encode() not in raw
