"""`sathi search [--lang LANG] [--top K] [--json] [QUERY]`: ask the knowledge base from a terminal.

With QUERY: a short ranked list (or one JSON object with --json). Without QUERY: one query per
line from stdin, one JSON object per line on stdout, each flushed as soon as it is answered, so
evaluation scripts and other programs can talk to it through a pipe:

    {"query": "...", "lang": "ne", "alert": null, "results": [{"slug": "unpaid-wages", ...}]}

`alert` is "crisis", "danger" or null (knowledge.triage, as in the bot); `results` is empty when
no article answers the query well. Without --lang the language is
detected. Articles are read from the files (settings.knowledge_dir), not the database, so the
command works on a fresh clone and shows what the files say right now.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from knowledge.loader import read_articles
from knowledge.models import SearchHit
from knowledge.search import KnowledgeBase
from knowledge.topics import load_topics
from knowledge.triage import triage

DEFAULT_TOP = 3


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the sub-command."""
    parser = subparsers.add_parser(
        "search",
        help="search the articles (one query, or one per line from stdin)",
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
    )
    parser.add_argument("query", nargs="?", help="the question; without it, read lines from stdin")
    parser.add_argument("--lang", help="language code of the query (default: detect it)")
    parser.add_argument(
        "--top", type=int, default=DEFAULT_TOP, help=f"at most this many results ({DEFAULT_TOP})"
    )
    parser.add_argument("--json", action="store_true", help="print JSON even for one query")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Any) -> int:
    """Builds the index from the article files, then answers the query or the stdin lines."""
    kb = _knowledge_base(settings)
    out = sys.stdout
    if args.query is None:
        _utf8(sys.stdin)
        _utf8(out)
        for line in sys.stdin:
            query = line.rstrip("\r\n")
            print(json.dumps(_answer(kb, query, args), ensure_ascii=False), file=out, flush=True)
        return 0
    answer = _answer(kb, args.query, args)
    if args.json:
        print(json.dumps(answer, ensure_ascii=False), file=out, flush=True)
    else:
        _print_list(kb, answer, out)
    return 0


def _knowledge_base(settings: Any) -> KnowledgeBase:
    """The articles that pass validation; problems are reported, not fatal, for a search tool."""
    topics = load_topics(settings.topics_file)
    articles, problems = read_articles(settings.knowledge_dir, topics, settings.languages)
    if problems:
        print(
            f"sathi search: {len(problems)} article problem(s) ignored; "
            "see `sathi knowledge check`",
            file=sys.stderr,
        )
    return KnowledgeBase(articles)


def _answer(kb: KnowledgeBase, query: str, args: argparse.Namespace) -> dict[str, Any]:
    lang = args.lang or kb.detect_language(query)
    hits: list[SearchHit] = kb.search(query, lang, limit=max(args.top, 0)) if query.strip() else []
    return {
        "query": query,
        "lang": lang,
        "alert": _alert(query),
        "results": [{"slug": hit.slug, "score": round(hit.score, 3)} for hit in hits],
    }


def _alert(query: str) -> str | None:
    """"crisis", "danger" or None: the same triage as the bot's answer and case urgency."""
    alert = triage(query)
    return alert.level.value if alert else None


def _print_list(kb: KnowledgeBase, answer: dict[str, Any], out: TextIO) -> None:
    lang = answer["lang"]
    if answer["alert"]:
        print(f"ALERT: {answer['alert']} (the bot answers with the emergency numbers first)",
              file=out)
    if not answer["results"]:
        print(f"no article answers this well enough (language: {lang})", file=out)
        return
    for rank, result in enumerate(answer["results"], start=1):
        article = kb.get(result["slug"], lang) or kb.get(result["slug"], "en")
        title = article.title if article else ""
        print(f"{rank}. {result['slug']:<26} {result['score']:.3f}  {title}", file=out)
    print(f"(language: {lang})", file=out, flush=True)


def _utf8(stream: TextIO) -> None:
    """Queries come in every script: a pipe in a C locale must not turn them into errors."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(encoding="utf-8")
