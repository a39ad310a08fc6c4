import pytest
from django.core.exceptions import ValidationError

from kartoteka.core.validators import format_phone, normalize_phone, normalize_phones, validate_inn


@pytest.mark.parametrize("raw", ["8 (916) 123-45-67", "+7 916 1234567", "89161234567", "+7(916)123-45-67"])
def test_russian_phone_forms_normalise_to_e164(raw):
    assert normalize_phone(raw) == "+79161234567"


def test_phone_extension_is_kept():
    assert normalize_phone("+7 495 123-45-67 ext. 123") == "+74951234567;ext=123"


def test_phone_displays_in_national_format():
    assert format_phone("+79161234567") == "8 (916) 123-45-67"


@pytest.mark.parametrize("raw", ["12345", "not a phone", "+7 916 123"])
def test_invalid_phone_is_an_error(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_duplicate_phones_are_kept_once():
    assert normalize_phones(["8 916 123 45 67", "+79161234567"]) == ["+79161234567"]


def test_inn_with_wrong_checksum_is_an_error():
    with pytest.raises(ValidationError) as exc:
        validate_inn("7707083894")
    assert exc.value.code == "inn_checksum"


def test_valid_inn_passes():
    assert validate_inn(" 7707083893 ") == "7707083893"
