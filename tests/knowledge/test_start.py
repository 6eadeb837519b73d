"""A start without building: the built index and the articles' Korean kept in the data folder."""

import datetime
import json
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge import analyses, snapshot
from knowledge.analyses import stored
from knowledge.models import Article
from knowledge.search import KnowledgeBase
from knowledge.snapshot import ANALYSES_FILE
from knowledge.text import kiwi_version, korean_morphemes


def _article(slug: str, lang: str, title: str, keywords: tuple[str, ...], body: str) -> Article:
    return Article(slug, lang, "at-work", title, keywords, ("https://www.moel.go.kr",),
                   datetime.date(2026, 1, 1), "yearly", body)


ARTICLES = [
    _article("unpaid-wages", "en", "Unpaid wages", ("salary not paid",),
             "If your employer does not pay your salary, call 1350."),
    _article("unpaid-wages", "ko", "임금 체불", ("월급을 못 받았어요", "임금 체불"),
             "사장님이 월급을 주지 않으면 고용노동부에 신고하세요."),
    _article("industrial-accident", "en", "Injured at work", ("injury", "accident"),
             "An injury at work is covered by industrial accident insurance."),
    _article("industrial-accident", "ko", "산업재해", ("일하다 다쳤어요", "산재"),
             "일하다가 다치면 산재보험으로 치료를 받을 수 있습니다."),
]
QUERIES = [("월급을 못 받았어요", "ko"), ("일하다 다쳤어요", "ko"), ("salary not paid", "en")]


def _answers(kb: KnowledgeBase) -> list[list[tuple[str, float]]]:
    return [[(hit.slug, hit.score) for hit in kb.search(q, lang)] for q, lang in QUERIES]


def test_a_second_build_reads_the_file_and_needs_no_kiwi(tmp_path: Path, monkeypatch):
    path = tmp_path / "korean-analyses.json"
    plain = KnowledgeBase(ARTICLES)
    with stored(path):
        first = KnowledgeBase(ARTICLES)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["kiwi"] == kiwi_version()
    assert "사장님이 월급을 주지 않으면 고용노동부에 신고하세요" in saved["phrases"]

    def no_kiwi(phrase: str):
        raise AssertionError(f"Kiwi asked for {phrase!r}")

    monkeypatch.setattr(analyses, "kiwi_tokens", no_kiwi)
    with stored(path):
        second = KnowledgeBase(ARTICLES)
    assert _answers(second) == _answers(first) == _answers(plain)
    assert [found[0][0] for found in _answers(plain)] == [
        "unpaid-wages", "industrial-accident", "unpaid-wages"]
    assert second._indexes["ko"].postings == plain._indexes["ko"].postings


def test_a_worker_message_is_never_written(tmp_path: Path):
    path = tmp_path / "korean-analyses.json"
    with stored(path):
        kb = KnowledgeBase(ARTICLES)
    before = path.read_text(encoding="utf-8")
    assert kb.search("사장님이 때렸어요 도와주세요", "ko") is not None  # after the build
    assert path.read_text(encoding="utf-8") == before
    assert "사장님이 때렸어요 도와주세요" not in json.loads(before)["phrases"]


def test_another_kiwi_version_or_a_damaged_file_is_analysed_again(tmp_path: Path):
    path = tmp_path / "korean-analyses.json"
    wrong = [["월", "NNG", 0, 1]]
    path.write_text(json.dumps({"kiwi": "kiwipiepy 0.0", "phrases": {"월급을": wrong}}), "utf-8")
    with stored(path):
        assert korean_morphemes("월급을") == (("월급",), ())
    assert json.loads(path.read_text("utf-8"))["kiwi"] == kiwi_version()
    path.write_text("{not json", encoding="utf-8")
    with stored(path):
        assert korean_morphemes("월급을") == (("월급",), ())
    assert json.loads(path.read_text("utf-8"))["phrases"]["월급을"][0][:2] == ["월급", "NNG"]


@pytest.mark.parametrize("phrase", ["월급을", "사장님이 월급을 안 줘요"])
def test_the_file_answers_as_kiwi_does(tmp_path: Path, phrase: str):
    with stored(tmp_path / "k.json"):
        korean_morphemes(phrase)
    with stored(tmp_path / "k.json"):
        from_file = korean_morphemes(phrase)
    assert from_file == korean_morphemes(phrase)


def test_the_index_is_read_back_while_the_articles_are_the_same(tmp_path: Path, monkeypatch):
    built = snapshot.load_or_build(tuple(ARTICLES), tmp_path)
    [kept] = tmp_path.glob("knowledge-index-*.pickle")

    def no_build(*args, **kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(KnowledgeBase, "__init__", no_build)
    read = snapshot.load_or_build(tuple(ARTICLES), tmp_path)
    monkeypatch.undo()
    assert read is not built
    assert _answers(read) == _answers(built) == _answers(KnowledgeBase(ARTICLES))
    assert read.is_small_talk("뭐 해요?", "ko")  # the data files' lists, read again

    edited = (*ARTICLES[:-1], replace(ARTICLES[-1], body="일하다가 다치면 신고하세요."))
    snapshot.load_or_build(edited, tmp_path)
    [now] = tmp_path.glob("knowledge-index-*.pickle")
    assert now != kept  # another content, another file; the old one is gone


def test_a_damaged_index_file_is_built_again(tmp_path: Path, caplog):
    snapshot.load_or_build(tuple(ARTICLES), tmp_path)
    [kept] = tmp_path.glob("knowledge-index-*.pickle")
    kept.write_bytes(b"not a pickle")
    assert _answers(snapshot.load_or_build(tuple(ARTICLES), tmp_path)) == _answers(
        KnowledgeBase(ARTICLES))
    assert "cannot read the knowledge index" in caplog.text
    assert kept.read_bytes() != b"not a pickle"


async def test_the_runtime_keeps_them_in_the_data_folder(runtime, article_files, monkeypatch):
    from sathi import runtime as runtime_module
    from sathi.services.articles import import_articles

    async with runtime.sessionmaker.begin() as session:
        await import_articles(session, article_files)
    runtime_module._built.clear()  # another test may have built this index already
    await runtime.knowledge.refresh()
    folder = runtime.settings.data_dir
    phrases = json.loads((folder / ANALYSES_FILE).read_text("utf-8"))["phrases"]
    assert len(phrases) > 1000
    assert any("퇴직금" in phrase for phrase in phrases)
    [index] = folder.glob("knowledge-index-*.pickle")

    def no_kiwi(phrase: str):
        raise AssertionError(f"Kiwi asked for {phrase!r}")

    monkeypatch.setattr(analyses, "kiwi_tokens", no_kiwi)  # a build from the file: no Kiwi
    index.unlink()
    runtime_module._built.clear()
    runtime.knowledge._stamp = None
    assert await runtime.knowledge.refresh()
    assert index.exists()
    assert runtime.knowledge.current.search("월급을 못 받았어요", "ko")
