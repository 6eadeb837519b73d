"""Settings built in code, a migrated database per test (SQLite, or PostgreSQL when
SATHI_TEST_DATABASE_URL is set), and the repository's articles loaded once."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from knowledge.facts import load_facts
from knowledge.loader import load_articles
from knowledge.models import Article as ArticleFile
from knowledge.topics import load_topics
from sathi import paths
from sathi.crypto import new_key
from sathi.db import Base
from sathi.runtime import Runtime, open_runtime
from sathi.services.articles import import_articles
from sathi.settings import Settings, get_settings

TEST_DATABASE_URL = os.environ.get("SATHI_TEST_DATABASE_URL")

# Nothing from the developer's environment or .env may leak into a test.
for _name in list(os.environ):
    if _name.startswith("SATHI_") and _name != "SATHI_TEST_DATABASE_URL":
        del os.environ[_name]


@pytest.fixture
def make_settings(tmp_path: Path):
    """Builds settings in code for a test, on its own data folder and database."""

    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path / "var",
            "data_key": new_key(),
            "_env_file": None,
        }
        if TEST_DATABASE_URL:
            values["database_url"] = TEST_DATABASE_URL
        values.update(overrides)
        return get_settings(**values)

    return build


@pytest.fixture
def settings(make_settings) -> Settings:
    """Default test settings."""
    return make_settings()


async def _empty_tables(runtime: Runtime) -> None:
    async with runtime.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(text(f'DELETE FROM "{table.name}"'))


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A migrated, empty database and everything else an entry point opens."""
    runtime = await open_runtime(settings)
    if TEST_DATABASE_URL:
        await _empty_tables(runtime)
    try:
        yield runtime
    finally:
        if TEST_DATABASE_URL:
            await _empty_tables(runtime)
        await runtime.close()


@pytest.fixture(scope="session")
def article_files() -> list[ArticleFile]:
    """The repository's articles, validated, read once per test run."""
    settings = Settings(_env_file=None)
    return load_articles(paths.KNOWLEDGE_DIR, load_topics(paths.TOPICS_FILE), settings.languages)


@pytest.fixture
async def imported(runtime: Runtime, article_files: list[ArticleFile]) -> Runtime:
    """The runtime with the repository's articles imported and the search index built."""
    async with runtime.sessionmaker.begin() as session:
        await import_articles(session, article_files, facts=load_facts(paths.FACTS_FILE))
    await runtime.knowledge.refresh()
    return runtime
