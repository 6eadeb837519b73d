"""The built knowledge base kept in the data folder, so that a start reads it instead of building.

Building the index from the articles takes seconds of CPU, reading it back a fraction of one.
The file is named by a hash of everything the build reads: the articles, knowledge/'s code and
language files, the Korean analyser's version and Python's. Any change gives another name, the
index is built again and the old file removed. It holds public article content only: it is
written right after the build, before any worker's message has been searched.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from pathlib import Path

from knowledge.analyses import stored
from knowledge.models import Article
from knowledge.search import KnowledgeBase
from knowledge.text import kiwi_version

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).resolve().parent
ANALYSES_FILE = "korean-analyses.json"
PREFIX = "knowledge-index-"


def _key(articles: tuple[Article, ...]) -> str:
    digest = hashlib.sha256()
    digest.update(f"{sys.version}\n{kiwi_version()}\n{articles!r}\n".encode())
    for path in sorted([*PACKAGE.glob("*.py"), *PACKAGE.glob("lang/*.yaml")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def load_or_build(articles: tuple[Article, ...], folder: Path) -> KnowledgeBase:
    """The knowledge base of these articles: read from `folder` if it was built before."""
    path = folder / f"{PREFIX}{_key(articles)}.pickle"
    with stored(folder / ANALYSES_FILE):  # the Korean of articles and data files, from a file
        try:
            with path.open("rb") as file:
                kb = pickle.load(file)  # noqa: S301 (our own file, in the private data folder)
            if isinstance(kb, KnowledgeBase):
                return kb
        except FileNotFoundError:
            pass
        except Exception as error:  # damaged, or from another version: built again
            log.warning("cannot read the knowledge index %s: %s", path, error)
        kb = KnowledgeBase(list(articles))
    _save(kb, path)
    return kb


def _save(kb: KnowledgeBase, path: Path) -> None:
    temporary = path.with_name(path.name + ".tmp")
    try:
        with temporary.open("wb") as file:
            pickle.dump(kb, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        for old in path.parent.glob(f"{PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError) as error:  # the next start builds again
        log.warning("cannot keep the knowledge index in %s: %s", path, error)
