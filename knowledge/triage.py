"""Triage: whether a worker's message is a crisis (suicide, self-harm) or a danger now.

One pure function, `triage(text)`, used by every door: the bot's answer, case urgency, `sathi chat`
and `sathi search`. The phrases live in `knowledge/triage/<lang>.yaml` (format in the README of
that folder), every language's file applies to every message: workers mix languages and type
English whatever language they chose. The files are read once per process.

Matching, after the same normalisation as search (NFKC, casefold, digits, vowel folds):
- Latin, Devanagari and Bengali phrases match whole words in order; a word ending in `*` matches
  any word it starts; in Devanagari and Bengali every word also matches with a suffix (पुलिसले);
  Latin words of 7+ letters also match with one typo (same first letter).
- `..` in a phrase skips up to three words; `^` / `$` tie the phrase to the start / end.
- Latin words are compared without accents and doubled letters ('mann' = 'man').
- Hangul phrases match anywhere in the message with the spaces removed (죽고 싶어요, 죽고싶어).
- A negative phrase blocks the words it covers: "fire drill" never counts as "fire", but
  "fire drill done, now my room is on fire" still does.
- A `together` rule fires when the message has a phrase of each of its groups, anywhere and in
  any order: a way of dying with an intent ("sleeping pills" ... "tonight"), which no single
  phrase can list in every order and wording. With `alone`, the message must also be nothing
  but its groups' phrases: a bare cry ("누가 좀 도와주세요 제발"), not a question after one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml
from rapidfuzz.distance import Levenshtein

from knowledge.memo import remembered
from knowledge.text import fold_latin, normalize, strip_accents, words

TRIAGE_DIR = Path(__file__).with_name("triage")
GAP = ".."
HANGUL_KEY = "\x00hangul"  # how a together group's Hangul phrase is filed: any Hangul message
MAX_GAP = 3
FUZZY_MIN = 7
_SUFFIXING = {"DEVANAGARI", "BENGALI"}
_SPACES = re.compile(r"\s+")
_NOT_HANGUL_OR_WORD = re.compile(r"[^\w]+")
_JAMO = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\ud7b0-\ud7ff]")  # Hangul letters


class Level(StrEnum):
    """How serious: a crisis (suicide, self-harm) or a danger to body or freedom now."""

    crisis = "crisis"
    danger = "danger"


# What each kind of danger calls for; the order is the order of urgency when several match.
DANGER_KINDS = ("weapon", "violence", "sexual", "held", "fire", "gas", "medical", "raid", "help")
CRISIS_KINDS = ("suicide", "self-harm")
POLICE_KINDS = {"weapon", "violence", "sexual", "held"}
FIRE_KINDS = {"fire", "gas", "medical"}


@dataclass(frozen=True)
class Alert:
    """The level and every kind recognised, most urgent first."""

    level: Level
    kinds: tuple[str, ...]

    @property
    def kind(self) -> str:
        """The most urgent kind recognised."""
        return self.kinds[0]


class TriageError(ValueError):
    """A triage file is wrong; the message is `path: what is wrong`."""


@dataclass(frozen=True)
class Phrase:
    """One normalised phrase: Latin/Devanagari/Bengali words, or compact Hangul text."""

    source: str
    tokens: tuple[str, ...] = ()
    hangul: str | None = None
    start: bool = False
    end: bool = False
    words: frozenset[str] = frozenset()  # its words ('..' aside): all must be in the message

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", frozenset(p for p in self.tokens if p != GAP))


@dataclass(frozen=True)
class Rule:
    """Phrases that signal one level and kind, with the editor's reason.

    Each phrase is enough on its own; a rule with `groups` (its `together`) also fires when
    the message has a phrase of every group.
    """

    level: Level
    kind: str
    phrases: tuple[Phrase, ...]
    why: str
    groups: tuple[tuple[Phrase, ...], ...] = ()
    alone: bool = False  # the groups' phrases must cover the whole message


@dataclass
class Rules:
    """Everything read from the triage folder."""

    rules: list[Rule] = field(default_factory=list)
    negatives: list[Phrase] = field(default_factory=list)
    examples: list[tuple[str, str, str | None, str]] = field(default_factory=list)
    _plan: _Plan | None = field(default=None, repr=False, compare=False)

    @property
    def plan(self) -> _Plan:
        """The phrases filed for quick rejection, made on first use (the rules are loaded)."""
        if self._plan is None:
            self._plan = _Plan.of(self)
        return self._plan


@dataclass(frozen=True)
class _Plan:
    """Each phrase filed under one of its words (its rarest), Hangul phrases apart.

    A message first finds which phrase words it has, looking each way of matching (`_same`)
    up rather than trying it: a message word gives its beginnings (for starred words, and for
    words that Devanagari and Bengali suffix), and a long Latin one the few long phrase words of
    its first letter and about its length, for a typo. Only the phrases filed under a word the
    message has, whose words it all has, are then matched in order: of ~900 phrases, a message
    typically meets none.
    """

    rules: dict[str, tuple[tuple[Rule, Phrase], ...]]
    rules_hangul: tuple[tuple[Rule, Phrase], ...]
    together: tuple[tuple[Rule, tuple[frozenset[str], ...]], ...]  # each group's filing words
    negatives: dict[str, tuple[Phrase, ...]]
    negatives_hangul: tuple[Phrase, ...]
    plain: frozenset[str]  # the phrase words without a star
    starred: frozenset[str]  # what the starred words begin with: 'kill' of 'kill*'
    typos: dict[tuple[str, int], tuple[str, ...]]  # long plain words by first letter and length

    @classmethod
    def of(cls, rules: Rules) -> _Plan:
        every = [phrase for rule in rules.rules
                 for phrase in (*rule.phrases, *(p for group in rule.groups for p in group))]
        every += rules.negatives
        common = Counter(word for phrase in every for word in phrase.words)

        def key(phrase: Phrase) -> str:
            return min(phrase.words, key=lambda word: (common[word], word))

        filed: dict[str, list[tuple[Rule, Phrase]]] = {}
        negatives: dict[str, list[Phrase]] = {}
        for rule in rules.rules:
            for phrase in rule.phrases:
                if phrase.hangul is None:
                    filed.setdefault(key(phrase), []).append((rule, phrase))
        for phrase in rules.negatives:
            if phrase.hangul is None:
                negatives.setdefault(key(phrase), []).append(phrase)
        plain = {word for word in common if not word.endswith("*")}
        typos: dict[tuple[str, int], list[str]] = {}
        for word in sorted(plain):
            if len(word) >= FUZZY_MIN:
                typos.setdefault((word[0], len(word)), []).append(word)
        together = tuple(
            (rule, tuple(frozenset(HANGUL_KEY if p.hangul is not None else key(p) for p in group)
                         for group in rule.groups))
            for rule in rules.rules if rule.groups
        )
        return cls(
            {word: tuple(found) for word, found in filed.items()},
            tuple((r, p) for r in rules.rules for p in r.phrases if p.hangul is not None),
            together,
            {word: tuple(found) for word, found in negatives.items()},
            tuple(p for p in rules.negatives if p.hangul is not None),
            frozenset(plain),
            frozenset(word[:-1] for word in common if word.endswith("*")),
            {place: tuple(found) for place, found in typos.items()},
        )

    def words_in(self, tokens: list[tuple[str, str]]) -> set[str]:
        """The phrase words that some token matches (as `_same` decides)."""
        found: set[str] = set()
        for word, script in tokens:
            if word in self.plain:
                found.add(word)
            suffixing = script in _SUFFIXING
            for end in range(1, len(word) + 1):
                start = word[:end]
                if start in self.starred:
                    found.add(start + "*")
                if suffixing and end >= 2 and start in self.plain:
                    found.add(start)
            if script == "LATIN" and len(word) >= FUZZY_MIN - 1:
                for length in (len(word) - 1, len(word), len(word) + 1):
                    for part in self.typos.get((word[0], length), ()):
                        if Levenshtein.distance(word, part, score_cutoff=1) <= 1:
                            found.add(part)
        return found


def _phrase(text: str) -> Phrase:
    raw = text.strip()
    start, end = raw.startswith("^"), raw.endswith("$")
    raw = raw.removeprefix("^").removesuffix("$").strip()
    norm = normalize(raw)
    if any("HANGUL" == script for _w, script in words(norm)):
        return Phrase(text, hangul=_compact(norm), start=start, end=end)
    tokens: list[str] = []
    for part in norm.split():
        if part == GAP:
            tokens.append(GAP)
            continue
        star = part.endswith("*")
        found = [_fold(word, script) for word, script in words(part.rstrip("*"))]
        tokens.extend(found)
        if star and found:
            tokens[-1] += "*"
    if not tokens or tokens[0] == GAP or tokens[-1] == GAP:
        raise ValueError(f"phrase {text!r} has no words (or starts or ends with '..')")
    return Phrase(text, tokens=tuple(tokens), start=start, end=end)


def _fold(word: str, script: str) -> str:
    """Latin chat spellings as one: 'mann'/'man', 'chhaina'/'chaina', accents dropped."""
    return fold_latin(strip_accents(word)) if script == "LATIN" else word


def _compact(norm: str) -> str:
    # Hangul as letters (jamo), so that 뛰어내리 is found in 뛰어내릴 and 불이 나 in 불이 난.
    return unicodedata.normalize("NFD", _NOT_HANGUL_OR_WORD.sub("", norm))


def _strings(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        raise ValueError(f"{where}: a phrase or a non-empty list of phrases is needed")
    return value


def _groups(value: object, where: str) -> tuple[tuple[Phrase, ...], ...]:
    """A `together`: two or three lists of phrases (the message needs one of each)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not 2 <= len(value) <= 3:
        raise ValueError(f"{where}: `together` must be a list of 2 or 3 lists of phrases")
    return tuple(tuple(_phrase(p) for p in _strings(group, f"{where} together #{number}"))
                 for number, group in enumerate(value, 1))


def _read(path: Path, into: Rules) -> None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TriageError(f"{path}: cannot read: {error}") from None
    if not isinstance(data, dict) or data.get("lang") != path.stem:
        raise TriageError(f"{path}: must be a mapping with `lang: {path.stem}`")
    unknown = set(data) - {"lang", "alerts", "negatives", "examples"}
    if unknown:
        raise TriageError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")
    try:
        for number, entry in enumerate(data.get("alerts") or [], 1):
            where = f"alerts #{number}"
            if not isinstance(entry, dict):
                raise ValueError(f"{where}: must be a mapping")
            unknown = set(entry) - {"alert", "kind", "why", "phrases", "together", "alone"}
            if unknown:
                raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
            level = entry.get("alert")
            kind = entry.get("kind")
            if level not in {"crisis", "danger"}:
                raise ValueError(f"{where}: `alert` must be crisis or danger")
            kinds = CRISIS_KINDS if level == "crisis" else DANGER_KINDS
            if kind not in kinds:
                raise ValueError(f"{where}: `kind` must be one of {', '.join(kinds)}")
            if not isinstance(entry.get("why"), str) or not entry["why"].strip():
                raise ValueError(f"{where}: `why` (the reason, for the next editor) is needed")
            if entry.get("phrases") is None and entry.get("together") is None:
                raise ValueError(f"{where}: `phrases` or `together` is needed")
            phrases = () if entry.get("phrases") is None else tuple(
                _phrase(p) for p in _strings(entry["phrases"], where))
            groups = _groups(entry.get("together"), where)
            alone = entry.get("alone", False)
            if not isinstance(alone, bool) or (alone and not groups):
                raise ValueError(f"{where}: `alone` is true or false, and needs `together`")
            into.rules.append(Rule(Level(level), kind, phrases, entry["why"], groups, alone))
        for number, entry in enumerate(data.get("negatives") or [], 1):
            where = f"negatives #{number}"
            if not isinstance(entry, dict) or not isinstance(entry.get("why"), str):
                raise ValueError(f"{where}: needs `phrases` and `why`")
            into.negatives.extend(_phrase(p) for p in _strings(entry.get("phrases"), where))
        for number, entry in enumerate(data.get("examples") or [], 1):
            where = f"examples #{number}"
            if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
                raise ValueError(f"{where}: needs `text` and `alert` (crisis, danger or none)")
            expected = entry.get("alert")
            if expected not in {"crisis", "danger", "none"}:
                raise ValueError(f"{where}: `alert` must be crisis, danger or none")
            kind = entry.get("kind")
            if kind is not None and kind not in CRISIS_KINDS + DANGER_KINDS:
                raise ValueError(f"{where}: unknown kind {kind!r}")
            into.examples.append((entry["text"], expected, kind, f"{path}: {where}"))
    except ValueError as error:
        raise TriageError(f"{path}: {error}") from None


def load_rules(folder: Path = TRIAGE_DIR) -> Rules:
    """Reads and checks every `<lang>.yaml` in the folder.

    Raises:
        TriageError: a file is missing, unreadable or wrong (`path: message`).

    """
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise TriageError(f"{folder}: no triage files (<lang>.yaml)")
    rules = Rules()
    for path in files:
        _read(path, rules)
    return rules


def check(folder: Path = TRIAGE_DIR) -> list[str]:
    """Problems with the triage files: unreadable, or an example that does not behave as said."""
    try:
        rules = load_rules(folder)
    except TriageError as error:
        return [str(error)]
    problems = []
    for text, expected, kind, where in rules.examples:
        alert = classify(text, rules)
        got = alert.level.value if alert else "none"
        if got != expected or (kind is not None and alert is not None and kind not in alert.kinds):
            found = f"{got} {alert.kinds}" if alert else got
            problems.append(f"{where}: {text!r} should be {expected} {kind or ''}, is {found}")
    return problems


@cache
def _default_rules() -> Rules:
    return load_rules(TRIAGE_DIR)


def preload() -> None:
    """Reads the shipped files now, so that a bad file stops a start-up, not a worker's message.

    Raises:
        TriageError: a file is wrong (`path: message`).

    """
    _default_rules()


def triage(text: str | None) -> Alert | None:
    """Crisis, danger or None for a worker's message (every language's phrases apply)."""
    if not text or not text.strip():
        return None
    return remembered(("triage", text), lambda: classify(text, _default_rules()))


@dataclass
class _Message:
    """A normalised message, the phrase words it has, and where each matches in it.

    Found once per word (the phrases share their words). Every way a word can match (`_same`)
    keeps its first letter, so only the tokens that begin with that letter are compared.
    """

    tokens: list[tuple[str, str]]
    compact: str
    words: set[str]  # the phrase words that match somewhere (_Plan.words_in)
    places: list[range | None] = field(default_factory=list)  # each token's letters in compact
    blocked: set[int] = field(default_factory=set)
    blocked_chars: set[int] = field(default_factory=set)
    _by_letter: dict[str, list[int]] = field(default_factory=dict)
    _at: dict[str, frozenset[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for position, (word, _script) in enumerate(self.tokens):
            self._by_letter.setdefault(word[:1], []).append(position)

    def at(self, part: str) -> frozenset[int]:
        """The positions of the tokens that a phrase word matches."""
        found = self._at.get(part)
        if found is None:
            found = frozenset(position for position in self._by_letter.get(part[:1], ())
                              if _same(self.tokens[position], part))
            self._at[part] = found
        return found


def classify(text: str, rules: Rules) -> Alert | None:
    """The alert for a text under the given rules (triage() uses the shipped files)."""
    norm = normalize(text)
    tokens = [(_fold(w, s), s) for w, s in words(norm)]
    plan = rules.plan
    message = _Message(tokens, _compact(norm), plan.words_in(tokens))
    message.places = _places(message.compact, [word for word, _script in words(norm)])
    hangul = _JAMO.search(message.compact) is not None
    for word in message.words:
        for negative in plan.negatives.get(word, ()):
            _block(message, negative)
    for negative in plan.negatives_hangul if hangul else ():
        _block(message, negative)
    found: dict[Level, list[str]] = {}
    candidates = [pair for word in message.words for pair in plan.rules.get(word, ())]
    for rule, phrase in candidates + list(plan.rules_hangul if hangul else ()):
        if rule.kind not in found.get(rule.level, ()) and _matches(message, phrase):
            found.setdefault(rule.level, []).append(rule.kind)
    present = message.words | {HANGUL_KEY} if hangul else message.words
    for rule, filing in plan.together:
        if rule.kind in found.get(rule.level, ()) or not all(
                keys & present for keys in filing):
            continue
        if all(any(_matches(message, phrase) for phrase in group) for group in rule.groups) and (
                not rule.alone or _covered(message, [p for group in rule.groups for p in group])):
            found.setdefault(rule.level, []).append(rule.kind)
    for level, order in ((Level.crisis, CRISIS_KINDS), (Level.danger, DANGER_KINDS)):
        if level in found:
            return Alert(level, tuple(sorted(found[level], key=order.index)))
    return None


def _places(compact: str, raw: list[str]) -> list[range | None]:
    """Where each word's letters are in the compact text (None if it cannot be found there)."""
    places: list[range | None] = []
    at = 0
    for word in raw:
        letters = _compact(word)
        start = compact.find(letters, at) if letters else -1
        places.append(range(start, start + len(letters)) if start >= 0 else None)
        at = start + len(letters) if start >= 0 else at
    return places


def _covered(message: _Message, phrases: list[Phrase]) -> bool:
    """Whether the phrases' matches cover every word of the message (`alone`)."""
    tokens: set[int] = set()
    letters: set[int] = set()
    for phrase in phrases:
        if phrase.hangul is not None:
            for span in _hangul_spans(message, phrase, respect_blocks=True):
                letters.update(range(*span))
        elif phrase.words <= message.words:
            for used in _token_spans(message, phrase, respect_blocks=True):
                tokens.update(used)
    return all(
        position in tokens or (place is not None and letters.issuperset(place))
        for position, place in enumerate(message.places)
    )


def _block(message: _Message, phrase: Phrase) -> None:
    if phrase.hangul is not None:
        for match in _hangul_spans(message, phrase, respect_blocks=False):
            message.blocked_chars.update(range(*match))
        return
    if not phrase.words <= message.words:
        return
    for span in _token_spans(message, phrase, respect_blocks=False):
        message.blocked.update(span)


def _matches(message: _Message, phrase: Phrase) -> bool:
    if phrase.hangul is not None:
        return phrase.hangul in message.compact and next(
            _hangul_spans(message, phrase, respect_blocks=True), None) is not None
    return phrase.words <= message.words and next(
        _token_spans(message, phrase, respect_blocks=True), None) is not None


def _hangul_spans(message: _Message, phrase: Phrase, *, respect_blocks: bool):
    target, needle = message.compact, phrase.hangul or ""
    start = target.find(needle)
    while start >= 0:
        span = (start, start + len(needle))
        ok = (not phrase.start or start == 0) and (not phrase.end or span[1] == len(target))
        if ok and not (respect_blocks and message.blocked_chars.intersection(range(*span))):
            yield span
        start = target.find(needle, start + 1)


def _token_spans(message: _Message, phrase: Phrase, *, respect_blocks: bool):
    parts = phrase.tokens
    if not all(message.at(part) for part in parts if part != GAP):
        return  # a word of the phrase is nowhere in the message
    last = len(message.tokens) - 1
    for begin in sorted(message.at(parts[0])):
        if phrase.start and begin != 0:
            break
        for used in _walk(message, parts, 0, begin, []):
            if phrase.end and used[-1] != last:
                continue
            if respect_blocks and message.blocked.intersection(used):
                continue
            yield used


def _walk(message: _Message, parts, index, position, used):
    """Every way the phrase's parts from `index` match the message from `position`."""
    if index == len(parts):
        yield list(used)
        return
    part = parts[index]
    if part == GAP:
        for skip in range(MAX_GAP + 1):
            yield from _walk(message, parts, index + 1, position + skip, used)
        return
    if position in message.at(part):
        used.append(position)
        yield from _walk(message, parts, index + 1, position + 1, used)
        used.pop()


def _same(found: tuple[str, str], part: str) -> bool:
    word, script = found
    if part.endswith("*"):
        return word.startswith(part[:-1])
    if word == part:
        return True
    if script in _SUFFIXING:
        return len(part) >= 2 and word.startswith(part)
    return (
        script == "LATIN" and len(part) >= FUZZY_MIN and word[:1] == part[:1]
        and abs(len(word) - len(part)) <= 1 and Levenshtein.distance(word, part) <= 1
    )
