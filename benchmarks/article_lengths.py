"""How long an article is on a phone as first shown, per language (characters a worker reads).

Usage: python benchmarks/article_lengths.py

"First shown" is what opening an article sends before any "More" button is pressed: the title,
the lead and the first section, with only the reader's own country's notes (bot/sections.py).
The whole article's length is given beside it.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import render, sections  # noqa: E402
from knowledge.loader import read_articles  # noqa: E402
from knowledge.topics import load_topics  # noqa: E402

LANGUAGES = ("en", "ne", "bn", "tl", "ko")


def first_shown(article) -> int:
    """Characters of the first message(s) as the worker reads them (markup removed)."""
    phone = sections.for_phone(article, article.lang)
    doc = render.Doc().add(article.title, "bold").add("\n\n").add_markdown(phone.first)
    return len(doc.text)


def whole(article) -> int:
    doc = render.Doc().add(article.title, "bold").add("\n\n").add_markdown(article.body)
    return len(doc.text)


def main() -> int:
    articles, _problems = read_articles(
        ROOT / "knowledge" / "articles", load_topics(ROOT / "knowledge" / "topics.tsv"), LANGUAGES
    )
    print(f"{'lang':<5}{'n':>4}{'first shown (median)':>22}{'max':>6}{'whole (median)':>16}")
    for lang in LANGUAGES:
        mine = [a for a in articles if a.lang == lang]
        if not mine:
            continue
        shown = [first_shown(a) for a in mine]
        print(f"{lang:<5}{len(mine):>4}{statistics.median(shown):>22.0f}{max(shown):>6}"
              f"{statistics.median(whole(a) for a in mine):>16.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
