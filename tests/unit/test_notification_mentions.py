"""The ``@name`` mention rule: a member's name without spaces, or their email's local part."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from workhub.notifications.mentions import mentioned, words


@dataclass
class P:
    user_id: UUID
    name: str
    email: str


IVAN = P(uuid4(), "Иван Петров", "ivan.petrov@example.com")
JANE = P(uuid4(), "Jane Doe", "jd@example.com")
PEOPLE = [IVAN, JANE]


def test_a_name_without_spaces_or_an_email_local_part_mentions_a_person() -> None:
    assert mentioned("@ИванПетров, глянь", PEOPLE) == {IVAN.user_id}
    assert mentioned("ask @ivan.petrov", PEOPLE) == {IVAN.user_id}
    assert mentioned("@JaneDoe and @jd", PEOPLE) == {JANE.user_id}
    assert mentioned("@иванпетров", PEOPLE) == {IVAN.user_id}  # case does not matter


def test_trailing_punctuation_is_not_part_of_the_name() -> None:
    assert mentioned("thanks @jd.", PEOPLE) == {JANE.user_id}
    assert mentioned("(@ivan.petrov)", PEOPLE) == {IVAN.user_id}
    assert words("@jd... and @jd-") == {"jd"}


def test_emails_partial_names_and_strangers_mention_nobody() -> None:
    assert mentioned("write to jd@example.com", PEOPLE) == set()
    assert mentioned("@Иван and @Jane", PEOPLE) == set()  # a first name alone is ambiguous
    assert mentioned("@someone", PEOPLE) == set()
    assert mentioned("no mentions here", PEOPLE) == set()
