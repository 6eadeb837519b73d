"""What an entry point opens once and hands down: engine, sessions, keys, catalogs, knowledge."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from knowledge import triage
from knowledge.models import Article
from knowledge.search import KnowledgeBase
from knowledge.snapshot import load_or_build
from knowledge.text import warm_up as korean_warm_up
from sathi import migrations
from sathi.crypto import Vault, vault_from_settings
from sathi.db import make_engine, make_sessionmaker
from sathi.errors import ConfigError
from sathi.i18n import Catalogs, load_catalogs
from sathi.services import articles
from sathi.settings import Settings

log = logging.getLogger(__name__)


def _knowledge_base(loaded: tuple[Article, ...], folder: Path | None) -> KnowledgeBase:
    """One search index per distinct content: building it is the slow part of a reload.

    With a data folder, a start reads the index built before, if the articles are the same
    (knowledge/snapshot.py), and a build reads the articles' Korean from there.
    """
    found = _built.get(loaded)
    if found is None:
        found = load_or_build(loaded, folder) if folder else KnowledgeBase(list(loaded))
        if len(_built) >= 2:  # the current index and the one before
            del _built[next(iter(_built))]
        _built[loaded] = found
    return found


_built: dict[tuple[Article, ...], KnowledgeBase] = {}


@dataclass
class KnowledgeHolder:
    """The search index over the published articles, rebuilt when they, a fact or the day change.

    `refresh` costs one small query when nothing changed; `sathi run` calls it every minute.
    """

    sessionmaker: async_sessionmaker[AsyncSession]
    catalogs: Catalogs | None = None
    folder: Path | None = None  # where the built index is kept (the data folder), if anywhere
    current: KnowledgeBase = field(default_factory=lambda: KnowledgeBase([]))
    _stamp: tuple[object, ...] | None = None

    async def refresh(self, now: datetime | None = None) -> bool:
        """Reloads the articles if anything changed since the last look; True if it did.

        `now` (default: the clock) decides which fact values apply: a value dated tomorrow is
        shown from tomorrow, Korean time.
        """
        today = articles.today_in_korea(now)
        async with self.sessionmaker() as session:
            stamp = (*await articles.content_stamp(session), today.isoformat())
            if stamp == self._stamp:
                return False
            loaded = await articles.load_articles(session, today=today, notes=self._notes)
        self.current = _knowledge_base(tuple(loaded), self.folder)
        self._stamp = stamp
        log.info("knowledge base loaded: %d articles", len(loaded))
        return True

    def _notes(self, lang: str) -> tuple[Callable[..., str] | None, Callable[[str], str] | None]:
        if self.catalogs is None:
            return None, None
        t = self.catalogs.get(lang)

        def expired(value: str, year: int, hotline: str) -> str:
            # Translators: a legal amount whose period has ended and no newer one is known yet,
            # e.g. "10,320 (in 2026; call 1350 to check today's amount)".
            return t.gettext(
                "{value} (in {year}; call {hotline} to check today's amount)",
                value=value, year=year, hotline=hotline,
            )

        def stale(hotline: str) -> str:
            # Translators: under a translation whose English original has changed since.
            return t.gettext(
                "This text may be out of date. Call {hotline} (interpreters) to check.",
                hotline=hotline,
            )

        return expired, stale


@dataclass
class Runtime:
    """Shared by the bot and the admin API inside one process."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    vault: Vault
    catalogs: Catalogs
    knowledge: KnowledgeHolder
    # The volunteers' group as the bot found it at start: "not set", "unchecked", "ok" or
    # "unreachable" (shown by /readyz; set by bot.runner).
    volunteer_chat: str = "unchecked"

    async def close(self) -> None:
        """Releases the database connections."""
        await self.engine.dispose()


async def open_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Opens everything; with migrate, brings the schema up to date first.

    With a Telegram token, the bot will read workers' Korean: the Korean analyser loads now,
    so that no worker's message waits seconds for it. The index itself is built, or read back,
    without it (knowledge/snapshot.py), and other commands never load it.
    """
    try:
        triage.preload()
    except triage.TriageError as error:
        raise ConfigError(str(error)) from None
    vault = vault_from_settings(settings)
    settings.prepare_data_dir()
    engine = make_engine(settings.database)
    if migrate:
        await migrations.upgrade(engine)
    sessionmaker = make_sessionmaker(engine)
    catalogs = load_catalogs(settings.locales_dir, settings.default_locale)
    knowledge = KnowledgeHolder(sessionmaker, catalogs, settings.data_dir)
    await knowledge.refresh()
    if settings.telegram_token is not None:
        korean_warm_up()
    return Runtime(settings, engine, sessionmaker, vault, catalogs, knowledge)
