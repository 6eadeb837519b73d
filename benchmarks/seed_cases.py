"""Fills a database with many cases for the admin API benchmark, sealed as the services seal them.

Usage: python benchmarks/seed_cases.py --data-dir DIR [--database-url URL] [--cases N] [--seed S]

DIR holds the data key (sathi.key), the case-key store (case-keys.db) and, without
--database-url, the SQLite file (sathi.db). The schema is made by the migrations. The cases
(default 100,000) spread over the last two years, newest mostly open and older mostly closed;
languages ne/bn/tl/ko/en, about 5% urgent, assigned to the volunteers of their language, with
one to five messages each (the worker's words, volunteers' replies with a delivered outbox item),
their audit events, and one worker per three cases.

Every encrypted value goes through the real column type (sathi/crypto.py) as `Sealed(text, key
name)` with the key names of sathi/sealing.py: a case's words with its own key, a worker's chat id
with the worker's key; so the admin API decrypts them as it would decrypt the bot's. Rows are
written with bulk INSERTs (explicit ids, so key names are known before the insert) and the keys
in one key-store transaction: a minute or two, not the hours the services would take one by one.

Accounts, all with the password PASSWORD: `bench-admin` (admin) and `bench-<lang>-<k>`
(volunteers of one language). An existing seed of the same size is reused (`is_seeded`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from sathi.crypto import Sealed, current_vault  # noqa: E402
from sathi.enums import (  # noqa: E402
    CaseEventKind,
    CaseStatus,
    MessageDirection,
    MessageKind,
    OutboxKind,
    OutboxStatus,
    Role,
    Urgency,
)
from sathi.models import Case, CaseEvent, CaseMessage, Member, OutboxItem, Staff  # noqa: E402
from sathi.runtime import Runtime, open_runtime  # noqa: E402
from sathi.sealing import case_key_name, member_key_name  # noqa: E402
from sathi.services import staff as staff_service  # noqa: E402
from sathi.services.references import ALPHABET, LENGTH  # noqa: E402
from sathi.settings import Settings  # noqa: E402

PASSWORD = "bench password 2026"
ADMIN = "bench-admin"
LANGUAGES = {"ne": 0.32, "bn": 0.2, "tl": 0.2, "ko": 0.08, "en": 0.2}
VOLUNTEERS_PER_LANGUAGE = 4
TOPICS = ["unpaid-wages", "workplace-injury", "changing-workplace", "health-insurance",
          "severance-pay", "housing", None]
CHUNK = 5_000
# Invented sentences of the kind workers write (no real worker's words, no numbers or names).
WORDS = {
    "ne": ["मेरो तलब आएको छैन।", "mero talab aayena", "कम्पनीले भिसा नवीकरण गरेन।"],
    "bn": ["আমার বেতন দেয়নি।", "amar beton dey ni", "মালিক পাসপোর্ট রেখে দিয়েছে।"],
    "tl": ["Hindi pa binabayaran ang sahod ko.", "Gusto kong lumipat ng trabaho."],
    "ko": ["월급을 아직 못 받았어요.", "사장님이 여권을 가져갔어요."],
    "en": ["My salary has not been paid.", "I was hurt at work, what can I do?"],
}
REPLIES = ["We are looking into it; can you tell us the name of your workplace's town?",
           "Please keep your pay slips. A volunteer will call you back."]


async def _staff(runtime: Runtime) -> dict[str, list[int]]:
    """The bench accounts (made once): staff ids by language, "admin" for the admin."""
    made: dict[str, list[int]] = {"admin": []}
    async with runtime.sessionmaker.begin() as session:
        specs = [(ADMIN, Role.admin, [])] + [
            (f"bench-{lang}-{k}", Role.volunteer, [lang])
            for lang in LANGUAGES for k in range(1, VOLUNTEERS_PER_LANGUAGE + 1)
        ]
        for username, role, languages in specs:
            found = await session.scalar(select(Staff).where(Staff.username == username))
            if found is None:
                found = await staff_service.create_staff(
                    session, username=username, password=PASSWORD, role=role,
                    languages=languages,
                )
            made.setdefault(languages[0] if languages else "admin", []).append(found.id)
    return made


def _status(rng: random.Random, age_days: float) -> CaseStatus:
    if age_days > 30:
        weights = (0.01, 0.02, 0.01, 0.06, 0.90)
    else:
        weights = (0.25, 0.30, 0.15, 0.15, 0.15)
    return rng.choices(list(CaseStatus), weights)[0]


def _references(rng: random.Random, count: int) -> list[str]:
    seen: set[str] = set()
    while len(seen) < count:
        seen.add("".join(rng.choice(ALPHABET) for _ in range(LENGTH)))
    return list(seen)


class _Rows:
    """The rows of one chunk of cases, table by table."""

    def __init__(self) -> None:
        self.members: list[dict] = []
        self.cases: list[dict] = []
        self.messages: list[dict] = []
        self.events: list[dict] = []
        self.outbox: list[dict] = []


def _build(
    rng: random.Random, rows: _Rows, *, case_id: int, member_id: int, new_member: bool,
    reference: str, created: datetime, now: datetime, staff: dict[str, list[int]],
    ids: dict[str, int],
) -> None:
    vault = current_vault()
    lang = rng.choices(list(LANGUAGES), list(LANGUAGES.values()))[0]
    status = _status(rng, (now - created).total_seconds() / 86400)
    urgency = Urgency.urgent if rng.random() < 0.05 else Urgency.normal
    assignee = None if status == CaseStatus.new else rng.choice(staff[lang] + staff["admin"])
    chat_id = str(7_000_000_000 + member_id)
    telegram_key = vault.pseudonym("telegram-user", 7_000_000_000 + member_id)
    if new_member:
        rows.members.append({
            "id": member_id, "telegram_key": telegram_key, "locale": lang,
            "chat_id": Sealed(chat_id, member_key_name(telegram_key)),
            "created_at": created, "last_seen_at": created,
        })
    key = case_key_name(case_id)
    at = created
    last_worker = None

    def event(kind: CaseEventKind, when: datetime, actor: int | None = None,
              detail: str | None = None) -> None:
        ids["event"] += 1
        rows.events.append({"id": ids["event"], "case_id": case_id, "kind": kind,
                            "actor_id": actor, "detail": detail, "created_at": when})

    event(CaseEventKind.opened, at)
    for index in range(rng.randint(1, 5)):
        at += timedelta(minutes=rng.randint(1, 600))
        inbound = index % 2 == 0 or assignee is None
        ids["message"] += 1
        words = rng.choice(WORDS[lang]) if inbound else rng.choice(REPLIES)
        rows.messages.append({
            "id": ids["message"], "case_id": case_id, "created_at": at,
            "direction": MessageDirection.inbound if inbound else MessageDirection.outbound,
            "kind": MessageKind.text, "text": Sealed(words, key), "file_id": None,
            "article_slug": None, "author_id": None if inbound else assignee,
        })
        if inbound:
            last_worker = at
            if index:
                event(CaseEventKind.worker_message, at)
            continue
        event(CaseEventKind.replied, at, assignee)
        ids["outbox"] += 1
        rows.outbox.append({
            "id": ids["outbox"], "kind": OutboxKind.text, "status": OutboxStatus.delivered,
            "chat_id": Sealed(chat_id, key),
            "chat_key": vault.pseudonym("outbox-chat", chat_id),
            "payload": Sealed(json.dumps({"text": words}, ensure_ascii=False), key),
            "case_id": case_id, "message_id": ids["message"], "attempts": 1, "not_before": at,
            "created_at": at, "updated_at": at, "delivered_at": at,
        })
    if assignee is not None:
        event(CaseEventKind.assigned, created + timedelta(minutes=1), assignee)
    finished = at + timedelta(days=rng.randint(1, 20))
    if status in (CaseStatus.resolved, CaseStatus.closed):
        event(CaseEventKind.status_changed, finished, assignee, str(status))
    rows.cases.append({
        "id": case_id, "reference": reference, "member_id": member_id, "lang": lang,
        "topic": rng.choice(TOPICS), "urgency": urgency, "status": status,
        "assignee_id": assignee, "consent_at": created, "created_at": created,
        "updated_at": min(max(at, finished if status != CaseStatus.new else at), now),
        "last_worker_message_at": last_worker,
        "resolved_at": finished if status in (CaseStatus.resolved, CaseStatus.closed) else None,
        "closed_at": finished if status == CaseStatus.closed else None,
        "rating": None, "rating_comment": None, "version": 1,
    })


async def _insert(runtime: Runtime, rows: _Rows) -> None:
    async with runtime.engine.begin() as connection:
        for model, values in ((Member, rows.members), (Case, rows.cases),
                              (CaseMessage, rows.messages), (CaseEvent, rows.events),
                              (OutboxItem, rows.outbox)):
            if values:
                await connection.execute(insert(model.__table__), values)


async def _settle_postgres(engine: AsyncEngine) -> None:
    """PostgreSQL: the next id after the explicit ones (SQLite takes max(id) + 1 by itself).

    Then VACUUM ANALYZE, as autovacuum would do after such a load (and a server with autovacuum
    off never would): without statistics the planner sorts every match instead of walking an
    index, and without the visibility map no scan is index-only.
    """
    if engine.dialect.name != "postgresql":
        return
    async with engine.begin() as connection:
        for table in ("member", "case", "case_message", "case_event", "outbox"):
            await connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))"
            ))
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("VACUUM ANALYZE"))


async def is_seeded(runtime: Runtime, cases: int) -> bool:
    """True when the database holds exactly `cases` cases and the bench admin."""
    async with runtime.sessionmaker() as session:
        count = await session.scalar(select(func.count(Case.id)))
        admin = await session.scalar(select(Staff.id).where(Staff.username == ADMIN))
    return count == cases and admin is not None


async def seed(runtime: Runtime, *, cases: int, seed: int = 12) -> float:
    """Adds `cases` cases (on an empty case table) and returns the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    staff = await _staff(runtime)
    now = datetime.now(UTC).replace(microsecond=0)
    span = timedelta(days=730).total_seconds()
    offsets = sorted(rng.random() * span for _ in range(cases))
    references = _references(rng, cases)
    ids = {"message": 0, "event": 0, "outbox": 0}
    members = 0
    with runtime.vault.keys.transaction():
        for start in range(0, cases, CHUNK):
            rows = _Rows()
            for index in range(start, min(start + CHUNK, cases)):
                new_member = members == 0 or rng.random() < 0.34
                members += new_member
                _build(
                    rng, rows, case_id=index + 1, member_id=members, new_member=new_member,
                    reference=references[index], staff=staff, ids=ids, now=now,
                    created=now - timedelta(seconds=span - offsets[index]),
                )
            await _insert(runtime, rows)
            print(f"  {min(start + CHUNK, cases):>7} cases", end="\r", file=sys.stderr)
    await _settle_postgres(runtime.engine)
    print(file=sys.stderr)
    return time.perf_counter() - started


def settings_for(data_dir: Path, database_url: str | None) -> Settings:
    """Settings of a bench data folder (its own key and key store; SQLite unless a URL)."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file = data_dir / "sathi.key"
    if not key_file.exists():
        from sathi.crypto import new_key

        key_file.write_text(new_key() + "\n", encoding="ascii")
        key_file.chmod(0o600)
    return Settings(
        _env_file=None, data_dir=data_dir, data_key_file=key_file, database_url=database_url,
        log_level="WARNING",
    )


async def main_async(args: argparse.Namespace) -> int:
    """Seeds unless an equal seed is there."""
    runtime = await open_runtime(settings_for(args.data_dir, args.database_url))
    try:
        if await is_seeded(runtime, args.cases):
            print(f"{args.data_dir}: already holds {args.cases} cases", file=sys.stderr)
            return 0
        seconds = await seed(runtime, cases=args.cases, seed=args.seed)
        print(f"{args.data_dir}: {args.cases} cases in {seconds:.0f} s", file=sys.stderr)
    finally:
        await runtime.close()
    return 0


def main() -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=12)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
