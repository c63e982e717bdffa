"""Message catalogs: every word people read, in Hebrew and English (gettext, Babel's tools).

The catalogs live in `domain/locale/<language>/LC_MESSAGES/messages.po` (extracted with
`pybabel extract`, merged with `pybabel update`); `make install` compiles them to `.mo`
files, which are not committed. A checkout or wheel without a fresh `.mo` compiles the
`.po` in memory, so a stale binary never shows old words.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from domain.resources import package_path

Language = Literal["en", "he"]
LANGUAGES: tuple[Language, ...] = ("en", "he")
FALLBACK: Language = "en"
DOMAIN = "messages"
# Babel locales: Israeli English keeps ₪ before the amount and day-first dates.
LOCALES: dict[Language, str] = {"en": "en_IL", "he": "he_IL"}


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name
    """Mark a text for the catalog without translating it here (it is looked up later)."""
    return message


def as_language(value: object) -> Language:
    """A stored or requested language code as one we speak; English when unknown."""
    text = str(value or "").strip().lower().replace("_", "-")
    code = text.split("-")[0]
    if code == "iw":  # the old code for Hebrew, still sent by some browsers
        code = "he"
    return code if code in LANGUAGES else FALLBACK


def accept_language(header: str | None) -> Language:
    """The best of our languages in an HTTP Accept-Language header; English by default."""
    ranked: list[tuple[float, int, Language]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        code = tag.strip().lower().split("-")[0]
        code = "he" if code == "iw" else code
        if code in LANGUAGES and weight > 0:
            ranked.append((-weight, position, code))
    return min(ranked)[2] if ranked else FALLBACK


def catalog_path(language: Language, suffix: str) -> str:
    """Where a language's catalog (`po` or `mo`) lives inside the package."""
    return str(package_path("domain", "locale", language, "LC_MESSAGES", f"{DOMAIN}.{suffix}"))


@cache
def translations(language: Language) -> gettext.NullTranslations:
    """The language's compiled catalog (or its `.po`, compiled now when the `.mo` is stale)."""
    if language == FALLBACK:
        return gettext.NullTranslations()
    po = package_path("domain", "locale", language, "LC_MESSAGES", f"{DOMAIN}.po")
    mo = po.with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[language])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translate(message: str, language: Language) -> str:
    """A text in the language; the English text itself when it has no translation."""
    return translations(language).gettext(message)


def translate_plural(singular: str, plural: str, count: int, language: Language) -> str:
    """The singular or plural form of a text for `count`, in the language."""
    return translations(language).ngettext(singular, plural, count)
