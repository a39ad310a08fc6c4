"""Finding duplicates: exact by INN, phone and e-mail in any notation; similar names; the report's pairs."""

from __future__ import annotations

import pytest

from kartoteka.contacts.models import Company, Contact
from kartoteka.dedupe.detection import company_name_key, duplicate_pairs, find_duplicates, person_name_key


@pytest.mark.parametrize("name", ["ООО «Ромашка»", "Ромашка ООО", "ромашка", "\"РОМАШКА\", ООО",
                                  "Общество с ограниченной ответственностью «Ромашка»", "Romashka LLC"])
def test_legal_form_quotes_and_case_are_ignored_in_a_company_name(name):
    assert company_name_key(name) in {"ромашка", "romashka"}


def test_word_order_is_ignored_but_words_are_not():
    assert company_name_key("АО Зелёный сад") == company_name_key("Сад Зеленый АО") == "зеленый сад"
    assert company_name_key("Ромашка-Плюс") != company_name_key("Ромашка")


def test_a_person_without_a_last_name_has_no_name_key():
    assert person_name_key("Семёнов", "Пётр") == person_name_key("петр", "СЕМЕНОВ")
    assert person_name_key("", "Пётр") == ""


def reasons(candidates):
    return [(c.record.pk, c.reasons) for c in candidates]


def test_exact_matches_by_inn_phone_and_email_in_any_notation(owner, manager_b, make_company):
    romashka = make_company(manager_b, name="ООО «Ромашка»", inn="7707083893", phones=["+7 916 123-45-67"],
                            emails=["Info@Romashka.ru"])

    found = find_duplicates("company", {"name": "Лютик", "inn": "7707083893", "phones": "8 (916) 123 45 67",
                                        "emails": "info@romashka.RU"})

    assert reasons(found) == [(romashka.pk, ["inn", "phone", "email"])]
    assert found[0].exact and found[0].record.owner == manager_b


def test_similar_company_name_is_suggested_not_exact(owner, make_company):
    romashka = make_company(owner, name="ООО «Ромашка»")

    found = find_duplicates("company", {"name": "Ромашка ООО"})

    assert reasons(found) == [(romashka.pk, ["name"])]
    assert not found[0].exact


def test_the_record_being_edited_and_deleted_records_are_not_duplicates(owner, make_company):
    from kartoteka.contacts.services import delete_company

    romashka = make_company(owner, name="Ромашка", inn="7707083893")
    delete_company(make_company(owner, name="Ромашка 2", inn="500100732259"), actor=owner)

    assert find_duplicates("company", {"name": "Ромашка", "inn": "7707083893"}, exclude_pk=romashka.pk) == []
    assert find_duplicates("company", {"inn": "500100732259"}) == []


def test_contact_duplicates_by_phone_email_and_full_name(owner, make_contact):
    petr = make_contact(owner, last_name="Семёнов", first_name="Пётр", phones=["+79161234567"])
    anna = make_contact(owner, last_name="Иванова", first_name="Анна", emails=["anna@example.com"])

    assert reasons(find_duplicates("contact", {"phones": ["89161234567"]})) == [(petr.pk, ["phone"])]
    assert reasons(find_duplicates("contact", {"emails": "ANNA@example.com"})) == [(anna.pk, ["email"])]
    assert reasons(find_duplicates("contact", {"last_name": "семенов", "first_name": "петр"})) == [(petr.pk, ["name"])]
    assert find_duplicates("contact", {"phones": "not a phone", "emails": "@"}) == []


def test_report_pairs_visible_records_with_their_reasons(owner, manager_b, make_company):
    a = make_company(owner, name="ООО «Ромашка»", inn="7707083893")
    b = make_company(owner, name="Ромашка ООО", phones=["+79161234567"])
    c = make_company(owner, name="Лютик", inn="7707083893", phones=["89161234567"])
    make_company(manager_b, name="Ромашка", inn="7707083893")  # Team B's: not in owner's report

    pairs = duplicate_pairs(Company.objects.visible_to(owner), "company")

    assert [(p.first.pk, p.second.pk, p.reasons) for p in pairs] == [
        (a.pk, c.pk, ("inn",)), (b.pk, c.pk, ("phone",)), (a.pk, b.pk, ("name",))]


def test_contact_report(owner, make_contact):
    a = make_contact(owner, last_name="Семёнов", first_name="Пётр")
    b = make_contact(owner, last_name="Семенов", first_name="Петр", emails=["p@example.com"])
    c = make_contact(owner, last_name="Другой", first_name="Человек", emails=["P@example.com"])

    pairs = duplicate_pairs(Contact.objects.visible_to(owner), "contact")

    assert [(p.first.pk, p.second.pk, p.reasons) for p in pairs] == [(b.pk, c.pk, ("email",)), (a.pk, b.pk, ("name",))]
