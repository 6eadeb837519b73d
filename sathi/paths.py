"""Where the repository's own data lives, for defaults that work from a fresh clone."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = REPO_ROOT / "knowledge" / "articles"
TOPICS_FILE = REPO_ROOT / "knowledge" / "topics.tsv"
FACTS_FILE = REPO_ROOT / "knowledge" / "facts.yaml"
LOCALES_DIR = REPO_ROOT / "locales"
ALEMBIC_INI = REPO_ROOT / "alembic.ini"
