"""`sathi knowledge check|import|export`: validate the files, load them, write them back out."""

import argparse
import asyncio
import shutil
import sys
from pathlib import Path

from knowledge import triage
from knowledge.facts import dump_facts, read_facts, unknown_references
from knowledge.loader import check_articles, load_articles
from knowledge.numbers import number_mismatches
from knowledge.topics import load_topics
from knowledge.writer import article_text
from sathi.enums import ChangeKind
from sathi.runtime import open_runtime
from sathi.services import editing
from sathi.services import facts as fact_service
from sathi.services.articles import import_articles, published_files
from sathi.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the sub-command."""
    parser = subparsers.add_parser("knowledge", help="article and fact files")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("check",
        help="validate every article file, facts.yaml, the numbers and facts in translations "
             "and the triage files; exit 1 on any problem",
    )
    importing = actions.add_parser(
        "import", help="load the files into the database as published revisions (an unchanged "
                       "file creates nothing)",
    )
    importing.add_argument(
        "--minor", action="store_true",
        help="the English changes are minor (typos, wording): translations are not marked stale",
    )
    importing.add_argument(
        "--draft", action="store_true",
        help="publish nothing: each changed file becomes a draft revision to submit, review and "
             "publish through /api/v1/articles (facts are not imported)",
    )
    importing.add_argument(
        "--from", dest="source", type=Path, default=None, metavar="DIR",
        help="a folder written by `export` (articles/, facts.yaml, topics.tsv) instead of "
             "the configured knowledge files",
    )
    exporting = actions.add_parser(
        "export", help="write the published articles, facts and topics as files into DIR",
    )
    exporting.add_argument("directory", type=Path, metavar="DIR")
    parser.set_defaults(func=run)


def _files(settings: Settings, source: Path | None) -> tuple[Path, Path, Path]:
    if source is None:
        return settings.knowledge_dir, settings.topics_file, settings.facts_file
    return source / "articles", source / "topics.tsv", source / "facts.yaml"


def _problems(settings: Settings, source: Path | None = None) -> tuple[list[object], list, dict]:
    articles_dir, topics_file, facts_file = _files(settings, source)
    topics = load_topics(topics_file)
    facts, fact_problems = read_facts(facts_file)
    file_problems = check_articles(articles_dir, topics, settings.languages)
    problems: list[object] = [*fact_problems, *file_problems]
    articles = []
    if not file_problems:
        articles = load_articles(articles_dir, topics, settings.languages)
        problems.extend(number_mismatches(articles))
        problems.extend(unknown_references(facts, (
            (f"{articles_dir / a.slug / a.lang}.md", f"{a.title}\n{a.body}") for a in articles
        )))
    return problems, articles, facts


def _report(problems: list[object]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s)", file=sys.stderr)


def _check(settings: Settings) -> int:
    problems, articles, facts = _problems(settings)
    problems.extend(triage.check())
    if problems:
        _report(problems)
        return 1
    print(f"{len(articles)} article files OK, {len(facts)} facts OK; triage files OK")
    return 0


async def _import(settings: Settings, source: Path | None, minor: bool, draft: bool) -> int:
    problems, articles, facts = _problems(settings, source)
    if problems:
        _report(problems)
        print("nothing imported: fix the files first (sathi knowledge check)", file=sys.stderr)
        return 1
    runtime = await open_runtime(settings)
    change = ChangeKind.minor if minor else ChangeKind.substantive
    try:
        async with runtime.sessionmaker.begin() as session:
            if draft:  # the drafts may name only facts the database already has
                problems = unknown_references(await fact_service.load_facts(session), (
                    (f"{a.slug}/{a.lang}.md", f"{a.title}\n{a.body}") for a in articles
                ))
                if problems:
                    _report(problems)
                    print("nothing imported: add the facts first (import without --draft, or "
                          "/api/v1/facts)", file=sys.stderr)
                    return 1
            report = await import_articles(
                session, articles, change=change, facts=facts, draft=draft
            )
    finally:
        await runtime.close()
    if draft:
        print(f"drafts for review: {report.added} new articles, {report.updated} changed, "
              f"{report.unchanged} unchanged; nothing published")
        return 0
    print(
        f"imported: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.removed} removed"
    )
    return 0


async def _export(settings: Settings, directory: Path) -> int:
    runtime = await open_runtime(settings)
    try:
        async with runtime.sessionmaker() as session:
            articles = await published_files(session)
            facts = await fact_service.load_facts(session)
    finally:
        await runtime.close()
    written = export_files(directory, articles, facts.values(), settings.topics_file)
    print(f"exported {written} article files, {len(facts)} facts to {directory}")
    return 0


def export_files(directory: Path, articles, facts, topics_file: Path) -> int:  # noqa: ANN001
    """Writes articles/<slug>/<lang>.md, facts.yaml and topics.tsv; returns the article count."""
    root = directory.resolve()
    target = root / "articles"
    if target.exists():
        shutil.rmtree(target)  # the export is the published content: nothing old stays
    for article in articles:
        editing.check_slug(article.slug)
        path = (target / article.slug / f"{article.lang}.md").resolve()
        if root not in path.parents:  # belt and braces: a slug can never leave DIR
            raise ValueError(f"refusing to write outside {root}: {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_text(article), encoding="utf-8")
    (root / "facts.yaml").write_text(dump_facts(facts), encoding="utf-8")
    shutil.copyfile(topics_file, root / "topics.tsv")
    return len(articles)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Runs the action."""
    if args.action == "check":
        return _check(settings)
    if args.action == "export":
        return asyncio.run(_export(settings, args.directory))
    return asyncio.run(_import(settings, args.source, args.minor, args.draft))
