"""Kiwi's analyses of the articles' Korean, kept in a file so that a start needs no Kiwi.

Loading kiwipiepy takes seconds and some 300 MB, and the articles' Korean phrases are the same
from one start to the next. While the index is built, `stored(path)` answers the phrases the file
has and asks Kiwi only for the others, which are then added to the file: public text, the phrases
of articles and language data files (the block never sees a worker's message). The file grows by
the phrases of edited articles; deleting it only costs one slower start. It is keyed by what
decides Kiwi's answers (knowledge.text.kiwi_version): another version starts over.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from knowledge.text import Token, kiwi_tokens, kiwi_version, korean_tokens_from

log = logging.getLogger(__name__)


def _read(path: Path, version: str) -> dict[str, tuple[Token, ...]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("kiwi") != version:
            return {}
        phrases = raw["phrases"].items()
        return {phrase: tuple(tuple(token) for token in tokens) for phrase, tokens in phrases}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # missing or damaged: analysed again and rewritten


def _write(path: Path, version: str, phrases: dict[str, tuple[Token, ...]]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    try:
        text = json.dumps({"kiwi": version, "phrases": dict(sorted(phrases.items()))},
                          ensure_ascii=False, separators=(",", ":"))
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:  # a read-only data folder: the next start analyses again
        log.warning("cannot keep the Korean analyses in %s: %s", path, error)


@contextmanager
def stored(path: Path) -> Iterator[None]:
    """Within the block, Korean phrases are analysed from the file at `path`, else by Kiwi."""
    version = kiwi_version()
    known: dict[str, tuple[Token, ...]] | None = None  # read when the first phrase is asked
    used: dict[str, tuple[Token, ...]] = {}

    def tokens(phrase: str) -> tuple[Token, ...]:
        nonlocal known
        if known is None:
            known = _read(path, version)
        found = used.get(phrase)
        if found is None:
            found = known.get(phrase)
            used[phrase] = found if found is not None else kiwi_tokens(phrase)
        return used[phrase]

    with korean_tokens_from(tokens):
        yield
    if known is not None and used.keys() - known.keys():
        _write(path, version, known | used)
