"""Plain values shared by the loader, the search and the rest of Sathi (no framework imports)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    """One article file: a slug in one language, validated and ready to serve or search."""

    slug: str
    lang: str
    category: str
    title: str
    keywords: tuple[str, ...]
    sources: tuple[str, ...]
    last_reviewed: datetime.date
    review: str
    body: str

    @property
    def lead(self) -> str:
        """The most urgent part: the body before its first `## ` heading."""
        lines: list[str] = []
        for line in self.body.splitlines():
            if line.startswith("## "):
                break
            lines.append(line)
        return "\n".join(lines).strip()


@dataclass(frozen=True)
class SearchHit:
    """A slug that answers a query, with a confidence score (higher is better)."""

    slug: str
    score: float
