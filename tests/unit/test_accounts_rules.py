from __future__ import annotations

import pytest

from workhub.accounts.services import check_password, check_timezone, normalise_email
from workhub.kernel.errors import ValidationFailed
from workhub.kernel.i18n import LOCALES, all_messages, translate
from workhub.notifications.services import render


def test_emails_are_normalised() -> None:
    assert normalise_email("  Anna.Ivanova@Example.COM\t") == "anna.ivanova@example.com"


@pytest.mark.parametrize("password", ["", "123456789", "ninechars"])
def test_short_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_password(password, "anna@example.com")
    assert err.value.errors is not None
    assert [e.field for e in err.value.errors] == ["password"]
    assert err.value.code == "weak_password"


def test_the_email_is_not_a_password() -> None:
    with pytest.raises(ValidationFailed):
        check_password(" Anna.Longname@Example.com ", "anna.longname@example.com")
    check_password("1234567890", "anna@example.com")  # ten characters are enough


def test_the_field_name_follows_the_form() -> None:
    with pytest.raises(ValidationFailed) as err:
        check_password("short", "a@b.ru", "new_password")
    assert err.value.errors is not None
    assert err.value.errors[0].field == "new_password"


@pytest.mark.parametrize(
    "name", ["Europe/Moscow", "Asia/Vladivostok", "UTC", "America/Argentina/Buenos_Aires"]
)
def test_iana_time_zones_are_accepted(name: str) -> None:
    check_timezone(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Europe",
        "europe/moscow",
        "Mars/Olympus",
        "../../etc/passwd",
        "/etc/localtime",
        "localtime",
        "MSK+3",
    ],
)
def test_other_time_zones_are_refused(name: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        check_timezone(name)
    assert err.value.errors is not None
    assert err.value.errors[0].field == "timezone"


def test_notification_texts_exist_in_every_language() -> None:
    catalog = all_messages()  # the core registry's (tests/fixtures.py)
    assert "notification.system_role_changed.title" in catalog
    for key, texts in catalog.items():
        if key.startswith(("notification.", "role.")):
            assert set(texts) >= set(LOCALES), key
    title, body = render(
        "system_role_changed",
        "ru",
        role=translate("role.lead", "ru"),
        old_role=translate("role.manager", "ru"),
    )
    assert title == "Ваша роль изменена: руководитель"
    assert "менеджер" in body
    title, _ = render(
        "system_role_changed",
        "en",
        role=translate("role.manager", "en"),
        old_role=translate("role.lead", "en"),
    )
    assert title == "Your role changed to manager"
