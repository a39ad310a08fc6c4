"""Reading an uploaded file into a header and rows of text cells: CSV (encoding and delimiter detected),
XLSX (openpyxl, read-only) and vCard (contacts).

Every reader yields the data rows in file order, so "row N" means the same row on every run: a resumed import
skips exactly the rows it already committed.
"""

from __future__ import annotations

import csv
import datetime
import io
import quopri
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = ["FORMATS", "Table", "decode", "detect_delimiter", "detect_format", "read_table"]

FORMATS = ("csv", "xlsx", "vcf")
DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024


@dataclass
class Table:
    """A file's header and a way to iterate its data rows (each a list of strings, as long as the header)."""

    headers: list[str]
    file_format: str
    encoding: str = ""
    delimiter: str = ""
    _rows: Any = field(default=None, repr=False)

    def rows(self) -> Iterator[list[str]]:
        width = len(self.headers)
        for row in self._rows():
            cells = [_cell(v) for v in row][:width]
            if not any(cells):
                continue  # blank lines are not rows
            yield cells + [""] * (width - len(cells))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def detect_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    suffix = {"vcard": "vcf", "txt": "csv", "tsv": "csv"}.get(suffix, suffix)
    if suffix not in FORMATS:
        raise ValidationError({"file": _("Upload a CSV, XLSX or vCard (.vcf) file.")})
    return suffix


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without a BOM) when the bytes are valid UTF-8, else Windows-1251 —
    what Excel and amoCRM/Bitrix24 exports in a Russian locale write."""
    try:
        return data.decode("utf-8-sig"), ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "cp1251"


def detect_delimiter(sample: str) -> str:
    """csv.Sniffer over , ; tab |; when it cannot tell, the candidate found most often, and equally often, in
    the first lines."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    lines = [line for line in sample.splitlines()[:20] if line.strip()]

    def score(delimiter: str) -> tuple[int, int]:
        counts = [line.count(delimiter) for line in lines]
        return (sum(1 for c in counts if c and c == counts[0]), counts[0] if counts else 0)

    best = max(DELIMITERS, key=score)
    return best if lines and lines[0].count(best) else ","


def _read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    delimiter = detect_delimiter(text[:SNIFF_BYTES])

    def rows() -> Iterator[list[str]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        next(reader, None)
        yield from reader

    header_row = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    return Table(headers=_headers(header_row), file_format="csv", encoding=encoding, delimiter=delimiter,
                 _rows=rows)


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise ValidationError({"file": _("The file is not a readable XLSX workbook.")}) from exc
    sheet = workbook.worksheets[0]
    first = next(sheet.iter_rows(values_only=True), ())

    def rows() -> Iterator[tuple[Any, ...]]:
        yield from sheet.iter_rows(min_row=2, values_only=True)

    return Table(headers=_headers([_cell(v) for v in first]), file_format="xlsx", _rows=rows)


def _headers(row: list[str]) -> list[str]:
    headers = [str(h or "").strip().lstrip("\ufeff") for h in row]
    while headers and not headers[-1]:
        headers.pop()
    return [h or _("Column %(n)d") % {"n": i + 1} for i, h in enumerate(headers)]


# --- vCard ---------------------------------------------------------------------------------------------------

VCARD_COLUMNS = ["FN", "N:last", "N:first", "N:middle", "TEL", "EMAIL", "ORG", "TITLE", "NOTE", "BDAY", "UID"]


def _unfold(text: str) -> list[str]:
    """RFC 6350 3.2: a line starting with a space or tab continues the previous one; quoted-printable soft
    line breaks (a trailing '=') join too."""
    lines: list[str] = []
    for raw in text.splitlines():
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif lines and lines[-1].endswith("=") and "QUOTED-PRINTABLE" in lines[-1].split(":", 1)[0].upper():
            lines[-1] = lines[-1][:-1] + raw
        else:
            lines.append(raw)
    return lines


def _vcard_value(params: list[str], value: str) -> str:
    upper = [p.upper() for p in params]
    if "ENCODING=QUOTED-PRINTABLE" in upper or "QUOTED-PRINTABLE" in upper:
        charset = next((p.split("=", 1)[1] for p in params if p.upper().startswith("CHARSET=")), "utf-8")
        try:
            value = quopri.decodestring(value.encode("latin-1", errors="replace")).decode(charset, errors="replace")
        except LookupError:
            value = quopri.decodestring(value.encode("latin-1", errors="replace")).decode("utf-8", errors="replace")
    return value.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";").strip()


def parse_vcards(text: str) -> list[dict[str, str]]:
    """Each card as {column: value} for VCARD_COLUMNS; several TEL / EMAIL values are joined by commas."""
    cards: list[dict[str, str]] = []
    card: dict[str, list[str]] | None = None
    for line in _unfold(text):
        if ":" not in line:
            continue
        name_part, value = line.split(":", 1)
        params = name_part.split(";")
        name = params[0].split(".")[-1].upper()  # "item1.TEL" groups
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            card = {}
        elif name == "END" and card is not None:
            cards.append({k: ", ".join(v) for k, v in card.items()})
            card = None
        elif card is not None:
            decoded = _vcard_value(params[1:], value)
            if name == "N":
                parts = (decoded.split(";") + ["", "", ""])[:3]
                for key, part in zip(("N:last", "N:first", "N:middle"), parts, strict=True):
                    card.setdefault(key, []).append(part.replace("\\", "").strip())
            elif name == "ORG":
                card.setdefault("ORG", []).append(decoded.split(";")[0])
            elif name in VCARD_COLUMNS and decoded:
                card.setdefault(name, []).append(decoded)
    return cards


def _read_vcf(data: bytes) -> Table:
    text, encoding = decode(data)
    cards = parse_vcards(text)
    if not cards and "BEGIN:VCARD" not in text.upper():
        raise ValidationError({"file": _("The file has no vCard entries.")})

    def rows() -> Iterator[list[str]]:
        for card in cards:
            yield [card.get(c, "") for c in VCARD_COLUMNS]

    return Table(headers=list(VCARD_COLUMNS), file_format="vcf", encoding=encoding, _rows=rows)


def read_table(data: bytes, filename: str) -> Table:
    """The file as a Table; ValidationError (on "file") for an unknown format or an unreadable file."""
    fmt = detect_format(filename)
    if fmt == "xlsx":
        table = _read_xlsx(data)
    elif fmt == "vcf":
        table = _read_vcf(data)
    else:
        table = _read_csv(data)
    if not table.headers:
        raise ValidationError({"file": _("The file is empty: the first line must name the columns.")})
    return table
