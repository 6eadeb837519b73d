"""`sathi run`'s start-up: in a fresh data folder, then again in the same one (not a test).

Usage: python benchmarks/start_bench.py [--starts N] [--idle S]

As benchmarks/bot_bench.py starts Sathi (a temporary SQLite data folder, the repository's
articles imported, the tests' fake Bot API), but N times in the same folder: the first start
builds the search index, the later ones read it from the data folder (knowledge/snapshot.py).
Printed per start: seconds from starting the process to its first getUpdates, CPU seconds until
then, and resident MB then and after S more idle seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bot_bench import (  # noqa: E402
    START_TIMEOUT,
    BenchBotApi,
    _cpu_seconds,
    _rss_mb,
    _start,
    _stop,
)


async def _main(args: argparse.Namespace) -> int:
    print(f"{'start':<7}{'start s':>9}{'cpu s':>8}{'rss MB':>8}{'idle rss MB':>13}")
    with tempfile.TemporaryDirectory(prefix="sathi-start-") as tmp:
        for number in range(1, args.starts + 1):
            fake = BenchBotApi()
            await fake.start()
            spawned = time.monotonic()
            process = await _start("sathi", fake.url, Path(tmp))
            try:
                await asyncio.wait_for(fake.polled.wait(), START_TIMEOUT)
                started = time.monotonic() - spawned
                cpu, rss = _cpu_seconds(process.pid), _rss_mb(process.pid)
                await asyncio.sleep(args.idle)
                idle = _rss_mb(process.pid)
            finally:
                await _stop(process)
                await fake.stop()
            kind = "fresh" if number == 1 else "kept"
            print(f"{kind:<7}{started:>9.2f}{cpu:>8.2f}{rss:>8.0f}{idle:>13.0f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="starts in the same data folder")
    parser.add_argument("--idle", type=float, default=8.0, help="seconds idle after a start")
    return asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
