"""The loader names every problem with its file and the line of the offending field."""

import datetime
from pathlib import Path

import pytest

from knowledge.loader import ArticleError, Problem, check_articles, load_articles
from knowledge.topics import load_topics

TOPICS = {"unpaid-wages": "at-work", "dismissal": "visa-and-jobs"}
LANGUAGES = ["en", "ne"]
GOOD = """---
title: Wages not paid
category: at-work
keywords: [unpaid wages, talab aayena, 월급]
sources:
  - https://www.moel.go.kr/
last_reviewed: 2026-11-23
review: draft
---
Go to the labour office.

## What to keep
- Payslips.
"""


def _write(root: Path, slug: str, lang: str, text: str | bytes) -> Path:
    path = root / slug / f"{lang}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Two slugs with good English articles; tests add one bad file each."""
    _write(tmp_path, "unpaid-wages", "en", GOOD)
    _write(tmp_path, "dismissal", "en", GOOD.replace("at-work", "visa-and-jobs"))
    return tmp_path


def _only(root: Path) -> Problem:
    problems = check_articles(root, TOPICS, LANGUAGES)
    assert len(problems) == 1, problems
    return problems[0]


def test_good_files_load_into_articles(root: Path):
    articles = load_articles(root, TOPICS, LANGUAGES)
    assert check_articles(root, TOPICS, LANGUAGES) == []
    article = next(a for a in articles if a.slug == "unpaid-wages")
    assert article.lang == "en"
    assert article.category == "at-work"
    assert article.title == "Wages not paid"
    assert article.keywords == ("unpaid wages", "talab aayena", "월급")
    assert article.sources == ("https://www.moel.go.kr/",)
    assert article.last_reviewed == datetime.date(2026, 11, 23)
    assert article.review == "draft"
    assert article.lead == "Go to the labour office."
    assert article.body.endswith("- Payslips.")


def test_load_raises_with_every_problem(root: Path):
    _write(root, "unpaid-wages", "ne", GOOD.replace("review: draft", "review: done"))
    _write(root, "dismissal", "ne", GOOD.replace("title: Wages not paid\n", ""))
    with pytest.raises(ArticleError) as error:
        load_articles(root, TOPICS, LANGUAGES)
    assert len(error.value.problems) == 3  # review, category and missing title


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("category: at-work", "category: help"), 3, "not the slug's category"),
        (("title: Wages not paid", "title: ''"), 2, "title is empty"),
        (("title: Wages not paid", "title: " + "x" * 81), 2, "over 80"),
        (("review: draft", "review: done"), 8, "review must be one of"),
        (("last_reviewed: 2026-11-23", "last_reviewed: 2026-13-40"), 7, "YYYY-MM-DD"),
        (("last_reviewed: 2026-11-23", "last_reviewed: soon"), 7, "YYYY-MM-DD"),
        (("  - https://www.moel.go.kr/", "  - moel.go.kr"), 6, "not an http(s) URL"),
        (("keywords: [unpaid wages, talab aayena, 월급]", "keywords: unpaid wages"), 4, "list"),
        (("sources:\n  - https://www.moel.go.kr/", "sources: SRC"), 5, "must be a list"),
        (("title: Wages not paid", "title: [Wages]"), 2, "single value"),
        (("review: draft", "review: draft\nauthor: me"), 9, "unknown field 'author'"),
        (("title: Wages not paid", "title: Wages: not paid"), 2, "not valid YAML"),
        (("category: at-work\n", ""), 1, "missing required field 'category'"),
    ],
)
def test_each_field_problem_is_reported_at_its_line(root: Path, change, line, words):
    old, new = change
    assert old in GOOD
    path = _write(root, "unpaid-wages", "ne", GOOD.replace(old, new))
    problem = _only(root)
    assert problem.path == path
    assert problem.line == line
    assert words in problem.message
    assert str(problem) == f"{path}:{line}: {problem.message}"


def test_missing_fences_are_reported(root: Path):
    _write(root, "unpaid-wages", "ne", GOOD.removeprefix("---\n"))
    assert "must start with a '---' line" in _only(root).message
    _write(root, "unpaid-wages", "ne", GOOD.replace("---\nGo to", "Go to"))
    assert "no closing '---'" in _only(root).message


def test_empty_and_long_bodies_are_reported_at_the_body_line(root: Path):
    header = GOOD.split("---\nGo to")[0] + "---\n"
    _write(root, "unpaid-wages", "ne", header + "\n\n")
    problem = _only(root)
    assert (problem.line, problem.message) == (10, "body is empty")
    _write(root, "unpaid-wages", "ne", header + "word " * 1300)
    problem = _only(root)
    assert problem.line == 10 and "max 6000" in problem.message


def test_file_that_is_not_utf8_is_reported_at_the_bad_line(root: Path):
    data = GOOD.encode("utf-8").replace(b"labour office", b"caf\xe9")
    path = _write(root, "unpaid-wages", "ne", data)
    problem = _only(root)
    assert (problem.path, problem.line, problem.message) == (path, 10, "file is not UTF-8")


def test_unknown_slug_and_unknown_language(root: Path):
    stray = _write(root, "no-such-topic", "en", GOOD)
    assert "unknown slug 'no-such-topic'" in _only(root).message
    stray.unlink()
    stray.parent.rmdir()
    path = _write(root, "unpaid-wages", "xx", GOOD)
    problem = _only(root)
    assert (problem.path, problem.line) == (path, 1)
    assert "unknown language 'xx'" in problem.message


def test_slug_without_english_article(root: Path):
    (root / "dismissal" / "en.md").unlink()
    _write(root, "dismissal", "ne", GOOD.replace("at-work", "visa-and-jobs"))
    problem = _only(root)
    assert problem.path == root / "dismissal" / "en.md"
    assert "no English article" in problem.message


def test_alert_words_are_gone_from_articles(root: Path):
    """Emergency phrases live in knowledge/triage/ now; an old field is reported, not ignored."""
    text = GOOD.replace("review: draft", "review: reviewed\nalert_words: [help me, 살려주세요]")
    _write(root, "unpaid-wages", "ne", text)
    [problem] = check_articles(root, TOPICS, LANGUAGES)
    assert problem.path == root / "unpaid-wages" / "ne.md"
    assert "unknown field 'alert_words'" in problem.message


def test_topics_file_maps_slugs_to_categories(tmp_path: Path):
    path = tmp_path / "topics.tsv"
    path.write_text("slug\tcategory\twhat\nunpaid-wages\tat-work\tWages\n\n", encoding="utf-8")
    assert load_topics(path) == {"unpaid-wages": "at-work"}


def test_repository_articles_have_no_problems():
    repo = Path(__file__).resolve().parents[2]
    topics = load_topics(repo / "knowledge" / "topics.tsv")
    problems = check_articles(
        repo / "knowledge" / "articles", topics, ["en", "ne", "bn", "tl", "ko"]
    )
    assert problems == []
