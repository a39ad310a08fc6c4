"""Custom field values: one value per type (clean_value) and a record's whole dict (clean_values)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kartoteka.customfields.models import CustomField
from kartoteka.customfields.values import MAX_TEXT, clean_value, clean_values, display_value

CHOICES = ["gold", "silver", "Бронза"]


def field(field_type, *, required=False):
    """An unsaved definition: clean_value needs only its type, options and required flag."""
    return CustomField(entity="company", key="cf", label="CF", field_type=field_type, required=required,
                       choices=CHOICES if "choice" in field_type else [])


VALID = [
    ("text", "  Привет, мир  ", "Привет, мир"),
    ("text", 42, "42"),
    ("text", "x" * MAX_TEXT, "x" * MAX_TEXT),
    ("number", "42", 42),
    ("number", 42, 42),
    ("number", 100, 100),
    ("number", "1e3", 1000),
    ("number", "-3,50", -3.5),
    ("number", "1 234,5", 1234.5),
    ("number", "0.0000001", 1e-7),
    ("number", 0, 0),
    ("number", Decimal("2.50"), 2.5),
    ("number", "999999999999999", 999999999999999),
    ("money", "1 234,5", 1234.5),
    ("money", "1\u00a0234,5", 1234.5),  # the no-break space Russian number formatting uses
    ("money", "1\u202f234,5", 1234.5),
    ("money", "10", 10),
    ("money", 99.9, 99.9),
    ("money", "99.999", 100),
    ("money", "-0,5", -0.5),
    ("date", "05.01.2026", "2026-01-05"),
    ("date", " 2026-01-05 ", "2026-01-05"),
    ("date", "05/01/2026", "2026-01-05"),
    ("date", datetime.date(2026, 1, 5), "2026-01-05"),
    ("date", datetime.datetime(2026, 1, 5, 10, 30), "2026-01-05"),
    ("date", "29.02.2024", "2024-02-29"),
    ("boolean", True, True),
    ("boolean", False, False),
    ("boolean", "да", True),
    ("boolean", "Да", True),
    ("boolean", "нет", False),
    ("boolean", "НЕТ", False),
    ("boolean", "yes", True),
    ("boolean", "off", False),
    ("boolean", "1", True),
    ("boolean", 0, False),
    ("url", "https://example.com/a?b=1", "https://example.com/a?b=1"),
    ("url", " http://пример.рф ", "http://пример.рф"),
    ("choice", "gold", "gold"),
    ("choice", " Бронза ", "Бронза"),
    ("multichoice", ["gold", "silver"], ["gold", "silver"]),
    ("multichoice", "gold, Бронза", ["gold", "Бронза"]),
    ("multichoice", ("silver", " "), ["silver"]),
]


@pytest.mark.parametrize(("field_type", "value", "expected"), VALID)
def test_valid_value_is_stored_in_its_json_form(field_type, value, expected):
    assert clean_value(field(field_type), value) == expected


INVALID = [
    ("text", "x" * (MAX_TEXT + 1), "max_length"),
    ("number", "много", "invalid"),
    ("number", True, "invalid"),
    ("number", "1.2.3", "invalid"),
    ("number", "NaN", "invalid"),
    ("number", "inf", "invalid"),
    ("number", "-Infinity", "invalid"),
    ("number", "sNaN", "invalid"),
    ("number", float("nan"), "invalid"),
    ("number", "1e15", "invalid"),
    ("money", "NaN", "invalid"),
    ("money", "Infinity", "invalid"),
    ("money", float("inf"), "invalid"),
    ("money", False, "invalid"),
    ("money", "100 руб.", "invalid"),
    ("date", "31.02.2026", "invalid"),
    ("date", "2026-02-30", "invalid"),
    ("date", "29.02.2025", "invalid"),
    ("date", "завтра", "invalid"),
    ("date", "2026-01-05T10:30:00", "invalid"),
    ("boolean", "может быть", "invalid"),
    ("boolean", 2, "invalid"),
    ("url", "example.com", "invalid"),
    ("url", "ftp://example.com", "invalid"),
    ("url", "javascript:alert(1)", "invalid"),
    ("choice", "platinum", "invalid_choice"),
    ("choice", "Gold", "invalid_choice"),
    ("multichoice", ["gold", "tin"], "invalid_choice"),
    ("multichoice", "gold, tin", "invalid_choice"),
]


@pytest.mark.parametrize(("field_type", "value", "code"), INVALID)
def test_invalid_value_is_refused(field_type, value, code):
    with pytest.raises(ValidationError) as exc:
        clean_value(field(field_type), value)

    assert exc.value.code == code


@pytest.mark.parametrize("field_type", ["text", "number", "money", "date", "choice", "multichoice", "boolean", "url"])
@pytest.mark.parametrize("empty", [None, "", []])
def test_empty_value_of_optional_field_is_none(field_type, empty):
    assert clean_value(field(field_type), empty) is None


@pytest.mark.parametrize("field_type", ["text", "number", "money", "date", "choice", "multichoice", "boolean", "url"])
@pytest.mark.parametrize("empty", [None, "", []])
def test_empty_value_of_required_field_is_refused(field_type, empty):
    with pytest.raises(ValidationError) as exc:
        clean_value(field(field_type, required=True), empty)

    assert exc.value.code == "required"


@pytest.mark.parametrize(("field_type", "value", "expected"), [
    ("boolean", False, False), ("number", 0, 0), ("money", "0", 0),
])
def test_false_and_zero_satisfy_a_required_field(field_type, value, expected):
    assert clean_value(field(field_type, required=True), value) == expected


def test_unknown_field_type_is_refused():
    with pytest.raises(ValidationError) as exc:
        clean_value(field("colour"), "red")

    assert exc.value.code == "invalid"


# --- clean_values: a record's whole dict --------------------------------------------------------------------


@pytest.fixture
def company_fields(make_custom_field):
    make_custom_field("segment")
    make_custom_field("employees", "number")
    make_custom_field("budget", "money")
    make_custom_field("since", "date", entity="contact")


def test_values_are_cleaned_together(company_fields):
    cleaned = clean_values("company", {"segment": " B2B ", "employees": "12", "budget": "1 000"})

    assert cleaned == {"segment": "B2B", "employees": 12, "budget": 1000}


def test_every_bad_key_is_named(company_fields):
    with pytest.raises(ValidationError) as exc:
        clean_values("company", {"employees": "много", "budget": "NaN", "since": "2026-01-01", "color": "red"})

    assert exc.value.message_dict == {
        "employees": ["Enter a number."],
        "budget": ["Enter a number."],
        "since": ["There is no custom field “since”."],
        "color": ["There is no custom field “color”."],
    }


def test_non_object_is_refused(company_fields):
    with pytest.raises(ValidationError) as exc:
        clean_values("company", ["segment", "B2B"])

    assert exc.value.message_dict == {"custom_fields": ["Must be an object of field keys to values."]}


def test_partial_update_keeps_absent_keys(company_fields):
    existing = {"segment": "B2B", "employees": "12"}

    merged = clean_values("company", {"employees": "15"}, existing=existing, partial=True)

    assert merged == {"segment": "B2B", "employees": 15}
    assert existing == {"segment": "B2B", "employees": "12"}


def test_partial_update_with_empty_value_removes_the_key(company_fields):
    merged = clean_values("company", {"segment": ""}, existing={"segment": "B2B", "employees": "12"}, partial=True)

    assert merged == {"employees": "12"}


def test_partial_update_keeps_values_of_removed_definitions(company_fields):
    merged = clean_values("company", {"segment": "B2C"}, existing={"segment": "B2B", "legacy": "x"}, partial=True)

    assert merged == {"segment": "B2C", "legacy": "x"}


def test_full_update_replaces_the_dict(company_fields):
    merged = clean_values("company", {"segment": "B2C"}, existing={"segment": "B2B", "employees": "12"})

    assert merged == {"segment": "B2C"}


def test_partial_update_still_checks_required_keys_it_touches(make_custom_field):
    make_custom_field("segment", required=True)

    with pytest.raises(ValidationError) as exc:
        clean_values("company", {"segment": None}, existing={"segment": "B2B"}, partial=True)

    assert exc.value.message_dict == {"segment": ["This field is required."]}


def test_partial_update_does_not_demand_required_keys_it_does_not_touch(make_custom_field):
    make_custom_field("segment", required=True)
    make_custom_field("employees", "number")

    assert clean_values("company", {"employees": "3"}, existing={}, partial=True) == {"employees": 3}


@pytest.mark.parametrize(("field_type", "stored", "shown"), [
    ("date", "2026-01-05", "05.01.2026"),
    ("boolean", True, "yes"),
    ("boolean", False, "no"),
    ("multichoice", ["gold", "silver"], "gold, silver"),
    ("money", 1234.5, "1,234.50 ₽"),
    ("number", 1234567, "1,234,567"),
    ("number", 2.5, "2.5"),
    ("text", None, ""),
])
def test_stored_value_is_displayed_for_people(field_type, stored, shown):
    with translation.override("en"):
        assert display_value(field(field_type), stored) == shown


def test_money_is_displayed_in_russian_format_with_the_rouble_sign():
    with translation.override("ru"):
        assert display_value(field("money"), 1234567.5) == "1\xa0234\xa0567,50 ₽"
