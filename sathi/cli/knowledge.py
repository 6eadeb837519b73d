"""`sathi knowledge check|import`: validate the article files, load them into the database."""

import argparse
import asyncio
import sys

from knowledge import triage
from knowledge.loader import ArticleError, check_articles, load_articles
from knowledge.numbers import number_mismatches
from knowledge.topics import load_topics
from sathi.runtime import open_runtime
from sathi.services.articles import import_articles
from sathi.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the sub-command."""
    parser = subparsers.add_parser("knowledge", help="article files")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("check",
        help="validate every article file, the numbers in translations and the triage files; "
             "exit 1 on any problem",
    )
    actions.add_parser("import", help="load the article files into the database (idempotent)")
    parser.set_defaults(func=run)


def _check(settings: Settings) -> int:
    topics = load_topics(settings.topics_file)
    problems: list[object] = list(
        check_articles(settings.knowledge_dir, topics, settings.languages)
    )
    if not problems:
        articles = load_articles(settings.knowledge_dir, topics, settings.languages)
        problems.extend(number_mismatches(articles))
    problems.extend(triage.check())
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{len(articles)} article files OK; triage files OK")
    return 0


async def _import(settings: Settings) -> int:
    topics = load_topics(settings.topics_file)
    try:
        articles = load_articles(settings.knowledge_dir, topics, settings.languages)
    except ArticleError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("nothing imported: fix the files first (sathi knowledge check)", file=sys.stderr)
        return 1
    runtime = await open_runtime(settings)
    try:
        async with runtime.sessionmaker.begin() as session:
            report = await import_articles(session, articles)
    finally:
        await runtime.close()
    print(
        f"imported: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.removed} removed"
    )
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Runs the action."""
    if args.action == "check":
        return _check(settings)
    return asyncio.run(_import(settings))
