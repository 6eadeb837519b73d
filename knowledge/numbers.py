"""Facts that must agree across translations: every number in a translation is in the English one.

Phone numbers, amounts, percentages and day counts are what hurts a worker when a translation gets
them wrong, so each translation's body must hold exactly the set of numbers of the English body.
Digits of any script count as the same number; thousands separators are ignored. A reference to a
named fact ({{fact:name}}) counts like a number: every translation must name the same facts.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from knowledge.facts import REFERENCE, references
from knowledge.models import Article

_NUMBER = re.compile(r"\d+(?:[.,\-]\d+)*")
REFERENCE_LANG = "en"


def numbers_in(text: str) -> set[str]:
    """The numbers in a text, e.g. {'1350', '10320', '8.3', '1577-0071'}."""
    folded = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)
    return {match.replace(",", "") for match in _NUMBER.findall(folded)}


def _facts_and_numbers(text: str) -> set[str]:
    return numbers_in(REFERENCE.sub(" ", text)) | {f"fact:{name}" for name in references(text)}


def number_mismatches(articles: Iterable[Article]) -> list[str]:
    """One line per translation whose numbers differ from its English article."""
    by_slug: dict[str, dict[str, Article]] = defaultdict(dict)
    for article in articles:
        by_slug[article.slug][article.lang] = article
    problems = []
    for slug, versions in sorted(by_slug.items()):
        reference = versions.get(REFERENCE_LANG)
        if reference is None:
            continue
        expected = _facts_and_numbers(reference.body)
        for lang, article in sorted(versions.items()):
            found = _facts_and_numbers(article.body)
            if found != expected:
                problems.append(
                    f"{slug}/{lang}.md: numbers differ from {REFERENCE_LANG}.md: "
                    f"missing {sorted(expected - found)}, extra {sorted(found - expected)}"
                )
    return problems
