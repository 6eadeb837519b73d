"""Where a py-spy profile's time went: its raw samples summed per function (not a test).

Usage: python benchmarks/stacks.py FILE [--top N] [--match TEXT]

FILE is `py-spy record --format raw` output (one line per distinct stack: frames from the
outside in, separated by ";", then the sample count), as `bot_bench.py --profile` writes it.
Printed: the share of samples in which each function is on the stack (total) and at the top
(self), the busiest first; `--match` keeps only stacks through a frame containing TEXT.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_LINE = re.compile(r" \(([^)]*?):\d+\)$")


def _function(frame: str) -> str:
    """`name (path:line)` without the line: one row per function."""
    return _LINE.sub(lambda found: f" ({found.group(1)})", frame)


def summarise(path: Path, match: str | None = None) -> tuple[int, Counter[str], Counter[str]]:
    """(samples, total samples per function, self samples per function)."""
    total: Counter[str] = Counter()
    own: Counter[str] = Counter()
    samples = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit() or (match and match not in stack):
            continue
        frames = [_function(frame) for frame in stack.split(";")]
        samples += int(count)
        for function in set(frames):
            total[function] += int(count)
        own[frames[-1]] += int(count)
    return samples, total, own


def print_summary(path: Path, *, top: int = 30, match: str | None = None) -> None:
    """Prints the busiest functions by total and by self samples."""
    samples, total, own = summarise(path, match)
    print(f"{samples} samples" + (f" through {match!r}" if match else ""))
    if not samples:
        return
    for title, counts in (("total", total), ("self", own)):
        print(f"  {title:>6} %  function")
        for function, count in counts.most_common(top):
            print(f"  {100 * count / samples:>8.1f}  {function}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--match", help="only stacks with a frame containing this text")
    args = parser.parse_args()
    print_summary(args.file, top=args.top, match=args.match)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
