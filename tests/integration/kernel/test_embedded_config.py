"""Server parameters of the embedded PostgreSQL (what the benchmarks size it with)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workhub.kernel.embedded import start_postgres, stop_server


def _shown(server: Any, name: str) -> str:
    output: str = server.psql(f"SHOW {name};")
    return output.splitlines()[2].strip()  # header, rule, value


def test_config_is_applied_with_a_restart_and_kept_across_starts(tmp_path: Path) -> None:
    pg, _ = start_postgres(tmp_path / "pg", database="sized", config={"shared_buffers": "48MB"})
    try:
        assert _shown(pg, "shared_buffers") == "48MB"  # needs a restart to take effect
    finally:
        stop_server(pg)
    pg, _ = start_postgres(tmp_path / "pg", database="sized")
    try:
        assert _shown(pg, "shared_buffers") == "48MB"  # written to postgresql.auto.conf
    finally:
        stop_server(pg)
