from __future__ import annotations

import re
from pathlib import Path

import pytest

from workhub.kernel.i18n import (
    LOCALES,
    Catalog,
    Msg,
    all_messages,
    current_catalog,
    negotiate,
    plural_forms,
    translate,
    use_catalog,
    using,
)
from workhub.kernel.plugins import Registry, Runtime
from workhub.process import build_registry
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


def _catalogs(directory: Path, ru: str, en: str) -> Path:
    header = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n"Plural-Forms: {forms}\\n"\n\n'
    )
    (directory / "ru.po").write_text(
        header.format(
            forms="nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
        )
        + ru
    )
    (directory / "en.po").write_text(header.format(forms="nplurals=2; plural=(n != 1);") + en)
    return directory


def test_translate_formats_counts_and_falls_back(tmp_path: Path) -> None:
    catalog = Catalog()
    catalog.add(
        _catalogs(
            tmp_path,
            ru='msgid "test.kernel.greet"\nmsgstr "Привет, {name}"\n\n'
            'msgid "test.kernel.tasks"\nmsgid_plural "test.kernel.tasks"\n'
            'msgstr[0] "{count} задача"\nmsgstr[1] "{count} задачи"\nmsgstr[2] "{count} задач"\n\n'
            'msgid "test.kernel.in"\nmsgstr "в {what}"\n',
            en='msgid "test.kernel.greet"\nmsgstr "Hello, {name}"\n\n'
            'msgid "test.kernel.tasks"\nmsgid_plural "test.kernel.tasks"\n'
            'msgstr[0] "{count} task"\nmsgstr[1] "{count} tasks"\n\n'
            'msgid "test.kernel.in"\nmsgstr "in {what}"\n\n'
            'msgid "test.kernel.only_en"\nmsgstr "English only"\n',
        )
    )
    use_catalog(catalog)  # for the rest of this test
    assert translate("test.kernel.greet", "ru", name="Аня") == "Привет, Аня"
    assert translate("test.kernel.greet", "en", name="Ann") == "Hello, Ann"
    assert translate("test.kernel.greet", None, name="Ann") == "Hello, Ann"
    assert [translate("test.kernel.tasks", "ru", count=n) for n in (1, 2, 5, 11, 21, 22, 25, 111)] == [
        "1 задача", "2 задачи", "5 задач", "11 задач", "21 задача", "22 задачи", "25 задач", "111 задач",
    ]  # fmt: skip
    assert [translate("test.kernel.tasks", "en", count=n) for n in (0, 1, 2)] == [
        "0 tasks",
        "1 task",
        "2 tasks",
    ]
    assert translate("test.kernel.in", "ru", what=Msg("test.kernel.tasks", count=3)) == "в 3 задачи"
    assert translate("test.kernel.only_en", "ru") == "English only"
    assert translate("test.kernel.no_such_key", "ru") == "test.kernel.no_such_key"


def test_every_message_of_the_core_and_the_example_exists_in_every_locale_with_all_its_forms() -> None:
    registry = build_registry(Settings(env="test"), plugins=[example])
    assert registry.statuses[-1].name == "example"
    use_catalog(registry.messages)  # for the rest of this test
    messages = {key: texts for key, texts in all_messages().items() if not key.startswith("test.")}
    missing = {key: [loc for loc in LOCALES if not texts.get(loc)] for key, texts in messages.items()}
    assert {key: locs for key, locs in missing.items() if locs} == {}
    assert "example.hello" in messages
    plural = {
        key: texts for key, texts in messages.items() if any(isinstance(t, tuple) for t in texts.values())
    }
    assert "digest.section.overdue" in plural and "job.message.exported" in plural
    for key, texts in plural.items():
        for locale in LOCALES:
            forms = texts[locale]
            assert isinstance(forms, tuple), (key, locale, "plural in one language only")
            assert len(forms) == plural_forms(locale) and all(forms), (key, locale, forms)
    for key, texts in messages.items():  # the same placeholders in every language and form
        names = {
            frozenset(re.findall(r"\{(\w+)\}", form))
            for t in texts.values()
            for form in (t if isinstance(t, tuple) else (t,))
        }
        assert len(names) == 1, (key, names)


def test_each_registry_has_its_own_texts_and_translate_reads_the_current_one(tmp_path: Path) -> None:
    """A plugin's texts are in the catalog of the registry that installed it, not in every other."""
    with_example = build_registry(Settings(env="test"), plugins=[example])
    core_only = build_registry(Settings(env="test"), plugins=[])
    assert with_example.messages.translate("example.hello", "ru") != "example.hello"
    assert core_only.messages.translate("example.hello", "ru") == "example.hello"
    with using(with_example.messages):
        assert translate("example.hello", "ru") == with_example.messages.translate("example.hello", "ru")
        with using(core_only.messages):
            assert translate("example.hello", "ru") == "example.hello"
    # Without a catalog made current, only the kernel's own texts (errors, realtime) are known.
    with using(Catalog()):
        assert translate("realtime.not_found", "en") != "realtime.not_found"
        assert translate("task.status.done", "en") == "task.status.done"


async def test_binding_a_runtime_makes_its_registrys_texts_current() -> None:
    registry = build_registry(Settings(env="test"), plugins=[example])
    with using(Catalog()):
        registry.bind(Runtime.__new__(Runtime))
        assert current_catalog() is registry.messages
    assert Registry().messages is not registry.messages
