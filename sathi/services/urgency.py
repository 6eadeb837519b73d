"""A crisis or a danger in a worker's message makes their case urgent (knowledge.triage)."""

from knowledge.triage import triage


def is_emergency(text: str | None) -> bool:
    """True when triage finds a crisis or a danger in the worker's text."""
    return triage(text) is not None
