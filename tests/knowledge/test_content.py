"""The guide itself: complete, valid, and with the same facts in every translation."""

import datetime
import re
import subprocess
import sys
from dataclasses import replace

from knowledge.facts import load_facts, render
from knowledge.numbers import number_mismatches, numbers_in
from knowledge.topics import load_topics
from sathi import paths

LANGUAGES = ("en", "ne", "bn", "tl", "ko")
FACTS = load_facts(paths.FACTS_FILE)


def test_every_slug_has_all_five_languages(article_files):
    present = {(a.slug, a.lang) for a in article_files}
    topics = load_topics(paths.TOPICS_FILE)
    missing = [
        (slug, lang) for slug in topics for lang in LANGUAGES if (slug, lang) not in present
    ]
    assert missing == []
    assert {a.category for a in article_files if a.slug == "unpaid-wages"} == {"at-work"}


def test_knowledge_check_command_passes_on_the_repository():
    result = subprocess.run(
        [sys.executable, "-m", "sathi.cli", "knowledge", "check"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=paths.REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "160 article files OK, 24 facts OK; triage files OK" in result.stdout


def test_numbers_fold_scripts_and_separators():
    assert numbers_in("कल गर्नुहोस् १३५० वा १५७७-००७१, ১০,৩২০ টাকা, 8.3%") == {
        "1350",
        "1577-0071",
        "10320",
        "8.3",
    }
    assert numbers_in("2,156,880원 / 21,56,880") == {"2156880"}


def test_translations_carry_the_same_numbers_as_english(article_files):
    assert number_mismatches(article_files) == []


def test_a_wrong_number_in_a_translation_is_caught(article_files):
    english = next(a for a in article_files if a.slug == "unpaid-wages" and a.lang == "en")
    nepali = next(a for a in article_files if a.slug == "unpaid-wages" and a.lang == "ne")
    assert "10000000" in numbers_in(english.body)
    broken = replace(nepali, body=nepali.body.replace("10,000,000", "1,000,000"))
    problems = number_mismatches([english, broken])
    assert len(problems) == 1 and "unpaid-wages/ne.md" in problems[0] and "1000000" in problems[0]


def test_a_translation_naming_another_fact_is_caught(article_files):
    english = next(a for a in article_files if a.slug == "unpaid-wages" and a.lang == "en")
    nepali = next(a for a in article_files if a.slug == "unpaid-wages" and a.lang == "ne")
    assert "{{fact:hotline_labour}}" in nepali.body
    broken = replace(nepali, body=nepali.body.replace("{{fact:hotline_labour}}",
                                                      "{{fact:hotline_immigration}}"))
    [problem] = number_mismatches([english, broken])
    assert "fact:hotline_labour" in problem and "fact:hotline_immigration" in problem


def test_every_article_names_sources_and_a_review_state(article_files):
    for article in article_files:
        assert article.sources, article.slug
        assert all(s.startswith(("http://", "https://")) for s in article.sources)
        assert article.review in {"draft", "reviewed"}


def test_korean_terms_stand_in_hangul_in_every_language(article_files):
    def has_hangul(text):
        return any("\uac00" <= c <= "\ud7a3" for c in text)

    without = [f"{a.slug}/{a.lang}" for a in article_files if not has_hangul(a.body)]
    assert without == []


def test_emergency_contacts_lead_has_the_emergency_numbers_in_every_language(article_files):
    for article in article_files:
        if article.slug == "emergency-contacts":
            lead = render(article.lead, FACTS, article.lang, datetime.date(2026, 12, 2))
            assert {"112", "119"} <= numbers_in(lead), article.lang


def test_crisis_article_leads_with_109_in_every_language(article_files):
    found = [a for a in article_files if a.slug == "crisis-mental-health"]
    assert {a.lang for a in found} == {"en", "ne", "bn", "tl", "ko"}
    for article in found:
        lead = render(article.lead, FACTS, article.lang, datetime.date(2026, 12, 2))
        assert {"109", "119", "112"} <= numbers_in(lead), article.lang


def test_on_new_years_day_2027_no_article_calls_a_2026_value_current(article_files):
    """The text names no year beside a fact: an ended value shows its year from the renderer."""
    day = datetime.date(2027, 1, 2)
    for article in article_files:
        text = render(f"{article.title}\n{article.body}", FACTS, article.lang, day,
                      lambda value, year: f"[{value}, {year} value]")
        if "{{fact:minimum_wage_hourly}}" in article.body:
            assert "[10,320, 2026 value]" in text, f"{article.slug}/{article.lang}"
        plain = re.sub(r"\[[^\]]*, \d{4} value\]", " ", text)
        assert not [n for n in numbers_in(plain) if n.startswith("2026")], (
            f"{article.slug}/{article.lang} names 2026 beside no ended value"
        )
