"""Admin API at scale: 100,000 cases, 100 requests/s, p95 per endpoint on SQLite and PostgreSQL.

Usage: python benchmarks/api_bench.py [--seconds S] [--rate R] [--cases N]
                                      [--only sqlite|postgresql] [--pg-url URL] [--data-dir DIR]
(`make bench-api` runs it with the defaults: 20 s at 100 requests/s on 100,000 cases.)

For each database: a seeded data folder (benchmarks/seed_cases.py; reused when it already holds
N cases, made again otherwise): `DIR/sqlite` (default `var/bench/sqlite`) and, when
127.0.0.1:5432 answers, `DIR/postgresql` with the database of --pg-url (default
postgresql://postgres@127.0.0.1:5432/sathi_bench, created if missing; its schema is dropped
before a new seed). The migrations run first, so a seed made before a new index gets it.

The real admin API (admin_api.main.create_app on the same runtime `sathi run` opens) then runs
under uvicorn, on the event loop `sathi run` uses (uvloop where installed), in a child process
of its own (`--serve`), so the driver and the server share neither an event loop nor a GIL.
The driver logs in over HTTP as the admin `bench-admin` and as the Nepali volunteer
`bench-ne-1`, sends a warm-up of 2 s, then an open-loop load: request i is due at start + i/R
whatever the answers before it, and its latency runs from when it was due to its answer's last
byte (so a server that falls behind shows it). The mix, in turn:

- list_default    volunteer, GET /cases (their languages, closed left out)
- list_lang_status admin, GET /cases?lang=L&status=S (L and S in turn)
- list_deep_offset admin, GET /cases?status=<all five>&offset=O, O from 80,000 to the last page
- list_cursor     admin, GET /cases?status=<all five>&cursor=C, C a next_cursor that came back
                  earlier (deep pages as well as early ones)
- detail_id       volunteer, GET /cases/{id} of a Nepali case
- detail_reference admin, GET /cases/{reference}

Printed per database and endpoint: count, p50/p95/p99/max in ms, errors (not 2xx, or no
answer), and whether p95 < 50 ms; with /proc/loadavg before and after (the machine may be
shared) and the server process's CPU time per request (above 1000/R ms it cannot keep up
however idle the machine) and this driver's (an aiohttp client, in the other process), and
for a PostgreSQL on this host the CPU of its backends serving the
bench database (the same two cores; a backend that exited during the run, a connection the pool
closed, is not counted). Exit 1 when an endpoint misses the target or has errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import seed_cases  # noqa: E402

TARGET_MS = 50.0
API = "/api/v1"
ALL_STATUSES = ("new", "assigned", "waiting_for_worker", "resolved", "closed")
MIX = ("list_default", "list_lang_status", "detail_id", "list_cursor", "list_deep_offset",
       "detail_id", "list_default", "detail_reference", "list_lang_status", "list_cursor")
VOLUNTEER = "bench-ne-1"
START_TIMEOUT = 60.0


def _loadavg() -> str:
    with contextlib.suppress(OSError):
        return Path("/proc/loadavg").read_text().strip()
    return "?"


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backends_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of each local PostgreSQL backend serving `database` (by its title)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if title.startswith("postgres: ") and f" {database} " in title:
                found[int(entry.name)] = _cpu_seconds(int(entry.name))
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- the data


async def _create_postgres(url: str) -> None:
    """Creates the bench database if missing."""
    import asyncpg

    base, name = url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)
    admin = await asyncpg.connect(base + "/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _reset_postgres(url: str) -> None:
    """Drops the bench database's schema (a bench database only)."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


@dataclass
class Targets:
    """What the load asks for: case ids and references that exist."""

    ne_ids: list[int]
    references: list[str]
    total: int


async def _state(data_dir: Path, database_url: str | None, cases: int) -> str:
    """"seeded", "empty" or "other" (cases of another seed)."""
    from sqlalchemy import select

    from sathi.models import Case
    from sathi.runtime import open_runtime

    runtime = await open_runtime(seed_cases.settings_for(data_dir, database_url))
    try:
        if await seed_cases.is_seeded(runtime, cases):
            return "seeded"
        async with runtime.sessionmaker() as session:
            empty = await session.scalar(select(Case.id).limit(1)) is None
        return "empty" if empty else "other"
    finally:
        await runtime.close()


async def prepare(data_dir: Path, database_url: str | None, cases: int) -> Targets:
    """A seeded database (reused or made) and the ids the load will ask for."""
    from sqlalchemy import select

    from sathi.models import Case
    from sathi.runtime import open_runtime

    if database_url:
        await _create_postgres(database_url)
    state = await _state(data_dir, database_url, cases)
    if state == "other":
        if database_url:
            await _reset_postgres(database_url)
        shutil.rmtree(data_dir)
    runtime = await open_runtime(seed_cases.settings_for(data_dir, database_url))
    try:
        if state == "seeded":
            print(f"  reusing the {cases} cases of {data_dir}", file=sys.stderr)
        else:
            seconds = await seed_cases.seed(runtime, cases=cases)
            print(f"  seeded {cases} cases in {seconds:.0f} s", file=sys.stderr)
        async with runtime.sessionmaker() as session:
            rows = (await session.execute(select(Case.id, Case.reference, Case.lang))).all()
    finally:
        await runtime.close()
    sample = random.Random(7).sample(rows, min(len(rows), 5000))
    return Targets(ne_ids=[r.id for r in sample if r.lang == "ne"],
                   references=[r.reference for r in sample], total=len(rows))


# ---------------------------------------------------------------- the server (child process)


def serve(data_dir: Path, database_url: str | None, port: int) -> None:
    """Runs the admin API under uvicorn on 127.0.0.1:port until SIGTERM (or SIGINT)."""
    import uvicorn

    from admin_api.main import create_app
    from sathi.cli.run import loop_factory
    from sathi.runtime import open_runtime

    async def main() -> None:
        runtime = await open_runtime(seed_cases.settings_for(data_dir, database_url),
                                     migrate=False)
        config = uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port,
                                log_level="warning", access_log=False)
        try:
            await uvicorn.Server(config).serve()
        finally:
            await runtime.close()

    with contextlib.suppress(KeyboardInterrupt), asyncio.Runner(
            loop_factory=loop_factory()) as runner:
        runner.run(main())


@contextlib.contextmanager
def server(data_dir: Path, database_url: str | None):  # noqa: ANN201
    """The API in a child process; yields its base URL and pid, and stops it afterwards."""
    port = _free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", "--data-dir",
               str(data_dir), "--port", str(port)]
    if database_url:
        command += ["--database-url", database_url]
    child = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _port_open("127.0.0.1", port):
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the admin API did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", child.pid
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)  # uvicorn shuts down; SIGINT would cancel it
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()


# ---------------------------------------------------------------- the load


@dataclass
class Load:
    """The state of one run: who asks, what for, and what came back."""

    client: aiohttp.ClientSession
    base_url: str
    targets: Targets
    admin: dict[str, str]
    volunteer: dict[str, str]
    rng: random.Random = field(default_factory=lambda: random.Random(3))
    cursors: list[str] = field(default_factory=list)
    langs: itertools.cycle = field(default_factory=lambda: itertools.cycle(
        ["ne", "bn", "tl", "ko", "en"]))
    statuses: itertools.cycle = field(default_factory=lambda: itertools.cycle(
        ["new", "assigned", "waiting_for_worker", "resolved", "closed"]))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    notes: set[str] = field(default_factory=set)
    achieved: float = 0.0
    server_cpu: float = 0.0
    driver_cpu: float = 0.0
    database_cpu: float | None = None

    def request(self, kind: str) -> tuple[str, dict, dict[str, str]]:
        """The path, query and headers of one request of this kind."""
        everything = {"status": list(ALL_STATUSES)}
        if kind == "list_default":
            return "/cases", {}, self.volunteer
        if kind == "list_lang_status":
            return "/cases", {"lang": next(self.langs), "status": next(self.statuses)}, self.admin
        if kind == "list_deep_offset":
            last = max(self.targets.total - 50, 0)
            offset = self.rng.randint(min(80_000, last), last)
            return "/cases", {**everything, "offset": offset}, self.admin
        if kind == "list_cursor":
            query = dict(everything)
            if self.cursors:
                query["cursor"] = self.rng.choice(self.cursors[-200:])
            return "/cases", query, self.admin
        if kind == "detail_id":
            return f"/cases/{self.rng.choice(self.targets.ne_ids)}", {}, self.volunteer
        return f"/cases/{self.rng.choice(self.targets.references)}", {}, self.admin

    async def one(self, kind: str, due: float, record: bool) -> None:
        """Sends one request and records its latency from when it was due."""
        path, query, headers = self.request(kind)
        params = [(key, str(value)) for key, values in query.items()
                  for value in (values if isinstance(values, list) else [values])]
        try:
            async with self.client.get(self.base_url + API + path, params=params,
                                       headers=headers) as response:
                ok = 200 <= response.status < 300
                body = json.loads(await response.read()) if ok else None
            if ok and kind == "list_cursor":
                cursor = body.get("next_cursor", "absent")
                if cursor == "absent":
                    self.notes.add("list_cursor: no next_cursor (keyset paging unsupported)")
                elif cursor:
                    self.cursors.append(cursor)
            if ok and kind.startswith("detail") and "decrypts" not in self.notes:
                texts = [m["text"] for m in body["messages"]]
                self.notes.add("decrypts" if all(texts) else "detail without text")
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        if record:
            self.latencies[kind].append((time.perf_counter() - due) * 1000)
            if not ok:
                self.errors[kind] += 1

    async def run(self, rate: float, seconds: float, record: bool) -> float:
        """Open loop: request i is sent at start + i/rate; returns the rate they were sent at."""
        tasks = []
        start = time.perf_counter()
        kinds = itertools.cycle(MIX)
        for i in range(int(rate * seconds)):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.one(next(kinds), due, record)))
        sent = len(tasks) / (time.perf_counter() - start)
        await asyncio.gather(*tasks)
        return sent


async def _login(client: aiohttp.ClientSession, base_url: str, username: str) -> dict[str, str]:
    async with client.post(f"{base_url}{API}/auth/token", raise_for_status=True,
                           data={"username": username, "password": seed_cases.PASSWORD}) as answer:
        token = (await answer.json())["access_token"]
    return {"Authorization": f"Bearer {token}"}


async def drive(
    base_url: str, server_pid: int, targets: Targets, rate: float, seconds: float,
    database: str | None = None,
) -> Load:
    """Logs in, warms up for 2 s, then measures `seconds` of load (and the server's CPU).

    With `database` (PostgreSQL on this host), also the CPU of the backends serving it.
    """
    async with aiohttp.ClientSession(  # the bot's client: less CPU per call than httpx
        connector=aiohttp.TCPConnector(limit=200), timeout=aiohttp.ClientTimeout(total=30),
    ) as client:
        load = Load(client, base_url, targets, await _login(client, base_url, seed_cases.ADMIN),
                    await _login(client, base_url, VOLUNTEER))
        await load.run(rate, 2.0, record=False)
        cpu, driver = _cpu_seconds(server_pid), time.process_time()
        backends = _backends_cpu(database) if database else {}
        load.achieved = await load.run(rate, seconds, record=True)
        load.server_cpu = _cpu_seconds(server_pid) - cpu
        load.driver_cpu = time.process_time() - driver
        if database:
            load.database_cpu = sum(spent - backends.get(pid, 0.0)
                                    for pid, spent in _backends_cpu(database).items())
        return load


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name: str, load: Load) -> bool:
    """Prints one table; True when every endpoint met the target without errors."""
    count = sum(len(values) for values in load.latencies.values())
    print(f"\n{name}: {load.achieved:.1f} requests/s sent; load average {_loadavg()}")
    print(f"  server CPU: {load.server_cpu * 1000 / max(count, 1):.1f} ms per request "
          f"({load.server_cpu:.1f} s for {count} requests); this driver's: "
          f"{load.driver_cpu * 1000 / max(count, 1):.1f} ms per request")
    if load.database_cpu is not None:
        print(f"  PostgreSQL backends' CPU: {load.database_cpu * 1000 / max(count, 1):.1f} ms "
              "per request (on this host)")
    print(f"  {'endpoint':<18}{'count':>6}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}"
          f"{'errors':>8}  p95 < {TARGET_MS:.0f} ms")
    good = True
    for kind in dict.fromkeys(sorted(MIX)):
        values = load.latencies.get(kind, [])
        if not values:
            continue
        p95 = _percentile(values, 0.95)
        met = p95 < TARGET_MS and not load.errors[kind]
        good &= met
        print(f"  {kind:<18}{len(values):>6}{statistics.median(values):>9.1f}{p95:>9.1f}"
              f"{_percentile(values, 0.99):>9.1f}{max(values):>9.1f}{load.errors[kind]:>8}"
              f"  {'yes' if met else 'NO'}")
    for note in sorted(load.notes - {"decrypts"}):
        print(f"  note: {note}")
    decrypts = "yes" if "decrypts" in load.notes else "NO"
    print(f"  case detail decrypts the seeded words: {decrypts}")
    return good


def main() -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/sathi_bench")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.data_dir, args.database_url, args.port)
        return 0
    databases = []
    if args.only in (None, "sqlite"):
        databases.append(("sqlite", args.data_dir / "sqlite", None))
    if args.only in (None, "postgresql"):
        if _port_open("127.0.0.1", 5432):
            databases.append(("postgresql", args.data_dir / "postgresql", args.pg_url))
        else:
            print("PostgreSQL: nothing answers on 127.0.0.1:5432, skipped", file=sys.stderr)
    print(f"{args.rate:.0f} requests/s for {args.seconds:.0f} s on {args.cases} cases; "
          f"load average {_loadavg()}")
    good = True
    for name, data_dir, url in databases:
        print(f"{name}: preparing {data_dir}", file=sys.stderr)
        targets = asyncio.run(prepare(data_dir, url, args.cases))
        local = url and url.rsplit("@", 1)[-1].split("/")[0].split(":")[0] in (
            "127.0.0.1", "localhost")
        with server(data_dir, url) as (base_url, pid):
            load = asyncio.run(drive(base_url, pid, targets, args.rate, args.seconds,
                                     database=url.rsplit("/", 1)[1] if local else None))
        good &= report(name, load)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
