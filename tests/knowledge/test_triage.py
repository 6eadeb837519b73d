"""Triage: crisis, danger or nothing, from the data files, in every language and script."""

from pathlib import Path

import pytest

from knowledge import triage as triage_module
from knowledge.triage import TRIAGE_DIR, Level, TriageError, check, classify, load_rules, triage

LANGUAGES = {"en", "ne", "bn", "tl", "ko"}


def _level(text: str) -> str:
    alert = triage(text)
    return alert.level.value if alert else "none"


def test_every_language_has_a_file_and_every_example_behaves_as_declared():
    assert {path.stem for path in TRIAGE_DIR.glob("*.yaml")} == LANGUAGES
    rules = load_rules()
    assert len(rules.examples) >= 40
    assert {expected for _t, expected, _k, _w in rules.examples} == {"crisis", "danger", "none"}
    assert check() == []


def test_every_rule_has_a_reason_and_a_known_kind():
    rules = load_rules()
    for rule in rules.rules:
        assert rule.why.strip()
        assert rule.kind in (triage_module.CRISIS_KINDS + triage_module.DANGER_KINDS)
    kinds = {rule.kind for rule in rules.rules if rule.level is Level.danger}
    assert kinds == set(triage_module.DANGER_KINDS)


@pytest.mark.parametrize("text", [
    "I want to die", "suicide", "i wanna kill myself", "I am thinking about suicde",
    "म मर्न चाहन्छु", "आत्महत्या गर्छु", "ma marna chahanchu", "banchna mann chhaina",
    "আমি বাঁচতে চাই না", "ami morte chai", "atmohotta korbo",
    "magpapakamatay ako", "ayoko nang mabuhay", "gusto ko na lang mamatay",
    "죽고 싶어요", "죽고싶어", "죽고 싶다", "자살", "살기 싫어요", "뛰어내릴 거예요",
])
def test_crisis(text):
    assert _level(text) == "crisis"


@pytest.mark.parametrize(("text", "kind"), [
    ("fire in the dormitory", "fire"), ("someone is following me with a knife", "weapon"),
    ("my boss is beating me", "violence"), ("he raped me", "sexual"),
    ("they locked me in the container", "held"), ("i smell gas in the room", "gas"),
    ("my friend is unconcious", "medical"), ("immigration raid now", "raid"),
    ("help me please", "help"), ("मालिकले पिट्यो", "violence"), ("malai bachau", "help"),
    ("আগুন লেগেছে", "fire"), ("মালিক মারছে", "violence"), ("saklolo", "help"),
    ("nasusunog ang bahay", "fire"), ("사장님이 때렸어요", "violence"), ("불이 났어요", "fire"),
    ("단속 나왔어요", "raid"), ("사람이 쓰러졌어요", "medical"), ("살려주세요", "help"),
])
def test_danger_and_its_kind(text, kind):
    alert = triage(text)
    assert alert is not None and alert.level is Level.danger
    assert kind in alert.kinds


@pytest.mark.parametrize("text", [
    "fired from my job", "boss fired me", "I was fired", "can my boss fire me", "fire drill",
    "fire extinguisher training", "police clearance certificate", "dying to know",
    "my father died last year", "kill time on sunday", "hitting the deadline",
    "nikaleko bhanera paisa diyena", "aago lagda ke garne talim", "agun nibhanor training",
    "baba mara gesen chuti pabo", "tinanggal ako kasi late ako", "fire drill sa pabrika",
    "칼로리", "소화기 교육", "지각해서 해고됐어요", "배고파 죽겠어요", "", "   ",
])
def test_ordinary_messages_raise_no_alert(text):
    assert triage(text) is None


def test_a_negative_blocks_only_its_own_words():
    assert triage("fire drill at work") is None
    assert _level("fire drill was yesterday, now there is a real fire in my room") == "danger"


def test_crisis_comes_before_danger():
    alert = triage("he hit me and now i want to die")
    assert alert is not None and alert.level is Level.crisis


def _folder(tmp_path: Path, text: str) -> Path:
    (tmp_path / "xx.yaml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("text", "message"), [
    ("lang: yy\n", "must be a mapping with `lang: xx`"),
    ("lang: xx\nalerts:\n  - {alert: panic, kind: fire, phrases: [x], why: y}\n",
     "alerts #1: `alert` must be crisis or danger"),
    ("lang: xx\nalerts:\n  - {alert: danger, kind: flood, phrases: [x], why: y}\n",
     "alerts #1: `kind` must be one of"),
    ("lang: xx\nalerts:\n  - {alert: danger, kind: fire, phrases: [x]}\n",
     "alerts #1: `why`"),
    ("lang: xx\nalerts:\n  - {alert: danger, kind: fire, phrases: [], why: y}\n",
     "alerts #1: a phrase or a non-empty list"),
    ("lang: xx\nalerts:\n  - {alert: danger, kind: fire, why: y}\n",
     "alerts #1: `phrases` or `together` is needed"),
    ("lang: xx\nalerts:\n  - {alert: danger, kind: fire, phrases: ['.. fire'], why: y}\n",
     "starts or ends with '..'"),
    ("lang: xx\nexamples:\n  - {text: hi, alert: maybe}\n", "examples #1: `alert`"),
    ("lang: xx\nwords: []\n", "unknown field(s) words"),
    ("lang: xx\nalerts:\n  - {alert: danger, kind: fire, phrases: [x], why: y, togther: []}\n",
     "alerts #1: unknown field(s) togther"),
    ("lang: xx\nalerts:\n  - {alert: danger, kind: help, why: y, phrases: [x], alone: true}\n",
     "alerts #1: `alone` is true or false, and needs `together`"),
    ("lang: xx\nalerts:\n  - {alert: crisis, kind: suicide, why: y, together: [[pills]]}\n",
     "alerts #1: `together` must be a list of 2 or 3 lists"),
    ("lang: xx\nalerts:\n  - {alert: crisis, kind: suicide, why: y, together: [[pills], []]}\n",
     "alerts #1 together #2: a phrase or a non-empty list"),
    ("lang: [xx\n", "cannot read"),
])
def test_a_bad_file_gives_path_and_message(tmp_path, text, message):
    folder = _folder(tmp_path, text)
    with pytest.raises(TriageError) as error:
        load_rules(folder)
    assert str(error.value).startswith(f"{folder / 'xx.yaml'}: ")
    assert message in str(error.value)
    assert check(folder) == [str(error.value)]


TOGETHER = """\
lang: xx
alerts:
  - alert: crisis
    kind: suicide
    why: a way of dying with an intent
    together:
      - [sleeping pill*, rope, 약]
      - [tonight, take all, 오늘 밤]
negatives:
  - why: a pharmacy question
    phrases: [sleeping pills prescription]
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("tonight i will take the sleeping pills", "crisis"),
    ("i bought sleeping pills. i take all, sorry mom", "crisis"),
    ("rope ready. tonight", "crisis"),
    ("오늘 밤 약을 다 먹을 거예요", "crisis"),
    ("where can i buy sleeping pills", None),
    ("tonight i work late", None),
    ("tonight i need a sleeping pills prescription", None),
])
def test_a_together_rule_needs_a_phrase_of_each_group_in_any_order(tmp_path, text, expected):
    rules = load_rules(_folder(tmp_path, TOGETHER))
    alert = classify(text, rules)
    assert (alert.level.value if alert else None) == expected
    if alert:
        assert alert.kinds == ("suicide",)


ALONE = """\
lang: xx
alerts:
  - alert: danger
    kind: help
    why: a bare cry
    together:
      - [help me, 도와주세요]
      - [please, now, 제발, 빨리요]
    alone: true
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("help me please", "danger"),
    ("please!! help me now", "danger"),
    ("제발 도와주세요 빨리요", "danger"),
    ("도와주세요 제발", "danger"),
    ("please help me with my visa", None),
    ("도와주세요 제발 월급을 못 받았어요", None),
    ("help me", None),
])
def test_an_alone_rule_fires_only_on_a_message_made_of_its_phrases(tmp_path, text, expected):
    alert = classify(text, load_rules(_folder(tmp_path, ALONE)))
    assert (alert.level.value if alert else None) == expected


def test_an_example_that_misbehaves_is_reported(tmp_path):
    folder = _folder(tmp_path, (
        "lang: xx\nalerts:\n  - {alert: danger, kind: fire, phrases: [fire], why: a fire}\n"
        "examples:\n  - {text: fire, alert: danger}\n  - {text: water, alert: danger}\n"
    ))
    [problem] = check(folder)
    assert "examples #2" in problem and "'water'" in problem


async def test_a_bad_shipped_file_stops_the_start_with_its_path(tmp_path, monkeypatch, settings):
    from sathi.errors import ConfigError
    from sathi.runtime import open_runtime

    folder = _folder(tmp_path, "lang: xx\nalerts:\n  - {alert: danger, kind: fire, why: y}\n")
    monkeypatch.setattr(triage_module, "TRIAGE_DIR", folder)
    triage_module._default_rules.cache_clear()
    try:
        with pytest.raises(ConfigError, match=r"xx\.yaml: alerts #1"):
            await open_runtime(settings)
    finally:
        triage_module._default_rules.cache_clear()


def test_a_message_finds_every_phrase_word_that_one_of_its_words_matches():
    # The plan looks the ways of matching up (beginnings, typos); it must agree with _same.
    rules = load_rules()
    plan = rules.plan
    parts = {word for rule in rules.rules for phrase in rule.phrases for word in phrase.words}
    parts |= {word for phrase in rules.negatives for word in phrase.words}
    tokens = [("unconcious", "LATIN"), ("killing", "LATIN"), ("suicde", "LATIN"),
              ("पुलिसले", "DEVANAGARI"), ("আগুনে", "BENGALI"), ("fire", "LATIN"),
              ("ambulanse", "LATIN"), ("xyz", "LATIN"), ("9", "DIGIT")]
    for word, script in list(tokens):
        for cut in range(1, len(word)):  # every word less one letter: typos of all kinds
            tokens.append((word[:cut - 1] + word[cut:], script))
    for token in tokens:
        expected = {part for part in parts if triage_module._same(token, part)}
        assert plan.words_in([token]) == expected, token
