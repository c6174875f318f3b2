"""The example plugin's tests use the repository's shared fixtures (real PostgreSQL and Redis).

The root ``conftest.py`` loads ``tests/fixtures.py`` for every test in the
repository, plugins included; a plugin kept in its own repository copies
that file and loads it the same way.
"""
