"""The knowledge work of one worker question, in one process: start-up and CPU (not a test).

Usage: python benchmarks/knowledge_work.py [QUERIES.jsonl] [--rounds N] [--kept DIR] [--profile F]

Builds the knowledge base from the repository's articles (the start-up's knowledge part; with
--kept, reads it from DIR as `sathi run` reads its data folder, building it there once), then
does for each question what the bot does for a new worker's text, inside one update's memo:
the language guess (bot/deps.py), triage, the small-talk check in the worker's language and in
the detected one, and the search across both (bot/handlers/search.py). Printed: build seconds,
resident memory after the build, and CPU milliseconds per question (median, p99, mean) for the
first round (word analyses not yet cached) and the later ones. Compare runs with each other.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import guidance  # noqa: E402
from knowledge.loader import read_articles  # noqa: E402
from knowledge.memo import remembering  # noqa: E402
from knowledge.search import KnowledgeBase  # noqa: E402
from knowledge.snapshot import load_or_build  # noqa: E402
from knowledge.topics import load_topics  # noqa: E402
from knowledge.triage import preload, triage  # noqa: E402

LANGUAGES = ("en", "ne", "bn", "tl", "ko")


def _question(kb: KnowledgeBase, text: str) -> None:
    with remembering():
        own = guidance.language_of(kb, list(LANGUAGES), text) or "en"
        triage(text)
        if not guidance.is_small_talk(kb, text, own):
            guidance.answers_across(kb, text, own)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _row(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (f"{name:<8}{len(values):>6}{statistics.median(values):>10.2f}{p99:>9.2f}"
            f"{statistics.fmean(values):>9.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queries", nargs="?", type=Path,
                        default=ROOT.parent / "shared" / "queries-dev.jsonl")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument("--kept", type=Path, metavar="DIR",
                        help="read the index kept in DIR (knowledge/snapshot.py), else build it")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the questions here")
    args = parser.parse_args()
    texts = [json.loads(line)["q"] for line in args.queries.read_text("utf-8").splitlines()
             if line.strip()]

    started, cpu = time.perf_counter(), time.process_time()
    articles, _ = read_articles(ROOT / "knowledge" / "articles",
                                load_topics(ROOT / "knowledge" / "topics.tsv"), LANGUAGES)
    kb = load_or_build(tuple(articles), args.kept) if args.kept else KnowledgeBase(articles)
    preload()
    print(f"build: {time.perf_counter() - started:.2f} s wall, "
          f"{time.process_time() - cpu:.2f} s cpu, rss {_rss_mb():.0f} MB")

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    rounds: list[list[float]] = []
    for _ in range(max(args.rounds, 1)):
        times = []
        for text in texts:
            cpu = time.process_time()
            _question(kb, text)
            times.append((time.process_time() - cpu) * 1000)
        rounds.append(times)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    print(f"{'round':<8}{'n':>6}{'median ms':>10}{'p99 ms':>9}{'mean ms':>9}")
    print(_row("first", rounds[0]))
    if len(rounds) > 1:
        print(_row("later", [t for times in rounds[1:] for t in times]))
    print(f"rss after: {_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
