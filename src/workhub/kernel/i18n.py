"""Russian and English for everything a user reads, from gettext catalogs with CLDR plural forms.

Each module keeps its texts in ``locales/ru.po`` and ``locales/en.po`` beside
its code (the message key is the ``msgid``) and adds the folder with
:meth:`~workhub.kernel.plugins.Registry.add_messages`. Babel reads the
catalogs and compiles them for Python's ``gettext``, whose ``Plural-Forms``
give each language its own forms: "1 задача, 2 задачи, 5 задач", "1 task,
2 tasks". A message with a count is written with ``msgid_plural`` and one
``msgstr[n]`` per form, and is asked for with ``count=``. A unit test checks
that every key exists in every language with all its forms.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = (
    "LOCALES",
    "Locale",
    "Msg",
    "all_messages",
    "negotiate",
    "plural_forms",
    "register_catalog",
    "translate",
)

Locale = Literal["ru", "en"]
LOCALES: tuple[Locale, ...] = ("ru", "en")
DEFAULT_LOCALE: Locale = "en"

_translations: dict[str, gettext.NullTranslations] = {
    locale: gettext.NullTranslations() for locale in LOCALES
}
_texts: dict[str, dict[str, str | tuple[str, ...]]] = {}
"""key → locale → text (a tuple of forms for a plural message), for tests and checks."""
_plural_forms: dict[str, int] = {}
_registered: set[Path] = set()


@dataclass(frozen=True, slots=True)
class Msg:
    """A parameter that is itself a message, translated in the same locale (``Msg("task.status.done")``).

    ``count`` picks a plural form: ``Msg("job.message.rows_rejected", count=3)``.
    """

    key: str
    count: int | None = None


def register_catalog(directory: Path) -> None:
    """Add the catalogs ``<directory>/<locale>.po`` of every supported language (once per folder)."""
    directory = directory.resolve()
    if directory in _registered:
        return
    for locale in LOCALES:
        path = directory / f"{locale}.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        translations = gettext.GNUTranslations(compiled)
        translations.add_fallback(_translations[locale])
        _translations[locale] = translations
        _plural_forms[locale] = catalog.num_plurals
        for message in catalog:
            if message.id:
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                _texts.setdefault(str(key), {})[locale] = message.string  # type: ignore[assignment]
    _registered.add(directory)


def all_messages() -> dict[str, dict[str, str | tuple[str, ...]]]:
    """A copy of every registered text: key → locale → text, or its plural forms as a tuple."""
    return {key: dict(texts) for key, texts in _texts.items()}


def plural_forms(locale: str) -> int:
    """How many plural forms ``locale`` has (2 in English, 3 in Russian)."""
    return _plural_forms.get(locale, 2)


def _lookup(key: str, locale: str, count: int | None) -> str | None:
    translations = _translations.get(locale) or _translations[DEFAULT_LOCALE]
    text = translations.ngettext(key, key, count) if count is not None else translations.gettext(key)
    return None if text == key else text


def translate(key: str, locale: str | None = None, /, *, count: int | None = None, **params: object) -> str:
    """The text of ``key`` in ``locale`` (the plural form for ``count``), formatted with ``params`` and ``count``.

    A text missing in ``locale`` falls back to English; an unknown key returns the key itself,
    so a missing text is visible, not fatal.
    """
    text = _lookup(key, locale or DEFAULT_LOCALE, count) or _lookup(key, DEFAULT_LOCALE, count)
    if text is None:
        return key
    if count is not None:
        params = {"count": count, **params}
    if not params:
        return text
    values = {
        k: translate(v.key, locale, count=v.count) if isinstance(v, Msg) else v for k, v in params.items()
    }
    return text.format(**values)


def negotiate(accept_language: str | None, fallback: str | None = None) -> Locale:
    """Pick ``ru`` or ``en`` from an Accept-Language header."""
    if fallback in LOCALES:
        return fallback  # type: ignore[return-value]
    if accept_language:
        ranked: list[tuple[float, str]] = []
        for part in accept_language.split(","):
            lang, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            ranked.append((weight, lang.strip().lower()[:2]))
        for _, lang in sorted(ranked, key=lambda r: -r[0]):
            if lang in LOCALES:
                return lang  # type: ignore[return-value]
    return DEFAULT_LOCALE


register_catalog(Path(__file__).with_name("locales"))  # the kernel's own texts (errors, realtime)
