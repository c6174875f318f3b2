from __future__ import annotations

import pytest

from workhub.app import build_registry
from workhub.kernel.i18n import LOCALES, all_messages, negotiate, register_messages, translate
from workhub.settings import Settings
from workhub_example import plugin as example


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ru", "ru"),
        ("ru-RU,ru;q=0.9,en-US;q=0.8", "ru"),
        ("en-US,en;q=0.9,ru;q=0.8", "en"),
        ("de-DE,de;q=0.9,ru;q=0.5", "ru"),  # the best language we have wins
        ("fr, de", "en"),  # nothing we speak: English
        ("ru;q=0.2, en;q=0.7", "en"),
        ("ru;q=abc, en;q=0.5", "en"),  # a broken weight counts as zero
        ("", "en"),
        (None, "en"),
    ],
)
def test_negotiate_picks_ru_or_en_from_accept_language(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_a_users_own_locale_beats_the_header() -> None:
    assert negotiate("en", fallback="ru") == "ru"
    assert negotiate("ru", fallback="xx") == "ru"  # an unknown stored locale is ignored


def test_translate_formats_and_falls_back() -> None:
    register_messages({"test.kernel.greet": {"en": "Hello, {name}", "ru": "Привет, {name}"}})
    register_messages({"test.kernel.only_en": {"en": "English only"}})
    assert translate("test.kernel.greet", "ru", name="Аня") == "Привет, Аня"
    assert translate("test.kernel.greet", "en", name="Ann") == "Hello, Ann"
    assert translate("test.kernel.greet", None, name="Ann") == "Hello, Ann"
    assert translate("test.kernel.only_en", "ru") == "English only"
    assert translate("test.kernel.no_such_key", "ru") == "test.kernel.no_such_key"


def test_every_message_of_the_core_and_the_example_exists_in_every_locale() -> None:
    registry = build_registry(Settings(env="test"), plugins=[example])
    assert registry.statuses[-1].name == "example"
    missing = {
        key: [loc for loc in LOCALES if not texts.get(loc)]
        for key, texts in all_messages().items()
        if not key.startswith("test.") and any(not texts.get(loc) for loc in LOCALES)
    }
    assert missing == {}
    assert "example.hello" in all_messages()
