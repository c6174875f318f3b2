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

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from pathlib import Path

__all__ = (
    "CsvWriter",
    "default_delimiter",
    "open_upload",
    "read_rows",
    "sniff_delimiter",
)

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


def _upload_encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM), else Windows-1251 (Russian Excel's "CSV"), checked chunk by chunk."""
    with path.open("rb") as handle:
        if handle.read(3) == b"\xef\xbb\xbf":
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1251"
    return "utf-8"


def open_upload(path: Path) -> TextIO:
    """An uploaded CSV opened as text for :func:`read_rows`: UTF-8 if it all decodes so, else Windows-1251.

    Large imports read it this way, record by record, so their memory does
    not grow with the file.
    """
    return path.open(encoding=_upload_encoding(path), errors="replace", newline="")


def sniff_delimiter(text: str) -> str:
    """``;`` or ``,``: whichever the header row has more of."""
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _unsafe(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def read_rows(text: str | Iterable[str], *, delimiter: str) -> Iterator[list[str]]:
    """The records of a CSV text or open file (quoted cells may span lines); formula guards are undone."""
    source = io.StringIO(text, newline="") if isinstance(text, str) else text
    for record in csv.reader(source, delimiter=delimiter):
        yield [_unsafe(cell) for cell in record]
