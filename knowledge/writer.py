"""Article files written back in the format of knowledge/README.md (for `sathi knowledge export`).

The same article always gives the same bytes, and reading the file back gives the same article,
so a guide kept in git only shows the changes people made.
"""

from __future__ import annotations

import json
import re

import yaml

from knowledge.models import Article

_FLOW_UNSAFE = set(",[]{}#&*!|>'\"%@`?:")
# Text that is certainly a plain YAML scalar (most keywords and titles): no need to ask YAML.
_SURELY_PLAIN = re.compile(r"^[^\W_][\w .()'’/+-]*(?<! )$")


def _scalar(text: str, *, flow: bool = False) -> str:
    """Plain when YAML reads it back as the same text, else a double-quoted string."""
    if _SURELY_PLAIN.match(text):
        return text
    plain = (
        text == text.strip()
        and not (flow and _FLOW_UNSAFE & set(text))
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and "\n" not in text
    )
    if plain:  # the loader reads scalar nodes as text, so 1345 may stay unquoted
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            node = None
        plain = isinstance(node, yaml.ScalarNode) and node.style is None and node.value == text
    return text if plain else json.dumps(text, ensure_ascii=False)


def _flow_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(_scalar(item, flow=True) for item in items) + "]"


def article_text(article: Article) -> str:
    """The article file: front matter, then the body."""
    lines = [
        "---",
        f"title: {_scalar(article.title)}",
        f"category: {_scalar(article.category)}",
        f"keywords: {_flow_list(article.keywords)}",
        "sources:",
        *(f"  - {_scalar(url)}" for url in article.sources),
        f"last_reviewed: {article.last_reviewed.isoformat()}",
        f"review: {article.review}",
    ]
    lines.append("---")
    return "\n".join(lines) + "\n" + article.body.strip() + "\n"
