"""What other modules may call of the notifications module (with its ``events`` and ``schemas``).

Sending a notification is not here: modules notify through the kernel's
:class:`~workhub.kernel.notifier.Notifier` (``runtime.notifier``), which this
module provides at setup, so they need not depend on it. What is here is the
``@mention`` rule, the same for every text a user writes (task comments,
chat messages).
"""

from __future__ import annotations

from workhub.notifications.mentions import Person, mentioned, words

__all__ = ("Person", "mentioned", "words")
