"""Search quality and speed on a queries file, per language (a benchmark, not a test).

Usage: python benchmarks/search_bench.py [QUERIES.jsonl ...] [--own] [--misses] [--no-lang]

With no file, the shared dev set (../shared/queries-dev.jsonl) is used; --own adds this folder's
own set: its two halves (queries-own-tune.jsonl, tuned on, and queries-own-check.jsonl, only
checked) and queries-own-fresh.jsonl, written later as a further check. Each file gets its own
table.

Each line of the queries file is {"id", "lang", "script", "q", "slug"}; slug "none" means the
search should return nothing. Search runs with the query's language given; language detection is
measured separately on the same queries. With --no-lang the language is not given: the search
detects it from the query, as for a worker who never chose one. Latency is per query in a warm
process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.loader import read_articles  # noqa: E402
from knowledge.memo import remembering  # noqa: E402
from knowledge.search import KnowledgeBase  # noqa: E402
from knowledge.topics import load_topics  # noqa: E402

LANGUAGES = ("en", "ne", "bn", "tl", "ko")
WARM_UP = (
    ("en", "hello"),
    ("ko", "안녕하세요"),
    ("ne", "नमस्ते"),
    ("bn", "নমস্কার"),
    ("tl", "kumusta"),
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_queries = ROOT.parent / "shared" / "queries-dev.jsonl"
    parser.add_argument("queries", nargs="*", type=Path, help="queries files (JSON lines)")
    parser.add_argument("--own", action="store_true", help="also report the own set's halves")
    parser.add_argument("--knowledge-dir", type=Path, default=ROOT / "knowledge" / "articles")
    parser.add_argument("--topics", type=Path, default=ROOT / "knowledge" / "topics.tsv")
    parser.add_argument("--misses", action="store_true", help="list every query that missed")
    parser.add_argument("--no-lang", action="store_true", help="search without the language")
    args = parser.parse_args()

    paths = list(args.queries) or [default_queries]
    if args.own:
        own = ("tune", "check", "fresh")
        paths += [ROOT / "benchmarks" / f"queries-own-{part}.jsonl" for part in own]
    articles, problems = read_articles(args.knowledge_dir, load_topics(args.topics), LANGUAGES)
    started = time.perf_counter()
    kb = KnowledgeBase(articles)
    build = time.perf_counter() - started
    print(f"{len(articles)} articles ({len(problems)} file problems), index built in {build:.2f}s")

    for lang, text in WARM_UP:  # loads the lazy analysers
        kb.search(text, lang)
    for path in paths:
        queries = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
        print(f"\n{path.name} ({len(queries)} queries)")
        _report(kb, queries, args.misses, given=not args.no_lang)
    return 0


def _report(kb: KnowledgeBase, queries: list[dict], misses: bool, given: bool = True) -> None:
    """One table: top-1, top-3, rejection of 'none' queries, detection and latency per language."""
    rows: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for query in queries:
        lang, expected = query["lang"], query["slug"]
        with remembering():  # as the bot handles one message (knowledge/memo.py)
            started = time.perf_counter()
            hits = kb.search(query["q"], query["lang"] if given else None)
            elapsed = (time.perf_counter() - started) * 1000
            detected = kb.detect_language(query["q"])
        slugs = [hit.slug for hit in hits]
        for key in (lang, "all"):
            row = rows[key]
            row["ms"].append(elapsed)
            row["detect"].append(detected == lang)
            if expected == "none":
                row["rejected"].append(not hits)
            else:
                row["top1"].append(slugs[:1] == [expected])
                row["top3"].append(expected in slugs[:3])
        missed = (not hits) if expected != "none" else bool(hits)
        missed = missed or (expected != "none" and expected not in slugs[:3])
        if misses and (missed or detected != lang):
            shown = ", ".join(f"{h.slug}:{h.score:.2f}" for h in hits) or "-"
            wanted = f"want={expected:<24}"
            print(f"  {query['id']:<32} det={detected} {wanted} got {shown} | {query['q']}")

    def share(values: list[bool]) -> str:
        return f"{100 * sum(values) / len(values):5.1f}%" if values else "    -"

    header = f"{'lang':<5}{'n':>4}{'top-1':>8}{'top-3':>8}{'none-rej':>10}{'detect':>8}"
    print(header + f"{'median ms':>11}{'p95 ms':>8}")
    for lang in [*sorted(k for k in rows if k != "all"), "all"]:
        row = rows[lang]
        print(
            f"{lang:<5}{len(row['ms']):>4}{share(row['top1']):>8}{share(row['top3']):>8}"
            f"{share(row['rejected']):>10}{share(row['detect']):>8}"
            f"{statistics.median(row['ms']):>11.2f}{_percentile(row['ms'], 0.95):>8.2f}"
        )


if __name__ == "__main__":
    sys.exit(main())
