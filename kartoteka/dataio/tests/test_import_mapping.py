"""Guessing the mapping from amoCRM, Bitrix24 and plain headers; saved mappings."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kartoteka.dataio.importing.fields import entity_fields
from kartoteka.dataio.importing.mapping import (
    check_mapping,
    guess_mapping,
    matching_saved_mapping,
    saved_columns,
)
from kartoteka.dataio.models import ImportMapping

pytestmark = pytest.mark.django_db


def guess(entity: str, headers: list[str]) -> dict[str, str]:
    return dict(zip(headers, guess_mapping(headers, entity_fields(entity)), strict=True))


def test_amocrm_contacts_export_headers() -> None:
    headers = ["ID", "Полное имя", "Компания", "Рабочий телефон", "Мобильный телефон", "Рабочий email",
               "Личный email", "Должность", "Ответственный", "Теги", "Дата создания"]

    assert guess("contact", headers) == {
        "ID": "external_id", "Полное имя": "full_name", "Компания": "company", "Рабочий телефон": "phones",
        "Мобильный телефон": "phones", "Рабочий email": "emails", "Личный email": "emails", "Должность": "position",
        "Ответственный": "owner", "Теги": "tags", "Дата создания": ""}


def test_amocrm_deals_export_headers() -> None:
    headers = ["ID", "Название сделки", "Бюджет", "Ответственный", "Этап сделки", "Воронка", "Компания", "ИНН",
               "Теги"]

    assert guess("deal", headers) == {
        "ID": "external_id", "Название сделки": "title", "Бюджет": "amount", "Ответственный": "owner",
        "Этап сделки": "stage", "Воронка": "pipeline", "Компания": "company", "ИНН": "company_inn", "Теги": "tags"}


def test_bitrix24_contacts_export_headers() -> None:
    headers = ["ID", "Имя", "Фамилия", "Отчество", "Рабочий телефон", "E-mail рабочий", "Название компании",
               "Должность", "Источник", "Ответственный"]

    assert guess("contact", headers) == {
        "ID": "external_id", "Имя": "first_name", "Фамилия": "last_name", "Отчество": "middle_name",
        "Рабочий телефон": "phones", "E-mail рабочий": "emails", "Название компании": "company",
        "Должность": "position", "Источник": "source", "Ответственный": "owner"}


def test_bitrix24_lead_name_parts_all_feed_the_name() -> None:
    assert guess("lead", ["Имя", "Фамилия", "Рабочий телефон", "E-mail рабочий", "Название лида"]) == {
        "Имя": "name", "Фамилия": "name", "Рабочий телефон": "phone", "E-mail рабочий": "email",
        "Название лида": "message"}


def test_english_company_headers_and_custom_fields(make_custom_field: Any) -> None:
    make_custom_field("segment", "choice", choices=("A", "B"), label="Сегмент")

    assert guess("company", ["Company name", "Tax ID", "Phone", "E-mail", "Website", "Сегмент"]) == {
        "Company name": "name", "Tax ID": "inn", "Phone": "phones", "E-mail": "emails", "Website": "website",
        "Сегмент": "cf:segment"}


def test_a_required_field_without_a_column_is_named() -> None:
    fields = entity_fields("deal")

    with pytest.raises(ValidationError) as exc:
        check_mapping(["amount", ""], fields)
    assert exc.value.message_dict["mapping"] == ["Choose a column for the required field “title”."]


def test_single_valued_field_cannot_take_two_columns() -> None:
    with pytest.raises(ValidationError) as exc:
        check_mapping(["name", "inn", "inn"], entity_fields("company"))
    assert exc.value.message_dict["mapping"] == ["“INN” can take one column only."]


def test_a_saved_mapping_is_offered_for_a_file_with_the_same_headers(owner: Any) -> None:
    headers = ["Клиент", "Тел."]
    saved = ImportMapping.objects.create(name="Мой файл", entity="company", owner=owner,
                                         columns=saved_columns(headers, ["name", "phones"]))

    assert matching_saved_mapping(owner, "company", ["клиент", "ТЕЛ", "Другое"]) == saved
    assert matching_saved_mapping(owner, "contact", headers) is None
