"""Root conftest: the shared fixtures of ``tests/fixtures.py`` for every test.

That includes each plugin's own tests under ``plugins/*/tests``.
"""

pytest_plugins = ("tests.fixtures",)
