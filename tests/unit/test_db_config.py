"""The database config: a process may build any number of them (each test builds an app)."""

from __future__ import annotations

from workhub.kernel.db import build_db_config

URL = "postgresql+asyncpg://workhub@localhost/workhub"


def test_thousands_of_configs_in_one_process_each_keep_their_own_keys() -> None:
    # advanced-alchemy makes a taken key unique by recursing once per config built before:
    # with its default keys the 1,000th config overflowed the stack.
    configs = [build_db_config(URL) for _ in range(2_000)]
    scopes = {c.session_scope_key for c in configs}
    assert len(scopes) == len(configs)
    assert len({c.engine_app_state_key for c in configs}) == len(configs)
    # What routes and plugins ask for by name stays the same.
    assert {c.session_dependency_key for c in configs} == {"db_session"}
    assert {c.engine_dependency_key for c in configs} == {"db_engine"}
