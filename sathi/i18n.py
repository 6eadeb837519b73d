"""Interface strings from gettext catalogs in locales/, and Babel formatting per locale.

Catalogs are read from the .po files and compiled in memory once, so a fresh clone needs no
compile step; `pybabel compile` output is used the same way by anything else that wants it.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

DOMAIN = "messages"

# Telegram and Babel spell some languages differently from our catalog folders.
_ALIASES = {"fil": "tl"}


def N_(message: str) -> str:
    """Marks a string for extraction without translating it yet."""
    return message


def available_locales(locales_dir: Path) -> list[str]:
    """The languages that have a catalog: adding a folder adds a language."""
    if not locales_dir.is_dir():
        return []
    return sorted(
        path.name
        for path in locales_dir.iterdir()
        if (path / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
    )


def normalize_locale(code: str | None, available: list[str]) -> str | None:
    """Maps a Telegram language_code such as 'ko-KR' or 'fil' to one of our languages."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    base = _ALIASES.get(base, base)
    return base if base in available else None


@dataclass(frozen=True)
class Translator:
    """Everything a handler needs to speak one language."""

    locale: str
    translations: Translations
    babel_locale: Locale

    def gettext(self, message: str, **params: object) -> str:
        """The translated message, with named placeholders filled after translation."""
        text = self.translations.gettext(message)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        """The plural form for n; {n} is formatted as a number in this locale."""
        text = self.translations.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **params)

    def pgettext(self, context: str, message: str) -> str:
        """A message that needs a context to be translated right."""
        return self.translations.pgettext(context, message)

    def number(self, value: int | float | Decimal) -> str:
        """A number in this locale's format."""
        if type(value) is int:
            return _integer(value, self.babel_locale)
        return format_decimal(value, locale=self.babel_locale)

    def won(self, amount: int | Decimal) -> str:
        """An amount of Korean won in this locale's format."""
        return format_currency(amount, "KRW", locale=self.babel_locale)

    def date(self, value: date) -> str:
        """A date in this locale's medium format."""
        return format_date(value, format="medium", locale=self.babel_locale)

    @property
    def native_name(self) -> str:
        """The language's own name, as translators wrote it (Babel calls tl 'Filipino')."""
        return self.pgettext("language name", "English")


class Catalogs:
    """All catalogs of a locales folder, loaded once."""

    def __init__(self, locales_dir: Path, default: str = "en") -> None:
        self.locales_dir = locales_dir
        self.available = available_locales(locales_dir)
        if not self.available:
            raise FileNotFoundError(f"no catalogs found in {locales_dir}")
        self.default = default if default in self.available else self.available[0]
        self._translators = {code: _load(locales_dir, code) for code in self.available}

    def get(self, locale: str | None) -> Translator:
        """The translator for a locale, falling back to the default language."""
        return self._translators.get(locale or "", self._translators[self.default])

    def normalize(self, code: str | None) -> str | None:
        """Maps a Telegram language_code to one of our languages, or None."""
        return normalize_locale(code, self.available)


@lru_cache(maxsize=4096)
def _integer(value: int, locale: Locale) -> str:
    """A whole number (a count of results, of cases) formatted once per locale.

    Babel's number patterns cost more CPU than the rest of a reply's text.
    """
    return format_decimal(value, locale=locale)


def _babel_locale(code: str) -> Locale:
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _load(locales_dir: Path, code: str) -> Translator:
    po_path = locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=code, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translator(code, Translations(buffer, domain=DOMAIN), _babel_locale(code))


@cache
def load_catalogs(locales_dir: Path, default: str = "en") -> Catalogs:
    """Catalogs for a folder, read once per process."""
    return Catalogs(locales_dir, default)
