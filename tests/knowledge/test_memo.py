"""A worker's words are remembered while their update is handled, never after it."""

from knowledge import text
from knowledge.memo import remembering


def test_a_korean_sentence_is_analysed_once_per_update_and_not_kept(monkeypatch):
    calls: list[str] = []
    analyse = text.kiwi_tokens

    def counting(phrase: str):
        calls.append(phrase)
        return analyse(phrase)

    monkeypatch.setattr(text, "kiwi_tokens", counting)
    sentence = "사장님이 월급을 안 줘요"
    with remembering():
        first = text.korean_morphemes(sentence)
        assert text.korean_morphemes(sentence) == first
    assert calls == [sentence], "worked out once within the update"
    assert "사장" in first[0]

    with remembering():
        assert text.korean_morphemes(sentence) == first
    assert calls == [sentence, sentence], "the next update analyses it again: nothing was kept"
