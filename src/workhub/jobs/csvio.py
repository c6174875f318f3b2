"""CSV files as Excel reads and writes them: UTF-8 with a BOM, ``,`` or ``;``, cells that are never formulas.

Excel opens a UTF-8 file as UTF-8 only when it starts with a byte-order mark;
without one, Cyrillic text turns into mojibake. Where the decimal separator
is a comma (Russian settings) Excel splits columns on ``;``, so that is the
default separator for Russian-speaking users, with decimal commas in numbers.
A cell that starts with ``=``, ``+``, ``-``, ``@`` or a tab would be run as a
formula by spreadsheets (CSV injection): such cells get a leading ``'``,
which Excel hides and :func:`read_rows` strips again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ("CsvWriter", "decode_upload", "default_delimiter", "read_rows", "sniff_delimiter")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def default_delimiter(language: str) -> str:
    """``;`` for Russian (Excel's list separator there), ``,`` otherwise."""
    return ";" if language == "ru" else ","


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class CsvWriter:
    """Writes rows to a UTF-8-with-BOM CSV file, batch by batch (nothing is kept in memory)."""

    def __init__(self, path: Path, *, delimiter: str) -> None:
        self._handle: TextIO = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._handle, delimiter=delimiter, lineterminator="\r\n")
        self.delimiter = delimiter
        self.rows = 0

    def number(self, value: float | None, digits: int = 1) -> str:
        """A number as Excel reads it with this separator (a decimal comma with ``;``)."""
        if value is None:
            return ""
        text = f"{value:.{digits}f}"
        return text.replace(".", ",") if self.delimiter == ";" else text

    def write(self, rows: Iterable[Iterable[Any]]) -> None:
        """Append rows."""
        for row in rows:
            self._writer.writerow([_safe(v) for v in row])
            self.rows += 1

    def close(self) -> None:
        """Flush and close the file."""
        self._handle.close()

    def __enter__(self) -> CsvWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def decode_upload(data: bytes) -> str:
    """The text of an uploaded CSV: UTF-8 (with or without a BOM), else Windows-1251 (Russian Excel's "CSV")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def sniff_delimiter(text: str) -> str:
    """``;`` or ``,``: whichever the header row has more of."""
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _unsafe(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def read_rows(text: str, *, delimiter: str) -> Iterator[list[str]]:
    """The records of a CSV text (quoted cells may span lines); formula guards are undone."""
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [_unsafe(cell) for cell in record]
