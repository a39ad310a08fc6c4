"""Reading uploads: encoding and delimiter detection, XLSX, vCard."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from kartoteka.dataio.importing.readers import decode, detect_delimiter, parse_vcards, read_table


def test_cp1251_semicolon_file_with_cyrillic_headers_is_read() -> None:
    data = "Полное имя;Рабочий телефон;Компания\r\nИванов Иван;+7 916 123-45-67;ООО «Ромашка»\r\n".encode("cp1251")

    table = read_table(data, "amocrm.csv")

    assert (table.encoding, table.delimiter) == ("cp1251", ";")
    assert table.headers == ["Полное имя", "Рабочий телефон", "Компания"]
    assert list(table.rows()) == [["Иванов Иван", "+7 916 123-45-67", "ООО «Ромашка»"]]


def test_utf8_bom_is_stripped_from_the_first_header() -> None:
    data = "\ufeffИмя,Фамилия\nИван,Петров\n".encode()

    table = read_table(data, "b.csv")

    assert (table.encoding, table.delimiter, table.headers) == ("utf-8-sig", ",", ["Имя", "Фамилия"])


def test_plain_utf8_with_tabs_and_quoted_delimiters() -> None:
    data = 'Название\tАдрес\n"ООО Юг"\t"Москва, ул. Ленина; д. 1"\n'.encode()

    table = read_table(data, "c.tsv")

    assert (table.encoding, table.delimiter) == ("utf-8", "\t")
    assert list(table.rows()) == [["ООО Юг", "Москва, ул. Ленина; д. 1"]]


@pytest.mark.parametrize(("sample", "expected"), [
    ("a|b|c\n1|2|3\n", "|"), ("a;b\n1;2\n", ";"), ("one column\nvalue\n", ","), ("a,b;c\n1,2;3\n4,5;6\n", ","),
])
def test_delimiter_detection(sample: str, expected: str) -> None:
    assert detect_delimiter(sample) == expected


def test_bytes_that_are_not_utf8_are_windows_1251() -> None:
    assert decode("Ёлка".encode("cp1251")) == ("Ёлка", "cp1251")


def test_blank_lines_are_not_rows_and_short_rows_are_padded() -> None:
    table = read_table(b"a;b;c\n1;2\n\n;;\n4;5;6\n", "x.csv")

    assert list(table.rows()) == [["1", "2", ""], ["4", "5", "6"]]


def test_xlsx_first_sheet_is_read_with_numbers_and_dates_as_text() -> None:
    import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Название сделки", "Бюджет", "Дата закрытия"])
    sheet.append(["Поставка", 150000, datetime.datetime(2026, 3, 1)])
    sheet.append(["Монтаж", 1234.5, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    table = read_table(buffer.getvalue(), "deals.xlsx")

    assert table.headers == ["Название сделки", "Бюджет", "Дата закрытия"]
    assert list(table.rows()) == [["Поставка", "150000", "2026-03-01"], ["Монтаж", "1234.5", ""]]


VCARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Иванов;Иван;Петрович;;\r\nFN:Иван Петрович Иванов\r\n"
    "ORG:ООО Ромашка;Отдел продаж\r\nTITLE:Директор\r\nTEL;TYPE=WORK:+7 916 123-45-67\r\n"
    "TEL;TYPE=CELL:8 (903) 000-11-2\r\n 2\r\nEMAIL:ivan@romashka.ru\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9F=D0=B5=D1=82=D1=80=D0=BE=D0=B2;"
    "=D0=9F=D1=91=D1=82=D1=80\r\nTEL:+79035556677\r\nEND:VCARD\r\n"
)


def test_vcard_cards_become_rows_with_folded_lines_and_quoted_printable() -> None:
    cards = parse_vcards(VCARD)

    assert cards[0]["N:last"] == "Иванов" and cards[0]["N:middle"] == "Петрович"
    assert cards[0]["TEL"] == "+7 916 123-45-67, 8 (903) 000-11-22"
    assert cards[0]["ORG"] == "ООО Ромашка"
    assert (cards[1]["N:last"], cards[1]["N:first"]) == ("Петров", "Пётр")


def test_vcard_file_is_a_table() -> None:
    table = read_table(VCARD.encode(), "contacts.vcf")

    rows = list(table.rows())
    assert len(rows) == 2 and rows[0][table.headers.index("EMAIL")] == "ivan@romashka.ru"


def test_unknown_format_is_refused_naming_the_file() -> None:
    with pytest.raises(ValidationError) as exc:
        read_table(b"x", "data.pdf")
    assert "file" in exc.value.message_dict
