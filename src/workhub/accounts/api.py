"""What other modules may call of the accounts module (with its ``events`` and ``schemas``).

Other modules read people through these, never through the accounts models
or their SQL: profiles (name, language, time zone) to render and schedule
for them, an account found by email, and the users whose digest is due.
"""

from __future__ import annotations

from workhub.accounts.services import UserService, digest_recipients, normalise_email

__all__ = ("UserService", "digest_recipients", "normalise_email")
