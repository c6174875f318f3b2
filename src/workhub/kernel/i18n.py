"""Russian and English for everything a user reads, from gettext catalogs with CLDR plural forms.

Each module keeps its texts in ``locales/ru.po`` and ``locales/en.po`` beside
its code (the message key is the ``msgid``) and adds the folder with
:meth:`~workhub.kernel.plugins.Registry.add_messages`. Babel reads the
catalogs and compiles them for Python's ``gettext``, whose ``Plural-Forms``
give each language its own forms: "1 задача, 2 задачи, 5 задач", "1 task,
2 tasks". A message with a count is written with ``msgid_plural`` and one
``msgstr[n]`` per form, and is asked for with ``count=``. A unit test checks
that every key exists in every language with all its forms.

The texts a process knows are its registry's :class:`Catalog` (the kernel's
own texts plus every module's and plugin's), not a module global: the web
app's requests, the worker's jobs and a CLI command each translate with the
catalog of the registry they built, made current with :func:`using` (the
request middleware, the worker's start-up, the outbox relay, the runtime's
binding). :func:`translate` reads the current catalog; where none was made
current it knows the kernel's texts only.
"""

from __future__ import annotations

import contextvars
import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = (
    "LOCALES",
    "Catalog",
    "Locale",
    "Msg",
    "all_messages",
    "current_catalog",
    "negotiate",
    "plural_forms",
    "translate",
    "use_catalog",
    "using",
)

Locale = Literal["ru", "en"]
LOCALES: tuple[Locale, ...] = ("ru", "en")
DEFAULT_LOCALE: Locale = "en"
KERNEL_TEXTS = Path(__file__).with_name("locales")
"""The kernel's own texts (errors, realtime), in every catalog."""

Texts = dict[str, dict[str, str | tuple[str, ...]]]
"""key → locale → text (a tuple of forms for a plural message)."""


@dataclass(frozen=True, slots=True)
class Msg:
    """A parameter that is itself a message, translated in the same locale (``Msg("task.status.done")``).

    ``count`` picks a plural form: ``Msg("job.message.rows_rejected", count=3)``.
    """

    key: str
    count: int | None = None


@dataclass(frozen=True)
class _Folder:
    """One folder's catalogs, compiled: never changed once made, so registries may share it."""

    translations: dict[str, gettext.GNUTranslations]
    plural_forms: dict[str, int]
    texts: Texts


@lru_cache(maxsize=256)
def _compile(directory: Path, _version: tuple[int, ...]) -> _Folder:
    """Read and compile ``<directory>/<locale>.po`` (cached per folder and file modification times)."""
    translations: dict[str, gettext.GNUTranslations] = {}
    plural_forms: dict[str, int] = {}
    texts: Texts = {}
    for locale in LOCALES:
        with (directory / f"{locale}.po").open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        translations[locale] = gettext.GNUTranslations(compiled)
        plural_forms[locale] = catalog.num_plurals
        for message in catalog:
            if message.id:
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                texts.setdefault(str(key), {})[locale] = message.string  # type: ignore[assignment]
    return _Folder(translations, plural_forms, texts)


def _folder(directory: Path) -> _Folder:
    directory = directory.resolve()
    version = tuple((directory / f"{locale}.po").stat().st_mtime_ns for locale in LOCALES)
    return _compile(directory, version)


class Catalog:
    """The texts of one registry: the kernel's, then each folder added, the last added first when asked."""

    def __init__(self) -> None:
        self._folders: list[_Folder] = []
        self._directories: set[Path] = set()
        self.add(KERNEL_TEXTS)

    def add(self, directory: Path) -> None:
        """Add the catalogs ``<directory>/<locale>.po`` of every supported language (once per folder)."""
        directory = directory.resolve()
        if directory in self._directories:
            return
        self._folders.append(_folder(directory))
        self._directories.add(directory)

    def all_messages(self) -> Texts:
        """A copy of every text: key → locale → text, or its plural forms as a tuple."""
        merged: Texts = {}
        for folder in self._folders:
            for key, texts in folder.texts.items():
                merged.setdefault(key, {}).update(texts)
        return merged

    def plural_forms(self, locale: str) -> int:
        """How many plural forms ``locale`` has (2 in English, 3 in Russian)."""
        for folder in reversed(self._folders):
            if locale in folder.plural_forms:
                return folder.plural_forms[locale]
        return 2

    def _lookup(self, key: str, locale: str, count: int | None) -> str | None:
        if locale not in LOCALES:
            locale = DEFAULT_LOCALE
        for folder in reversed(self._folders):
            translations = folder.translations[locale]
            text = translations.ngettext(key, key, count) if count is not None else translations.gettext(key)
            if text != key:
                return text
        return None

    def translate(
        self, key: str, locale: str | None = None, /, *, count: int | None = None, **params: object
    ) -> str:
        """The text of ``key`` in ``locale`` (see :func:`translate`)."""
        text = self._lookup(key, locale or DEFAULT_LOCALE, count) or self._lookup(key, DEFAULT_LOCALE, count)
        if text is None:
            return key
        if count is not None:
            params = {"count": count, **params}
        if not params:
            return text
        values = {
            k: self.translate(v.key, locale, count=v.count) if isinstance(v, Msg) else v
            for k, v in params.items()
        }
        return text.format(**values)


_KERNEL_ONLY = Catalog()
_current: contextvars.ContextVar[Catalog] = contextvars.ContextVar("workhub_catalog", default=_KERNEL_ONLY)


def current_catalog() -> Catalog:
    """The catalog :func:`translate` reads here (the kernel's texts only when none was made current)."""
    return _current.get()


def use_catalog(catalog: Catalog) -> contextvars.Token[Catalog]:
    """Make ``catalog`` current for the rest of this task and the tasks it starts; returns a reset token."""
    return _current.set(catalog)


@contextmanager
def using(catalog: Catalog) -> Iterator[None]:
    """Translate with ``catalog`` inside the block."""
    token = _current.set(catalog)
    try:
        yield
    finally:
        _current.reset(token)


def all_messages() -> Texts:
    """Every text of the current catalog: key → locale → text, or its plural forms as a tuple."""
    return _current.get().all_messages()


def plural_forms(locale: str) -> int:
    """How many plural forms ``locale`` has (2 in English, 3 in Russian)."""
    return _current.get().plural_forms(locale)


def translate(key: str, locale: str | None = None, /, *, count: int | None = None, **params: object) -> str:
    """The text of ``key`` in ``locale`` (the plural form for ``count``), formatted with ``params`` and ``count``.

    Read from the current catalog (:func:`using`). A text missing in
    ``locale`` falls back to English; an unknown key returns the key itself,
    so a missing text is visible, not fatal.
    """
    return _current.get().translate(key, locale, count=count, **params)


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
