"""Reads article files strictly: every problem is reported with its file and line, nothing guessed.

Authors fix files from these messages, so each names the line of the offending field.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from urllib.parse import urlparse

import yaml

from knowledge.models import Article

MAX_TITLE = 80
MAX_BODY = 6000
REVIEW_STATES = ("draft", "reviewed")
REQUIRED = ("title", "category", "keywords", "sources", "last_reviewed", "review")
OPTIONAL: tuple[str, ...] = ()
_LISTS = ("keywords", "sources")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FENCE = "---"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, at a 1-based line (0 when the file itself is missing)."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ArticleError(Exception):
    """The article files have problems; nothing should be loaded until they are fixed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def check_articles(
    root: Path, topics: dict[str, str], languages: Collection[str]
) -> list[Problem]:
    """Every problem in the article files under root (empty when all is well)."""
    return read_articles(root, topics, languages)[1]


def load_articles(root: Path, topics: dict[str, str], languages: Collection[str]) -> list[Article]:
    """All articles under root; raises ArticleError listing every problem if there is any."""
    articles, problems = read_articles(root, topics, languages)
    if problems:
        raise ArticleError(problems)
    return articles


def read_articles(
    root: Path, topics: dict[str, str], languages: Collection[str]
) -> tuple[list[Article], list[Problem]]:
    """The good articles and the problems of the bad files, for tools that must keep going."""
    articles: list[Article] = []
    problems: list[Problem] = []
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    for folder in folders:
        files = sorted(folder.glob("*.md"))
        if folder.name not in topics:
            problems += [
                Problem(f, 1, f"unknown slug {folder.name!r} (not in topics)") for f in files
            ]
            continue
        for path in files:
            if path.stem not in languages:
                problems.append(Problem(path, 1, f"unknown language {path.stem!r}"))
                continue
            article, found = read_article(path, folder.name, topics[folder.name])
            problems += found
            if article is not None:
                articles.append(article)
    for slug in topics:
        english = root / slug / "en.md"
        if not english.is_file():
            problems.append(Problem(english, 0, f"slug {slug!r} has no English article"))
    return articles, problems


def read_article(path: Path, slug: str, category: str) -> tuple[Article | None, list[Problem]]:
    """One file parsed and checked; the article is None whenever a problem was found."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(path, line, "file is not UTF-8")]
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != _FENCE:
        return None, [Problem(path, 1, "front matter must start with a '---' line")]
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() == _FENCE), None)
    if closing is None:
        return None, [Problem(path, 1, "front matter has no closing '---' line")]
    fields, problems = _parse_front_matter(path, "\n".join(lines[1:closing]))
    if fields is None:
        return None, problems
    values = _check_fields(path, fields, category, problems)
    body = "\n".join(lines[closing + 1 :]).strip()
    body_line = closing + 2
    if not body:
        problems.append(Problem(path, body_line, "body is empty"))
    elif len(body) > MAX_BODY:
        problems.append(
            Problem(path, body_line, f"body has {len(body)} characters (max {MAX_BODY})")
        )
    if problems:
        return None, problems
    article = Article(
        slug=slug,
        lang=path.stem,
        category=cast(str, values["category"]),
        title=cast(str, values["title"]),
        keywords=cast(tuple[str, ...], values["keywords"]),
        sources=cast(tuple[str, ...], values["sources"]),
        last_reviewed=cast(datetime.date, values["last_reviewed"]),
        review=cast(str, values["review"]),
        body=body,
    )
    return article, []


_Field = tuple[int, yaml.Node]


def _parse_front_matter(path: Path, text: str) -> tuple[dict[str, _Field] | None, list[Problem]]:
    """The front matter's fields as (line, YAML node), keeping lines for later messages."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(path, line, f"front matter is not valid YAML: {reason}")]
    if not isinstance(node, yaml.MappingNode):
        line = node.start_mark.line + 2 if node is not None else 1
        return None, [Problem(path, line, "front matter must be 'field: value' lines")]
    fields: dict[str, _Field] = {}
    problems: list[Problem] = []
    for key, value in node.value:
        line = key.start_mark.line + 2
        name = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
        if name in fields:
            problems.append(Problem(path, line, f"field {name!r} appears twice"))
        elif name not in REQUIRED and name not in OPTIONAL:
            problems.append(Problem(path, line, f"unknown field {name!r}"))
        else:
            fields[name] = (line, value)
    return fields, problems


def _check_fields(
    path: Path, fields: dict[str, _Field], category: str, problems: list[Problem]
) -> dict[str, object]:
    """Field values converted to Python, appending a problem for each bad one."""
    values: dict[str, object] = {}
    for name in REQUIRED:
        if name not in fields:
            problems.append(Problem(path, 1, f"missing required field {name!r}"))
    for name, (line, node) in fields.items():
        if name in _LISTS:
            items = _string_list(path, name, line, node, problems)
            if items is not None:
                values[name] = items
            continue
        if not isinstance(node, yaml.ScalarNode):
            problems.append(Problem(path, line, f"{name} must be a single value, not a list"))
            continue
        value = node.value.strip()
        if name == "title":
            if not value:
                problems.append(Problem(path, line, "title is empty"))
            elif len(value) > MAX_TITLE:
                problems.append(Problem(path, line, f"title is over {MAX_TITLE} characters"))
        elif name == "category" and value != category:
            problems.append(
                Problem(path, line, f"category {value!r} is not the slug's category {category!r}")
            )
        elif name == "review" and value not in REVIEW_STATES:
            problems.append(
                Problem(path, line, f"review must be one of {', '.join(REVIEW_STATES)}")
            )
        elif name == "last_reviewed":
            date = _date(value)
            if date is None:
                problems.append(
                    Problem(path, line, f"last_reviewed {value!r} is not a YYYY-MM-DD date")
                )
            values[name] = date
            continue
        values[name] = value
    for line, url in _items_with_lines(fields.get("sources")):
        if not _is_url(url):
            problems.append(Problem(path, line, f"source {url!r} is not an http(s) URL"))
    return values


def _string_list(
    path: Path, name: str, line: int, node: yaml.Node, problems: list[Problem]
) -> tuple[str, ...] | None:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(path, line, f"{name} must be a list"))
        return None
    items: list[str] = []
    for item in node.value:
        item_line = item.start_mark.line + 2
        if not isinstance(item, yaml.ScalarNode) or not item.value.strip():
            problems.append(Problem(path, item_line, f"{name} items must be non-empty text"))
            continue
        items.append(item.value.strip())
    if not items:
        problems.append(Problem(path, line, f"{name} is empty"))
    return tuple(items)


def _items_with_lines(field: _Field | None) -> Iterator[tuple[int, str]]:
    if field is None or not isinstance(field[1], yaml.SequenceNode):
        return
    for item in field[1].value:
        if isinstance(item, yaml.ScalarNode) and item.value.strip():
            yield item.start_mark.line + 2, item.value.strip()


def _date(value: str) -> datetime.date | None:
    if not _DATE.match(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _is_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and " " not in value
