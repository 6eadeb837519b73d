"""Bot throughput: a bare PTB echo bot and `sathi run`, on the tests' fake Bot API (not a test).

Usage: python benchmarks/bot_bench.py [--updates N] [--users U] [--rate R] [--seconds S]
                                      [--runs K] [--only echo|sathi] [--queries FILE]
                                      [--profile DIR [--top N]] [--replies FILE]
                                      [--sathi-rate R] [--pg-url URL]

For each bot and each mode a fresh fake Bot API (tests/fakes/bot_api.py, on 127.0.0.1) and a fresh
bot process: the echo bot (benchmarks/echo_bot.py) or `sathi run` with a temporary SATHI_DATA_DIR
(SQLite), after `sathi knowledge import`. Both get the same injection: worker questions taken
cyclically from ../shared/queries-dev.jsonl (fallback: benchmarks/queries-own-check.jsonl), update
i from user i mod U, each user a private chat asking consecutive questions of the file. Sathi
sends unpaced by default, as the echo bot does (SATHI_TELEGRAM_MESSAGES_PER_SECOND=0: the fake is
a local server with no limit), so the two compare like with like; `--sathi-rate R` paces it at R
messages a second (25 is Sathi's own default, under Telegram's limit). The first line says which.

- burst: all N updates queued at once; updates/s = N / (time of the last update's first reply -
  time queued); stops when every update has a first reply, or after --timeout seconds.
- paced: R updates/s for S seconds; latency of an update = time from its being queued (available
  to getUpdates) to its first reply.

The fake serves at most 100 updates per getUpdates (as Telegram does), and stamps every
sendMessage with its arrival time. Matching replies to updates, per chat (replies in order of
arrival):
- echo: a reply belongs to the earliest update of the chat with the same text that has no reply
  yet; a reply with no such update left is a duplicate; a reply that belongs to an update earlier
  than one already answered breaks the chat's order.
- sathi (its replies do not quote the question): Sathi answers a question with one message with
  buttons (the topics found, an article, or the menu), sometimes after an emergency line (🆘, with
  a button); once per worker whose phone language it does not speak (the bench's users have
  none) the answer is followed by the language prompt ("Choose your language:" in every language,
  with buttons). A chat's replies are cut into series: each starts at a reply with buttons, except
  that a reply without buttons, the language prompt, or the reply right after an emergency line,
  joins the series before it; the k-th series belongs to the chat's k-th update, and its first
  message is that update's first reply. The usual series of each question text (its texts, the
  language prompt left out) is learnt from the chats with exactly one series per update (users
  choose no language and press no button, so the answer depends on the question only). An update
  is lost when the chat's series run out; duplicated when its usual series comes twice in a row
  where another was due, or the chat has more series than updates; the chat's order is broken
  when a series is not its update's usual one but is another update's of the same chat. Limits:
  a danger line with no answer after it, or a crisis line (💛) without buttons, would be miscut
  (and show as lost or duplicated); in ../shared/queries-dev.jsonl the 3 questions that triage
  flags all get an answer after the line (`sathi search --json`). If Sathi's answers change
  shape, this cut must follow: check `replies` against the updates (`--replies FILE` writes
  them).

`--pg-url URL` runs sathi on that PostgreSQL database instead (created if missing, its schema
dropped before each mode, a new data key each time; a bench database only): what production
runs on, where lanes hold up to four transactions at once. The database server's own CPU is not
in the columns below.

Also per mode, for the bot process (Linux /proc): cpu ms/upd, its user and system CPU time from
the first update queued to the end of the mode, divided by the updates; start s, from starting
the process (for sathi after its knowledge import) to its first getUpdates; rss MB, its resident
memory once started and idle. `--profile DIR` runs each sathi under py-spy (a dev dependency):
raw samples of the threads holding the GIL in DIR/sathi-<mode>-<run>.txt (start-up included),
and a summary of where the time went (benchmarks/stacks.py).

A mode ends once every chat has at least one reply per update and nothing was sent for 2 s, or
--timeout seconds after the last update was queued; the bot is then stopped (SIGINT to its
process group, then SIGKILL after 15 s). Every process is stopped on errors and Ctrl-C too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import stacks  # noqa: E402
from benchmarks.api_bench import _create_postgres, _reset_postgres  # noqa: E402
from tests.fakes.bot_api import FakeBotApi, _free_port, _ok  # noqa: E402

TOKEN = "123456:BENCH-token-for-the-fake-bot-api-server"
BASE_USER = 7_000_000_000
MAX_BATCH = 100  # Telegram's getUpdates limit
START_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0
Replies = dict[int, list[tuple[float, str, bool]]]  # chat -> (arrival, text, has buttons)
ALERT = "🆘"  # how Sathi's danger and crisis lines begin (bot/alerts.py)
LANGUAGE_PROMPT = "Choose your language:"  # the English line of bot/render.py language_prompt
QUIET = 2.0  # seconds without a reply that end a mode once every chat has its replies


class BenchBotApi(FakeBotApi):
    """The tests' fake, with arrival times of sendMessage and Telegram's batch limit."""

    def __init__(self) -> None:
        super().__init__()
        self.replies: Replies = defaultdict(list)
        self.queued_at: dict[int, float] = {}
        self.polled = asyncio.Event()
        self.last_reply = 0.0

    def queue_many(self, batch: list[dict[str, Any]]) -> None:
        now = time.monotonic()
        for update in batch:
            self.queued_at[update["update_id"]] = now
            self.updates.append(update)
        self._new_update.set()

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        response = await super()._m_sendMessage(params)
        if response.status_code == 200:
            self.last_reply = time.monotonic()
            self.replies[int(params.get("chat_id", 0))].append(
                (time.monotonic(), str(params.get("text", "")), bool(params.get("reply_markup"))))
        return response

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        self.polled.set()
        offset = int(params.get("offset") or 0)
        limit = min(int(params.get("limit") or MAX_BATCH), MAX_BATCH)
        if self.updates and self.updates[0]["update_id"] < offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                wait = min(float(params.get("timeout") or 0), 0.2)
                await asyncio.wait_for(self._new_update.wait(), wait)
        return _ok(self.updates[:limit])


@dataclass
class Injected:
    update_id: int
    chat: int
    text: str


@dataclass
class Outcome:
    first: dict[int, float] = field(default_factory=dict)  # update id -> first reply time
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0  # chats whose replies broke the order
    replies: int = 0


def _updates(texts: list[str], count: int, users: int, ids: itertools.count) -> list[Injected]:
    """Update i from user i mod U; a user's k-th question is the next text after its previous
    one (cyclically), so a user asks no question twice while it has fewer than the file has."""
    rounds = -(-count // users)
    return [Injected(next(ids), BASE_USER + i % users,
                     texts[((i % users) * rounds + i // users) % len(texts)])
            for i in range(count)]


def _as_telegram(item: Injected) -> dict[str, Any]:
    return {"update_id": item.update_id, "message": {
        "message_id": item.update_id, "date": int(time.time()), "text": item.text,
        "chat": {"id": item.chat, "type": "private", "first_name": "Worker"},
        "from": {"id": item.chat, "is_bot": False, "first_name": "Worker"},
    }}


def _by_chat(items: list[Injected]) -> dict[int, list[Injected]]:
    chats: dict[int, list[Injected]] = defaultdict(list)
    for item in items:
        chats[item.chat].append(item)
    return chats


def match_echo(items: list[Injected], replies: Replies) -> Outcome:
    out = Outcome()
    for chat, mine in _by_chat(items).items():
        answered: set[int] = set()
        highest, broken = -1, False
        for at, text, _ in replies.get(chat, []):
            out.replies += 1
            index = next((i for i, item in enumerate(mine)
                          if item.text == text and i not in answered), None)
            if index is None:
                out.duplicated += 1
                continue
            answered.add(index)
            out.first[mine[index].update_id] = at
            broken |= index < highest
            highest = max(highest, index)
        out.lost += len(mine) - len(answered)
        out.out_of_order += broken
    return out


def _series(got: list[tuple[float, str, bool]]) -> list[list[tuple[float, str, bool]]]:
    """A series starts at a reply with buttons; a reply without buttons, the language prompt, or
    the reply right after an emergency line (🆘), joins the series before it."""
    cut: list[list[tuple[float, str, bool]]] = []
    for reply in got:
        joins = not reply[2] or LANGUAGE_PROMPT in reply[1] or (
            len(cut[-1]) == 1 and cut[-1][0][1].startswith(ALERT) if cut else False)
        if cut and joins:
            cut[-1].append(reply)
        else:
            cut.append([reply])
    return cut


def _answer(series: list[tuple[float, str, bool]]) -> tuple[str, ...]:
    """The texts of a series that answer its question (the language prompt left out)."""
    return tuple(reply[1] for reply in series if LANGUAGE_PROMPT not in reply[1])


def match_sathi(items: list[Injected], replies: Replies) -> Outcome:
    out = Outcome()
    chats = {chat: _series(replies.get(chat, [])) for chat in _by_chat(items)}
    usual_seen: dict[str, Counter[tuple[str, ...]]] = defaultdict(Counter)
    for chat, mine in _by_chat(items).items():
        if len(chats[chat]) == len(mine):
            for item, series in zip(mine, chats[chat], strict=True):
                usual_seen[item.text][_answer(series)] += 1
    usual = {text: seen.most_common(1)[0][0] for text, seen in usual_seen.items()}
    for chat, mine in _by_chat(items).items():
        cut = chats[chat]
        out.replies += sum(len(series) for series in cut)
        broken, at = False, 0
        for item in mine:
            if at >= len(cut):
                out.lost += 1
                continue
            texts = _answer(cut[at])
            out.first[item.update_id] = cut[at][0][0]
            if texts != usual.get(item.text, texts) and any(
                    texts == usual.get(other.text) for other in mine if other is not item):
                broken = True
            at += 1
            following = _answer(cut[at]) if at < len(cut) else None
            if following == texts and usual.get(item.text) == texts and (
                    at >= len(mine) or usual.get(mine[at].text) != texts):
                out.duplicated += 1  # the same answer again, where another one was due
                at += 1
        out.duplicated += max(0, len(cut) - at)  # series beyond the chat's updates
        out.out_of_order += broken
    return out


async def _start(kind: str, url: str, data_dir: Path, profile: Path | None = None,
                 database: str | None = None) -> asyncio.subprocess.Process:
    python = sys.executable
    if kind == "echo":
        argv = [python, str(ROOT / "benchmarks" / "echo_bot.py"), url, TOKEN]
        env = dict(os.environ)
    else:
        env = {**os.environ, "SATHI_TELEGRAM_TOKEN": TOKEN, "SATHI_TELEGRAM_API_URL": url,
               "SATHI_DATA_DIR": str(data_dir), "SATHI_API_HOST": "127.0.0.1",
               "SATHI_API_PORT": str(_free_port()), "SATHI_LOG_LEVEL": "WARNING"}
        for name in ("SATHI_DATABASE_URL", "SATHI_DATA_KEY", "SATHI_DATA_KEY_FILE",
                     "SATHI_WEBHOOK_URL", "SATHI_WEBHOOK_SECRET", "SATHI_VOLUNTEER_CHAT_ID"):
            env.pop(name, None)
        sathi = str(Path(python).parent / "sathi")
        if database is not None:  # an empty schema and a new data key for each mode
            await _create_postgres(database)
            await _reset_postgres(database)
            key = data_dir / "data.key"
            made = await asyncio.create_subprocess_exec(
                sathi, "keygen", stdout=asyncio.subprocess.PIPE, env=env)
            key.write_bytes((await made.communicate())[0])
            key.chmod(0o600)
            env.update(SATHI_DATABASE_URL=database, SATHI_DATA_KEY_FILE=str(key))
        imported = await asyncio.create_subprocess_exec(
            sathi, "knowledge", "import", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(imported.communicate(), START_TIMEOUT)
        if imported.returncode != 0:
            raise RuntimeError(f"sathi knowledge import failed: {err.decode()[-500:]}")
        argv = [sathi, "run"]
        if profile is not None:  # py-spy runs sathi as its child and samples it
            spy = str(Path(python).parent / "py-spy")
            argv = [spy, "record", "--format", "raw", "--output", str(profile), "--nonblocking",
                    "--gil", "--", *argv]  # --gil: samples of Python at work, not of waiting
    return await asyncio.create_subprocess_exec(
        *argv, cwd=ROOT, env=env, start_new_session=True,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)  # its own session: the bot (and py-spy, if any)
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # its own session: only what we started
        await process.wait()


def _settled(fake: BenchBotApi, chats: dict[int, int]) -> bool:
    """Every chat has at least one reply per update, and nothing was sent for QUIET seconds."""
    if any(len(fake.replies.get(chat, [])) < count for chat, count in chats.items()):
        return False
    return time.monotonic() - fake.last_reply > QUIET


def _bot_pid(process: asyncio.subprocess.Process, profiled: bool) -> int:
    """The bot's own process: the one started, or py-spy's child when profiling."""
    if not profiled:
        return process.pid
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int(children.read_text().split()[0])
    return process.pid


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc; nan elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc; nan elsewhere)."""
    with contextlib.suppress(OSError, StopIteration, ValueError):
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        return int(next(line for line in lines if line.startswith("VmRSS:")).split()[1]) / 1024
    return float("nan")


async def _one(kind: str, mode: str, items: list[Injected], rate: float, timeout: float,
               profile: Path | None = None, database: str | None = None) -> dict[str, Any]:
    fake = BenchBotApi()
    await fake.start()
    with tempfile.TemporaryDirectory(prefix="sathi-bench-") as tmp:
        try:
            spawned = time.monotonic()
            process = await _start(kind, fake.url, Path(tmp), profile, database)
        except BaseException:
            await fake.stop()
            raise
        try:
            await asyncio.wait_for(fake.polled.wait(), START_TIMEOUT)
            started = time.monotonic() - spawned  # until the first getUpdates
            await asyncio.sleep(0.5)  # let the first poll settle into its long wait
            pid = _bot_pid(process, profile is not None)
            rss, cpu = _rss_mb(pid), _cpu_seconds(pid)
            start = time.monotonic()
            if mode == "burst":
                fake.queue_many([_as_telegram(item) for item in items])
            else:
                sent = 0
                while sent < len(items):
                    due = min(len(items), int((time.monotonic() - start) * rate) + 1)
                    if due > sent:
                        fake.queue_many([_as_telegram(item) for item in items[sent:due]])
                        sent = due
                    await asyncio.sleep(0.005)
            deadline = time.monotonic() + timeout
            chats = {chat: len(mine) for chat, mine in _by_chat(items).items()}
            while time.monotonic() < deadline and process.returncode is None:
                if _settled(fake, chats):
                    break
                await asyncio.sleep(0.05)
            cpu = _cpu_seconds(pid) - cpu
        finally:
            await _stop(process)
            await fake.stop()
    match = match_echo if kind == "echo" else match_sathi
    out = match(items, fake.replies)
    latencies = [out.first[i.update_id] - fake.queued_at[i.update_id]
                 for i in items if i.update_id in out.first]
    last = max(out.first.values(), default=start)
    return {"bot": kind, "mode": mode, "updates": len(items), "replies": out.replies,
            "per_s": len(out.first) / max(last - start, 1e-9),
            "p50": _pct(latencies, 0.50), "p95": _pct(latencies, 0.95),
            "p99": _pct(latencies, 0.99), "lost": out.lost, "duplicated": out.duplicated,
            "order": "kept" if not out.out_of_order else f"broken in {out.out_of_order} chats",
            "exit": process.returncode, "cpu_ms": cpu * 1000 / len(items), "start_s": started,
            "rss_mb": rss, "replies_seen": dict(fake.replies)}


def _pct(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _texts(path: Path | None) -> tuple[Path, list[str]]:
    shared = ROOT.parent / "shared" / "queries-dev.jsonl"
    own = ROOT / "benchmarks" / "queries-own-check.jsonl"
    chosen = path or (shared if shared.exists() else own)
    lines = chosen.read_text(encoding="utf-8").splitlines()
    return chosen, [json.loads(line)["q"] for line in lines if line.strip()]


def _print(rows: list[dict[str, Any]]) -> None:
    head = (f"{'bot':<6} {'mode':<6} {'run':>3} {'updates':>7} {'replies':>7} {'upd/s':>8} "
            f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'lost':>5} {'dup':>4} {'cpu ms/upd':>10} "
            f"{'start s':>7} {'rss MB':>6}  order")
    print(head)
    for row in rows:
        print(f"{row['bot']:<6} {row['mode']:<6} {row['run']:>3} {row['updates']:>7} "
              f"{row['replies']:>7} {row['per_s']:>8.1f} {row['p50'] * 1000:>8.0f} "
              f"{row['p95'] * 1000:>8.0f} {row['p99'] * 1000:>8.0f} {row['lost']:>5} "
              f"{row['duplicated']:>4} {row['cpu_ms']:>10.2f} {row['start_s']:>7.2f} "
              f"{row['rss_mb']:>6.0f}  {row['order']}")


async def _main(args: argparse.Namespace) -> int:
    source, texts = _texts(args.queries)
    kinds = [args.only] if args.only else ["echo", "sathi"]
    pace = f"paced at {args.sathi_rate:g} messages/s" if args.sathi_rate else "unpaced"
    print(f"questions: {len(texts)} from {source}; users {args.users}; burst {args.updates}; "
          f"paced {args.rate:g}/s for {args.seconds:g} s; runs {args.runs}; sathi sends {pace} "
          f"(--sathi-rate {args.sathi_rate:g})")
    ids = itertools.count(1)
    rows: list[dict[str, Any]] = []
    profiles: list[Path] = []
    for run in range(1, args.runs + 1):
        for kind in kinds:
            for mode in ("burst", "paced"):
                count = args.updates if mode == "burst" else int(args.rate * args.seconds)
                items = _updates(texts, count, args.users, ids)
                profile = None
                if args.profile is not None and kind == "sathi":
                    args.profile.mkdir(parents=True, exist_ok=True)
                    profile = (args.profile / f"sathi-{mode}-{run}.txt").resolve()
                    profiles.append(profile)
                row = await _one(kind, mode, items, args.rate, args.timeout, profile,
                                 args.pg_url)
                if args.replies is not None:
                    with args.replies.open("a", encoding="utf-8") as out:
                        out.write(json.dumps({"bot": kind, "mode": mode, "run": run,
                                              "updates": [vars(item) for item in items],
                                              "replies": row["replies_seen"]}) + "\n")
                rows.append({"run": run, **row})
    _print(rows)
    for profile in profiles:
        print(f"\nprofile {profile} (py-spy samples of the sathi process)")
        stacks.print_summary(profile, top=args.top)
    for row in rows:
        if row["exit"] not in (0, None):
            print(f"note: {row['bot']} ({row['mode']}, run {row['run']}) exited {row['exit']}")
    if len(kinds) == 2:
        for run in range(1, args.runs + 1):
            echo, sathi = (next(r for r in rows if r["run"] == run and r["bot"] == k
                                and r["mode"] == "burst") for k in kinds)
            print(f"run {run}: burst ratio sathi/echo = {sathi['per_s'] / echo['per_s']:.2f}")
        ratios = [statistics.mean(r["per_s"] for r in rows if r["bot"] == k and r["mode"] ==
                                  "burst") for k in kinds]
        print(f"mean burst ratio sathi/echo = {ratios[1] / ratios[0]:.2f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000, help="updates in the burst")
    parser.add_argument("--users", type=int, default=200, help="users (private chats)")
    parser.add_argument("--rate", type=float, default=50.0, help="paced updates per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="paced duration")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", choices=("echo", "sathi"))
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds to wait for replies after the last update is queued")
    parser.add_argument("--queries", type=Path, help="a queries JSON-lines file (field q)")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="run sathi under py-spy; its samples go to DIR, a summary is printed")
    parser.add_argument("--top", type=int, default=30, help="functions in a profile summary")
    parser.add_argument("--replies", type=Path, metavar="FILE",
                        help="append each mode's updates and replies to FILE (JSON lines)")
    parser.add_argument("--sathi-rate", type=float, metavar="R", default=0.0,
                        help="SATHI_TELEGRAM_MESSAGES_PER_SECOND for sathi: its overall pace "
                             "(default 0: unpaced, as the echo bot, since the fake is a local "
                             "server with no limit; 25 is Sathi's own default, under Telegram's "
                             "limit)")
    parser.add_argument("--pg-url", metavar="URL",
                        help="run sathi on this PostgreSQL database (its schema is dropped "
                             "before each mode) instead of a temporary SQLite file")
    args = parser.parse_args()
    # sathi's environment is built from this one
    os.environ["SATHI_TELEGRAM_MESSAGES_PER_SECOND"] = str(args.sathi_rate)
    if min(args.updates, args.users, args.runs) < 1 or args.rate <= 0 or args.seconds <= 0:
        parser.error("--updates, --users, --runs, --rate and --seconds must be positive")
    try:
        return asyncio.run(_main(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
