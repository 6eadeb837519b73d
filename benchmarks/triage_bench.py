"""Triage quality on labelled messages, per language and kind (a benchmark, not a test).

Usage: python benchmarks/triage_bench.py [MESSAGES.jsonl ...] [--queries QUERIES.jsonl] [--misses]

With no file: the shared dev set (../shared/emergency-dev.jsonl from the repository root), this
folder's own set (benchmarks/emergency-own.jsonl) and the tuned set
(benchmarks/emergency-tuned.jsonl: four sets written by helpers who never saw the phrase files,
then used to widen them), which must meet the targets; then the held-out set
(benchmarks/emergency-held-out.jsonl, written the same way and never tuned on: how triage does on
wording it has not seen), printed but not a target. Never add phrases from the held-out set's
misses; write a new one instead. Each line is
{"q": text, "lang": code, "alert": "crisis" | "danger" | "none", "kind": optional}.
Prints recall of crisis and danger messages per language (and per kind where the file has kinds)
and the false-alarm rate (ordinary messages that raised any alert). The ordinary questions of
../shared/queries-dev.jsonl are run too: every alert there counts as a false alarm.
Exit 1 when a target is missed: recall >= 95% per language, false alarms <= 5%.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.triage import triage  # noqa: E402

RECALL_TARGET = 0.95
FALSE_ALARM_TARGET = 0.05


def _read(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise SystemExit(f"{path}:{number}: {error}") from None
    return rows


def _pct(hit: int, total: int) -> str:
    return f"{100 * hit / total:5.1f}% ({hit}/{total})" if total else "    -"


def score(path: Path, misses: bool) -> bool:
    """Prints the tables for one file; True when every target is met."""
    rows = _read(path)
    recall: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    kinds: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    alarms: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong = []
    started = time.perf_counter()
    for row in rows:
        text, lang, expected = row["q"], row["lang"], row.get("alert") or "none"
        alert = triage(text)
        got = alert.level.value if alert else "none"
        if expected == "none":
            alarms[lang][1] += 1
            alarms[lang][0] += got != "none"
        else:
            recall[(lang, expected)][1] += 1
            recall[(lang, expected)][0] += got == expected
            if row.get("kind"):
                kinds[(row["kind"], lang)][1] += 1
                kinds[(row["kind"], lang)][0] += got == expected
        if got != expected:
            flagged = alert.kinds if alert else ""
            wrong.append(f"  {lang} expected {expected}, got {got} {flagged}: {text}")
    elapsed = (time.perf_counter() - started) * 1000 / max(len(rows), 1)
    print(f"\n== {path} ({len(rows)} messages, {elapsed:.2f} ms each)")
    print(f"{'lang':5} {'crisis recall':>18} {'danger recall':>18} {'false alarms':>18}")
    ok = True
    for lang in sorted({row['lang'] for row in rows}):
        crisis, danger, alarm = recall[(lang, "crisis")], recall[(lang, "danger")], alarms[lang]
        print(f"{lang:5} {_pct(*crisis):>18} {_pct(*danger):>18} {_pct(*alarm):>18}")
        for hit, total in (crisis, danger):
            ok &= not total or hit / total >= RECALL_TARGET
        ok &= not alarm[1] or alarm[0] / alarm[1] <= FALSE_ALARM_TARGET
    if kinds:
        print("recall per kind and language:")
        for kind in sorted({kind for kind, _lang in kinds}):
            cells = "  ".join(
                f"{lang} {kinds[(kind, lang)][0]}/{kinds[(kind, lang)][1]}"
                for lang in sorted({lang for k, lang in kinds if k == kind})
            )
            print(f"  {kind:10} {cells}")
    if misses and wrong:
        print("misses:")
        print("\n".join(wrong))
    return ok


def ordinary(path: Path, misses: bool) -> bool:
    """False alarms on ordinary questions (a search queries file)."""
    rows = _read(path)
    alarms: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong = []
    for row in rows:
        text = row.get("q") or row.get("query") or ""
        lang = row.get("lang", "?")
        alert = triage(text)
        alarms[lang][1] += 1
        if alert:
            alarms[lang][0] += 1
            wrong.append(f"  {lang} {alert.level.value} {alert.kinds}: {text}")
    total = [sum(v[0] for v in alarms.values()), sum(v[1] for v in alarms.values())]
    print(f"\n== {path}: ordinary questions raising an alert (false alarms)")
    print("  " + "  ".join(f"{lang} {_pct(*alarms[lang])}" for lang in sorted(alarms)))
    print(f"  all {_pct(*total)}")
    if misses and wrong:
        print("\n".join(wrong))
    return not total[1] or total[0] / total[1] <= FALSE_ALARM_TARGET


def main() -> int:
    """Scores every file given (or the default ones) and says whether the targets are met."""
    shared = ROOT.parent / "shared"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--queries", type=Path, default=shared / "queries-dev.jsonl")
    parser.add_argument("--misses", action="store_true", help="list every wrong answer")
    args = parser.parse_args()
    here = ROOT / "benchmarks"
    files = args.files or [shared / "emergency-dev.jsonl", here / "emergency-own.jsonl",
                           here / "emergency-tuned.jsonl"]
    ok = True
    for path in files:
        if not path.exists():
            print(f"\n== {path}: not found, skipped (pass the file's path)")
            continue
        ok &= score(path, args.misses)
    if not args.files:  # measured, not a target (and its misses are not listed)
        print("\n(held out: never tuned on; not a target)", end="")
        score(here / "emergency-held-out.jsonl", misses=False)
    if args.queries.exists():
        ok &= ordinary(args.queries, args.misses)
    else:
        print(f"\n== {args.queries}: not found, skipped (--queries PATH)")
    missed = "\nTARGETS MISSED (crisis and danger recall >= 95%, false alarms <= 5%)"
    print("\ntargets met" if ok else missed)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
