"""Russian and English texts for everything a user reads.

Each module adds its messages with :func:`register_messages`; a message key
must exist in every supported locale, which a unit test checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

__all__ = ("LOCALES", "Locale", "Msg", "all_messages", "negotiate", "register_messages", "translate")

Locale = Literal["ru", "en"]
LOCALES: tuple[Locale, ...] = ("ru", "en")
DEFAULT_LOCALE: Locale = "en"

_catalog: dict[str, dict[str, str]] = {}


class Msg(NamedTuple):
    """A parameter that is itself a message, translated in the same locale (``Msg("task.status.done")``)."""

    key: str


def register_messages(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add ``{key: {locale: text}}`` to the catalog."""
    for key, texts in messages.items():
        _catalog.setdefault(key, {}).update(texts)


def all_messages() -> dict[str, dict[str, str]]:
    """A copy of the whole catalog (for tests and the dashboard)."""
    return {key: dict(texts) for key, texts in _catalog.items()}


def translate(key: str, locale: str | None = None, /, **params: object) -> str:
    """The text of ``key`` in ``locale``, formatted with ``params``.

    An unknown key returns the key itself so a missing text is visible, not fatal.
    """
    texts = _catalog.get(key)
    if not texts:
        return key
    text = texts.get(locale or DEFAULT_LOCALE) or texts.get(DEFAULT_LOCALE) or key
    if not params:
        return text
    values = {k: translate(v.key, locale) if isinstance(v, Msg) else v for k, v in params.items()}
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


register_messages(
    {
        "error.not_found": {"en": "Not found", "ru": "Не найдено"},
        "error.forbidden": {"en": "You are not allowed to do this", "ru": "У вас нет прав на это действие"},
        "error.unauthorized": {"en": "Authentication required", "ru": "Требуется вход в систему"},
        "error.validation": {"en": "The request is not valid", "ru": "Запрос содержит ошибки"},
        "error.conflict": {"en": "Conflict with the current state", "ru": "Конфликт с текущим состоянием"},
        "error.rate_limited": {
            "en": "Too many requests, try again later",
            "ru": "Слишком много запросов, попробуйте позже",
        },
        "error.malformed_json": {
            "en": "The request body is not valid JSON",
            "ru": "Тело запроса не является корректным JSON",
        },
        "error.internal": {"en": "Internal server error", "ru": "Внутренняя ошибка сервера"},
        "error.method_not_allowed": {"en": "Method not allowed", "ru": "Метод не поддерживается"},
        "error.idempotency_conflict": {
            "en": "A request with this Idempotency-Key is still running",
            "ru": "Запрос с этим Idempotency-Key ещё выполняется",
        },
        "error.idempotency_mismatch": {
            "en": "This Idempotency-Key was used with a different request body",
            "ru": "Этот Idempotency-Key уже использован с другим телом запроса",
        },
        "error.payload_too_large": {
            "en": "The request body is too large",
            "ru": "Тело запроса слишком велико",
        },
        "error.service_unavailable": {"en": "Service unavailable", "ru": "Сервис недоступен"},
    }
)
