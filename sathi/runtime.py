"""What an entry point opens once and hands down: engine, sessions, keys, catalogs, knowledge."""

import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from knowledge import triage
from knowledge.search import KnowledgeBase
from sathi import migrations
from sathi.crypto import Vault, vault_from_settings
from sathi.db import make_engine, make_sessionmaker
from sathi.errors import ConfigError
from sathi.i18n import Catalogs, load_catalogs
from sathi.services import articles
from sathi.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class KnowledgeHolder:
    """The search index over the articles in the database, rebuilt when they change."""

    sessionmaker: async_sessionmaker[AsyncSession]
    current: KnowledgeBase = field(default_factory=lambda: KnowledgeBase([]))
    _stamp: tuple[int, str | None] | None = None

    async def refresh(self) -> bool:
        """Reloads the articles if the table changed since the last look; True if it did."""
        async with self.sessionmaker() as session:
            stamp = await articles.content_stamp(session)
            if stamp == self._stamp:
                return False
            loaded = await articles.load_articles(session)
        self.current = KnowledgeBase(loaded)
        self._stamp = stamp
        log.info("knowledge base loaded: %d articles", len(loaded))
        return True


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
    """Opens everything; with migrate, brings the schema up to date first."""
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
    knowledge = KnowledgeHolder(sessionmaker)
    await knowledge.refresh()
    return Runtime(settings, engine, sessionmaker, vault, catalogs, knowledge)
