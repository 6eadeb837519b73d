"""The intake's work per update, in one process: statements, commits, CPU (not a test).

Usage: python benchmarks/bot_work.py [--updates N] [--users U] [--queries FILE] [--uvloop]

A temporary SQLite data folder (or SATHI_DATABASE_URL, with SATHI_DATA_KEY) with the repository's
articles, the real Application and Intake, and the tests' fake Bot API in the same event loop;
N worker questions from U private chats (as in benchmarks/bot_bench.py) are stored in one batch,
then processed with `Intake.process_pending` until none is left. Printed per update: SQL
statements (by kind), commits, and the process's CPU milliseconds (the fake's share included, so
compare runs of this script with each other, not with bot_bench.py's column). --uvloop runs it
on the event loop `sathi run` serves on (uvloop where installed) instead of asyncio's.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from benchmarks.bot_bench import TOKEN, _as_telegram, _texts, _updates  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.intake import Intake  # noqa: E402
from knowledge.loader import load_articles  # noqa: E402
from knowledge.topics import load_topics  # noqa: E402
from sathi.cli.run import loop_factory  # noqa: E402
from sathi.runtime import open_runtime  # noqa: E402
from sathi.services.articles import import_articles  # noqa: E402
from sathi.settings import get_settings  # noqa: E402
from tests.fakes.bot_api import FakeBotApi  # noqa: E402


async def _main(args: argparse.Namespace) -> int:
    _, texts = _texts(args.queries)
    items = _updates(texts, args.updates, args.users, itertools.count(1))
    fake = FakeBotApi()
    await fake.start()
    with tempfile.TemporaryDirectory(prefix="sathi-work-") as tmp:
        settings = get_settings(data_dir=Path(tmp), telegram_token=TOKEN,
                                telegram_api_url=fake.url, _env_file=None,
                                **({"database_url": os.environ["SATHI_DATABASE_URL"],
                                    "data_key": os.environ["SATHI_DATA_KEY"]}
                                   if os.environ.get("SATHI_DATABASE_URL") else {}))
        runtime = await open_runtime(settings)
        try:
            articles = load_articles(settings.knowledge_dir, load_topics(settings.topics_file),
                                     settings.languages)
            async with runtime.sessionmaker.begin() as session:
                await import_articles(session, articles)
            await runtime.knowledge.refresh()
            statements: Counter[str] = Counter()
            commits = [0]

            def count(conn: Any, cursor: Any, sql: str, *rest: Any) -> None:
                statements[sql.lstrip().split(None, 1)[0].upper()] += 1

            event.listen(runtime.engine.sync_engine, "before_cursor_execute", count)
            event.listen(runtime.engine.sync_engine, "commit", lambda conn: commits.__setitem__(
                0, commits[0] + 1))
            async with build_application(runtime) as application:
                intake = Intake(application)
                cpu, wall = time.process_time(), time.monotonic()
                await intake.store([_as_telegram(item) for item in items])
                stored = dict(statements), commits[0]
                while await intake.process_pending():
                    pass
                cpu, wall = time.process_time() - cpu, time.monotonic() - wall
        finally:
            await runtime.close()
            await fake.stop()
    n = len(items)
    sends = len(fake.sent("sendMessage"))
    print(f"{n} updates from {args.users} chats, {sends} messages sent; "
          f"{settings.database.split(':', 1)[0]}")
    print(f"store: {sum(stored[0].values())} statements, {stored[1]} commit(s) for the batch")
    processing = statements - Counter(stored[0])
    print(f"processing, per update: {sum(processing.values()) / n:.1f} statements "
          f"({', '.join(f'{k} {v / n:.1f}' for k, v in processing.most_common())}), "
          f"{(commits[0] - stored[1]) / n:.1f} commits")
    print(f"CPU {cpu * 1000 / n:.1f} ms per update (fake included), wall {wall:.1f} s "
          f"({n / wall:.0f} updates/s)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=400)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--uvloop", action="store_true", help="the event loop of `sathi run`")
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=loop_factory() if args.uvloop else None) as runner:
        return runner.run(_main(args))


if __name__ == "__main__":
    raise SystemExit(main())
