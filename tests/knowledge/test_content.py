"""The guide itself: complete, valid, and with the same facts in every translation."""

import subprocess
import sys
from dataclasses import replace

from knowledge.numbers import number_mismatches, numbers_in
from knowledge.topics import load_topics
from sathi import paths

LANGUAGES = ("en", "ne", "bn", "tl", "ko")


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
    assert "160 article files OK; triage files OK" in result.stdout


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
    assert "1350" in numbers_in(english.body)
    broken = replace(nepali, body=nepali.body.replace("1350", "1305").replace("१३५०", "१३०५"))
    problems = number_mismatches([english, broken])
    assert len(problems) == 1 and "unpaid-wages/ne.md" in problems[0] and "1305" in problems[0]


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
            assert {"112", "119"} <= numbers_in(article.lead), article.lang


def test_crisis_article_leads_with_109_in_every_language(article_files):
    found = [a for a in article_files if a.slug == "crisis-mental-health"]
    assert {a.lang for a in found} == {"en", "ne", "bn", "tl", "ko"}
    for article in found:
        assert {"109", "119", "112"} <= numbers_in(article.lead), article.lang
