"""CSV reading and writing for jobs, and the deadline formats an import understands."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from workhub.jobs.csvio import CsvWriter, open_upload, read_rows, sniff_delimiter
from workhub.jobs.importer import map_header
from workhub.tasks.imports import parse_deadline

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01T18:00:00+03:00", datetime(2026, 5, 1, 15, 0, tzinfo=UTC)),
        ("2026-05-01 18:00", datetime(2026, 5, 1, 15, 0, tzinfo=UTC)),
        ("2026-05-01", datetime(2026, 5, 1, 20, 59, tzinfo=UTC)),
        ("01.05.2026 18:00", datetime(2026, 5, 1, 15, 0, tzinfo=UTC)),
        ("1.5.2026", datetime(2026, 5, 1, 20, 59, tzinfo=UTC)),
        (" 01.05.2026 09:30:15 ", datetime(2026, 5, 1, 6, 30, 15, tzinfo=UTC)),
        ("31/12/2026", None),
        ("31.02.2026", None),
        ("tomorrow", None),
    ],
)
def test_deadline_formats(text: str, expected: datetime | None) -> None:
    assert parse_deadline(text, MOSCOW) == expected


def test_written_cells_read_back_the_same(tmp_path: Path) -> None:
    cells = ["=1+2", "-5% скидка", "@home", "Обычный; текст", 'кавычки "да"', "строка\nвторая", "+7 999"]
    path = tmp_path / "out.csv"
    with CsvWriter(path, delimiter=";") as out:
        out.write([cells])
        assert out.number(12.345) == "12,3" and out.number(None) == ""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"'=1+2" in raw, "a formula is neutralised in the file"
    with open_upload(path) as upload:
        text = upload.read()
    assert sniff_delimiter(text) == ";"
    assert list(read_rows(text, delimiter=";")) == [cells]


def test_uploads_in_windows_1251_are_decoded(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("Название,Срок\r\nОтчёт,01.05.2026\r\n".encode("cp1251"))
    with open_upload(path) as upload:
        assert list(read_rows(upload, delimiter=",")) == [["Название", "Срок"], ["Отчёт", "01.05.2026"]]
    assert sniff_delimiter("Название,Срок\n") == ","


def test_headers_in_either_language_and_the_email_column_wins() -> None:
    assert map_header(["Название", "Исполнитель", "Email исполнителя", "Непонятно", "Status"]) == {
        0: "title",
        2: "assignee",
        4: "status",
    }
    assert map_header(["\ufefftitle", "Assignee"]) == {0: "title", 1: "assignee"}
