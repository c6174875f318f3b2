"""``@name`` mentions: which people a text mentions.

The rule, the same wherever text is written (task descriptions, comments):
an ``@`` that starts a word (not inside an email address), followed by
letters, digits, ``_``, ``.`` or ``-``, mentions a person when that word,
ignoring case, is either

- their name with the spaces taken out (``@ИванПетров`` for "Иван Петров",
  ``@janedoe`` for "Jane Doe"), or
- the part of their email address before the ``@`` (``@ivan.petrov`` for
  ivan.petrov@example.com).

A full stop or hyphen ending the word is punctuation, not part of it
(``thanks @jane.`` mentions ``jane``). Only the people passed in (the
project's members) can be mentioned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol
from uuid import UUID

__all__ = ("Person", "mention_keys", "mentioned", "words")

_MENTION = re.compile(r"(?<![\w@.])@([\w][\w.\-]*)")


class Person(Protocol):
    """Whoever can be mentioned: an id, a display name and an email address."""

    @property
    def user_id(self) -> UUID:
        """The person's user id."""
        ...

    @property
    def name(self) -> str:
        """Their display name."""
        ...

    @property
    def email(self) -> str:
        """Their email address."""
        ...


def words(text: str) -> set[str]:
    """The mention words in ``text``, lower-cased, without the ``@`` and trailing punctuation."""
    found: set[str] = set()
    for match in _MENTION.finditer(text):
        word = match.group(1).rstrip(".-").casefold()
        if word:
            found.add(word)
    return found


def mention_keys(name: str, email: str) -> set[str]:
    """The words that mention a person with this name and email."""
    keys = {"".join(name.split()).casefold(), email.partition("@")[0].casefold()}
    return {k for k in keys if k}


def mentioned(text: str, people: Iterable[Person]) -> set[UUID]:
    """Ids of ``people`` that ``text`` mentions."""
    said = words(text)
    if not said:
        return set()
    return {p.user_id for p in people if mention_keys(p.name, p.email) & said}
