"""Emergency words in a worker's message make a case urgent; the words come from the articles."""

import re
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.models import Article


async def alert_words(session: AsyncSession) -> list[str]:
    """Every article's alert words, in every language (workers mix languages)."""
    words: set[str] = set()
    for row in await session.scalars(select(Article.alert_words)):
        words.update(word.strip().lower() for word in row or () if word.strip())
    return sorted(words)


@lru_cache(maxsize=1024)
def _pattern(word: str) -> re.Pattern[str]:
    # Whole words where the word starts or ends with a letter: "arrest" must not match "interest".
    start = r"(?<!\w)" if word[:1].isalnum() else ""
    end = r"(?!\w)" if word[-1:].isalnum() else ""
    return re.compile(start + re.escape(word) + end, re.IGNORECASE)


def mentions_emergency(text: str, words: list[str]) -> bool:
    """True when the text contains one of the words."""
    return any(_pattern(word).search(text) for word in words)


async def is_emergency(session: AsyncSession, text: str | None) -> bool:
    """True when a worker's text contains an emergency word from the articles."""
    if not text:
        return False
    return mentions_emergency(text, await alert_words(session))
