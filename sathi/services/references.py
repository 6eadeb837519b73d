"""Case reference codes a worker can read out or type: short, random, unambiguous."""

import re
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.models import Case

# No 0/O, 1/I/L or U: nothing a worker could misread on a phone screen or over the phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 7
_SHAPE = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")


def new_reference() -> str:
    """A random code (30^7, about 2e10 possibilities), so references reveal no sequence."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_reference(text: str) -> str | None:
    """The code in a worker's typing ('k7m p2q-x' -> 'K7MP2QX'), or None if it cannot be one."""
    value = re.sub(r"[\s-]", "", text).upper()
    return value if _SHAPE.match(value) else None


async def unique_reference(session: AsyncSession) -> str:
    """A code no case has yet (the unique constraint still guards the rare race)."""
    while True:
        reference = new_reference()
        taken = await session.scalar(select(Case.id).where(Case.reference == reference))
        if taken is None:
            return reference
