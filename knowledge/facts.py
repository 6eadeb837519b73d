"""Named facts with dated values, and the `{{fact:name}}` references articles make to them.

A number that changes by law (the minimum wage, an insurance rate) or a phone number is kept once,
in `knowledge/facts.yaml` and the database, with the date from which each value applies and its
source. Articles in every language write `{{fact:minimum_wage_hourly}}`; the renderer writes the
value that applies on the day, formatted for the language with Babel. When the latest value's
period has ended and no newer value was entered, the last value is shown with its year
(`expired_note`, translated by the caller) so that no worker reads an old number as current.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlparse

import yaml
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

KINDS = ("amount", "money", "percent", "phone", "date")
NAME = re.compile(r"^[a-z][a-z_]{1,63}$")  # no digits: the translations' number check reads them
REFERENCE = re.compile(r"\{\{fact:([^{}]*)\}\}")
_PHONE = re.compile(r"^\+?[0-9][0-9-]{1,19}$")  # "+63-2-1348" from abroad

ExpiredNote = Callable[[str, int], str]
"""(formatted value, year of the value) -> text such as 'in 2026: 10,320 (check 1350)'."""


@dataclass(frozen=True)
class FactValue:
    """One value of a fact, applying from `valid_from` until the next value or `valid_until`."""

    value: str
    valid_from: datetime.date
    source: str
    valid_until: datetime.date | None = None


@dataclass(frozen=True)
class Fact:
    """A named fact and its values, oldest first."""

    name: str
    kind: str
    description: str
    values: tuple[FactValue, ...]
    currency: str | None = None

    def current(self, today: datetime.date) -> FactValue | None:
        """The value that applies today (the newest that has started), if any has started."""
        started = [v for v in self.values if v.valid_from <= today]
        return started[-1] if started else None

    def shown(self, today: datetime.date) -> FactValue | None:
        """What an article shows today: the current value, else the first one announced."""
        return self.current(today) or (self.values[0] if self.values else None)

    def expired(self, today: datetime.date) -> bool:
        """True when the current value's period has ended and no newer value has started."""
        value = self.current(today)
        return value is not None and value.valid_until is not None and value.valid_until <= today

    def ends(self, today: datetime.date) -> datetime.date | None:
        """When the value shown today stops applying with nothing entered after it (or None)."""
        value = self.shown(today)
        if value is None or value.valid_until is None:
            return None
        later = [v for v in self.values if v.valid_from > value.valid_from]
        return None if later else value.valid_until


def references(text: str) -> list[str]:
    """The fact names a text refers to, in order (repeats included)."""
    return [match.strip() for match in REFERENCE.findall(text)]


def format_value(fact: Fact, value: FactValue, locale: str) -> str:
    """The value as a reader of this language writes it (digits, separators, currency, date)."""
    if fact.kind == "phone":
        return value.value
    if fact.kind == "date":
        return format_date(datetime.date.fromisoformat(value.value), "long", locale=locale)
    number = Decimal(value.value)
    if fact.kind == "money":
        return format_currency(number, fact.currency or "KRW", locale=locale)
    if fact.kind == "percent":
        return format_decimal(number, format="#,##0.###", locale=locale)
    return format_decimal(number, locale=locale)


def render(
    text: str,
    facts: Mapping[str, Fact],
    locale: str,
    today: datetime.date,
    expired_note: ExpiredNote | None = None,
) -> str:
    """The text with every `{{fact:name}}` replaced by the value that applies today.

    An unknown name is left as it is (`sathi knowledge check` refuses it before it gets here).
    """

    def replace(match: re.Match[str]) -> str:
        fact = facts.get(match.group(1).strip())
        value = fact.shown(today) if fact is not None else None
        if fact is None or value is None:
            return match.group(0)
        formatted = format_value(fact, value, locale)
        if expired_note is not None and fact.expired(today):
            return expired_note(formatted, value.valid_from.year)
        return formatted

    return REFERENCE.sub(replace, text)


# ---------------------------------------------------------------- the file


class FactFileError(Exception):
    """facts.yaml cannot be used; the message says where and why."""


def load_facts(path: Path) -> dict[str, Fact]:
    """Every fact of a facts.yaml file (an absent file has none); raises FactFileError."""
    if not path.is_file():
        return {}
    facts, problems = read_facts(path)
    if problems:
        raise FactFileError("\n".join(problems))
    return facts


def read_facts(path: Path) -> tuple[dict[str, Fact], list[str]]:
    """The facts and the problems of facts.yaml, each problem naming the fact."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return {}, [f"{path}: not valid YAML: {exc}"]
    if not isinstance(data, dict):
        return {}, [f"{path}: must map fact names to their kind, description and values"]
    facts: dict[str, Fact] = {}
    problems: list[str] = []
    for name, spec in data.items():
        fact, found = _read_fact(str(name), spec)
        problems += [f"{path}: fact {name!r}: {problem}" for problem in found]
        if fact is not None and not found:
            facts[fact.name] = fact
    return facts, problems


def _read_fact(name: str, spec: object) -> tuple[Fact | None, list[str]]:
    if not NAME.match(name):
        return None, ["names are 2-64 of a-z and _ (no digits)"]
    if not isinstance(spec, dict):
        return None, ["must have kind, description and values"]
    problems: list[str] = []
    unknown = set(spec) - {"kind", "description", "currency", "values"}
    if unknown:
        problems.append(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    kind = spec.get("kind")
    if kind not in KINDS:
        problems.append(f"kind must be one of {', '.join(KINDS)}")
    description = str(spec.get("description") or "").strip()
    if not description:
        problems.append("description is missing")
    raw_values = spec.get("values")
    if not isinstance(raw_values, list) or not raw_values:
        return None, [*problems, "has no values"]
    values: list[FactValue] = []
    for index, raw in enumerate(raw_values, start=1):
        value, found = read_value(raw, str(kind))
        problems += [f"value {index}: {problem}" for problem in found]
        if value is not None:
            values.append(value)
    values.sort(key=lambda v: v.valid_from)
    starts = [v.valid_from for v in values]
    if len(set(starts)) != len(starts):
        problems.append("two values start on the same date")
    currency = spec.get("currency")
    fact = Fact(name, str(kind), description, tuple(values), str(currency) if currency else None)
    return fact, problems


def read_value(raw: object, kind: str) -> tuple[FactValue | None, list[str]]:
    """One value of a fact from its mapping (value, from, until, source); problems if bad."""
    if not isinstance(raw, dict):
        return None, ["must have value, from and source"]
    problems = check_value(kind, str(raw.get("value", "")).strip())
    valid_from, valid_until = _as_date(raw.get("from")), _as_date(raw.get("until"))
    if valid_from is None:
        problems.append("'from' must be a YYYY-MM-DD date")
    if raw.get("until") is not None and valid_until is None:
        problems.append("'until' must be a YYYY-MM-DD date")
    if valid_from and valid_until and valid_until <= valid_from:
        problems.append("'until' must be after 'from'")
    source = str(raw.get("source") or "").strip()
    if not source:
        problems.append("has no source (the URL the value comes from)")
    elif not is_url(source):
        problems.append(f"source {source!r} is not an http(s) URL")
    unknown = set(raw) - {"value", "from", "until", "source"}
    if unknown:
        problems.append(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    if problems or valid_from is None:
        return None, problems
    return FactValue(str(raw["value"]).strip(), valid_from, source, valid_until), []


def check_value(kind: str, value: str) -> list[str]:
    """Why a value cannot be a value of this kind of fact (empty when it can)."""
    if not value:
        return ["value is empty"]
    if kind == "phone":
        if _PHONE.match(value):
            return []
        return ["a phone number is digits and '-' (and a leading '+' when dialled from abroad)"]
    if kind == "date":
        return [] if _as_date(value) else ["a date is YYYY-MM-DD"]
    try:
        number = Decimal(value)
    except InvalidOperation:
        return ["must be a plain number such as 10320 or 4.75 (no separators)"]
    return [] if number.is_finite() and number >= 0 else ["must be a number of 0 or more"]


def unknown_references(facts: Mapping[str, Fact], texts: Iterable[tuple[str, str]]) -> list[str]:
    """One problem per reference to a fact that does not exist: (where, text) pairs in."""
    return [
        f"{where}: unknown fact {name!r} (not in facts.yaml)"
        for where, text in texts
        for name in references(text)
        if name not in facts
    ]


def dump_facts(facts: Iterable[Fact]) -> str:
    """facts.yaml text, always written the same way for the same facts (export, git diffs)."""
    lines = [
        "# Named facts that articles refer to as {{fact:name}}: one value per period, each with",
        "# the date it applies from and its source. Edit through the API or here, then import.",
    ]
    for fact in sorted(facts, key=lambda f: f.name):
        lines += [f"{fact.name}:", f"  kind: {fact.kind}",
                  f"  description: {_quote(fact.description)}"]
        if fact.currency:
            lines.append(f"  currency: {fact.currency}")
        lines.append("  values:")
        for value in fact.values:
            lines.append(f"    - value: {_quote(value.value)}")
            lines.append(f"      from: {value.valid_from.isoformat()}")
            if value.valid_until is not None:
                lines.append(f"      until: {value.valid_until.isoformat()}")
            lines.append(f"      source: {_quote(value.source)}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _as_date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def is_url(value: str) -> bool:
    """An http(s) URL with a host and no spaces."""
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and " " not in value
