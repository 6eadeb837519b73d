"""The list of slugs and their categories, read from topics.tsv (the union's topic list)."""

from __future__ import annotations

import csv
from pathlib import Path


def load_topics(path: Path) -> dict[str, str]:
    """Map each slug to its category; the header row and blank lines are skipped."""
    topics: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 2 or not row[0].strip() or row[0].strip() == "slug":
                continue
            topics[row[0].strip()] = row[1].strip()
    return topics
