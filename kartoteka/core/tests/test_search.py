"""Fragment search: names (any case, ё = е), INN/OGRN, phone digits in any notation, e-mail parts."""

import pytest

from kartoteka.contacts.models import Company, Contact
from kartoteka.contacts.services import update_company
from kartoteka.core.search import phone_digits, search_terms


@pytest.fixture
def companies(owner, make_company):
    """Named companies of one owner, keyed by a short label."""
    return {
        "romashka": make_company(owner, name="ООО Ромашка", inn="7707083893", ogrn="1027700132195",
                                 phones=["8 (916) 123-45-67"], emails=["Sales@Romashka.ru"]),
        "zelenyi": make_company(owner, name="Зелёный сад", inn="7736050003", phones=["+7 495 765-43-21 доб. 12"]),
        "zelenyi_bez_yo": make_company(owner, name="Зеленый мыс", emails=["info@mys.example"]),
        "lyutik": make_company(owner, name="АО Лютик", inn="500100732259", description="ромашка в описании"),
    }


def found(owner, fragment, model=Company):
    return set(model.objects.visible_to(owner).search(fragment).values_list("pk", flat=True))


def pks(records, *labels):
    return {records[label].pk for label in labels}


@pytest.mark.parametrize("fragment", ["ромашка", "РОМАШКА", "Ромаш", "машк", "ооо ромашка", "Ромашка ООО"])
def test_name_fragment_is_found_in_any_case_and_word_order(owner, companies, fragment):
    assert found(owner, fragment) == pks(companies, "romashka")


@pytest.mark.parametrize("fragment", ["зелёный", "Зеленый", "ЗЕЛЁНЫЙ", "зелен"])
def test_yo_and_ye_are_the_same_letter(owner, companies, fragment):
    assert found(owner, fragment) == pks(companies, "zelenyi", "zelenyi_bez_yo")


def test_every_word_must_match(owner, companies):
    assert found(owner, "зелёный сад") == pks(companies, "zelenyi")
    assert found(owner, "ромашка лютик") == set()


def test_description_is_not_searched(owner, companies):
    assert found(owner, "описании") == set()


@pytest.mark.parametrize(("fragment", "label"), [
    ("7707", "romashka"),
    ("770708", "romashka"),
    ("7707083893", "romashka"),
    ("500100", "lyutik"),
    ("1027700132195", "romashka"),
])
def test_inn_and_ogrn_are_found_by_prefix(owner, companies, fragment, label):
    assert found(owner, fragment) == pks(companies, label)


@pytest.mark.parametrize("fragment", [
    "916 123", "8 916 123 45", "+7 (916) 123", "8 (916) 123-45-67", "+79161234567", "9161234567", "123-45-67",
])
def test_phone_is_found_by_its_digits_in_any_notation(owner, companies, fragment):
    assert found(owner, fragment) == pks(companies, "romashka")


def test_phone_with_extension_is_found_by_its_number(owner, companies):
    assert found(owner, "8 495 765-43") == pks(companies, "zelenyi")


def test_different_digits_find_nothing(owner, companies):
    assert found(owner, "916 124") == set()


@pytest.mark.parametrize(("fragment", "label"), [
    ("sales@", "romashka"),
    ("SALES", "romashka"),
    ("romashka.ru", "romashka"),
    ("@mys.example", "zelenyi_bez_yo"),
])
def test_email_part_is_found(owner, companies, fragment, label):
    assert found(owner, fragment) == pks(companies, label)


@pytest.mark.parametrize("fragment", ["%", "_", "ром%ка", "\\"])
def test_like_wildcards_are_matched_literally(owner, companies, fragment):
    assert found(owner, fragment) == set()


def test_blank_query_does_not_filter(owner, companies):
    assert found(owner, "   ") == pks(companies, *companies)


def test_renamed_record_is_found_by_its_new_name_only(owner, companies):
    update_company(companies["lyutik"], actor=owner, data={"name": "АО Василёк", "phones": ["+7 916 000-11-22"]})

    assert found(owner, "василек") == pks(companies, "lyutik")
    assert found(owner, "лютик") == set()
    assert found(owner, "916 000 11") == pks(companies, "lyutik")


@pytest.fixture
def contact(owner, make_contact):
    return make_contact(owner, last_name="Семёнов", first_name="Пётр", middle_name="Ильич",
                        phones=["+7 916 123-45-67"], emails=["p.semenov@example.com"], telegram="@psemenov")


@pytest.mark.parametrize("fragment", [
    "семенов", "СЕМЁНОВ", "петр", "ильич", "семенов петр", "psemenov", "p.semenov@", "916 123", "8 916 123 45",
    "+7 (916) 123",
])
def test_contact_is_found_by_name_telegram_email_or_phone(owner, contact, fragment):
    assert found(owner, fragment, Contact) == {contact.pk}


@pytest.mark.parametrize(("fragment", "terms"), [
    ("  Ёлка   Палка ", ["елка", "палка"]),
    ("+7 (916) 123-45", ["791612345"]),
    ("8.916.123", ["8916123"]),
    ("916", ["916"]),
    ("ООО 1", ["ооо", "1"]),
    ("a b c d e f g h", ["a", "b", "c", "d", "e", "f"]),
    ("", []),
])
def test_query_becomes_search_terms(fragment, terms):
    assert search_terms(fragment) == terms


@pytest.mark.parametrize(("e164", "digits"), [
    ("+79161234567", "79161234567 89161234567"),
    ("+74951234567;ext=12", "74951234567 84951234567"),
    ("+380441234567", "380441234567"),
])
def test_phone_is_indexed_in_international_and_trunk_form(e164, digits):
    assert phone_digits(e164) == digits
