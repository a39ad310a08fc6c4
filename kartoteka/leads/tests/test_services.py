"""Lead services: entering, taking from the inbox, assigning with a reason, disqualifying and converting."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kartoteka.activities.choices import ActivityKind
from kartoteka.activities.models import Activity
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.errors import AccessDenied
from kartoteka.deals.models import Deal
from kartoteka.leads import services
from kartoteka.leads.choices import AssignmentRule, LeadStatus
from kartoteka.leads.errors import LeadErrorCode
from kartoteka.leads.models import Lead, TeamDistribution

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors} if hasattr(exc, "error_dict") \
        else {e.code for e in exc.error_list}


def inbox_lead(owner: Any, **values: Any) -> Lead:
    """A web-form lead waiting unassigned in Team A's inbox (the team's rule: managers take leads themselves)."""
    TeamDistribution.objects.update_or_create(team=owner.team, defaults={"rule": AssignmentRule.POOL})
    values.setdefault("phone", "+7 916 200-00-01")
    return services.intake_lead(values=values, team=owner.team, web_form=None)


def test_a_lead_entered_by_hand_belongs_to_its_author_and_shows_the_request_on_its_timeline(owner, make_lead):
    lead = make_lead(owner, name="Ирина", phone="8 (916) 123-45-67", message="Нужен счёт")

    assert (lead.owner, lead.team, lead.status, lead.phone) == (owner, owner.team, LeadStatus.NEW, "+79161234567")
    request = Activity.objects.get(lead=lead)
    assert request.kind == ActivityKind.REQUEST and "Нужен счёт" in request.body


def test_bad_contact_details_are_refused_per_field_and_nothing_is_saved(owner):
    with pytest.raises(ValidationError) as exc:
        services.create_lead(actor=owner, data={"name": "Ирина", "phone": "12", "email": "не почта", "inn": "123"})

    assert set(exc.value.message_dict) == {"phone", "email", "inn"}
    assert Lead.objects.count() == 0 and Activity.objects.count() == 0


def test_a_lead_without_any_way_to_reach_is_refused(owner):
    with pytest.raises(ValidationError) as exc:
        services.create_lead(actor=owner, data={"message": "перезвоните"})

    assert LeadErrorCode.NOTHING_TO_REACH.value in codes(exc.value)
    assert Lead.objects.count() == 0


def test_a_manager_takes_an_inbox_lead_and_a_second_taker_is_told_who_has_it(owner, colleague):
    lead = inbox_lead(owner)
    assert lead.owner is None

    taken = services.take_lead(lead, actor=colleague)
    with pytest.raises(ValidationError) as exc:
        services.take_lead(Lead.objects.get(pk=lead.pk), actor=owner)

    assert (taken.owner, taken.status) == (colleague, LeadStatus.IN_WORK)
    assert LeadErrorCode.TAKEN.value in codes(exc.value)
    assert Lead.objects.get(pk=lead.pk).owner == colleague


def test_another_teams_inbox_is_neither_visible_nor_takeable(owner, manager_b, viewer):
    lead = inbox_lead(owner)

    assert not Lead.objects.visible_to(manager_b).filter(pk=lead.pk).exists()
    assert Lead.objects.visible_to(viewer).filter(pk=lead.pk).exists()
    for outsider in (manager_b, viewer):
        with pytest.raises(AccessDenied):
            services.take_lead(lead, actor=outsider)
    assert Lead.objects.get(pk=lead.pk).owner is None


def test_a_head_assigns_with_a_reason_that_shows_on_the_timeline(owner, colleague, head_a, make_lead):
    lead = make_lead(owner)

    services.assign_lead(lead, actor=head_a, owner=colleague, reason="Владелец в отпуске")

    lead.refresh_from_db()
    entry = Activity.objects.get(lead=lead, kind=ActivityKind.ASSIGNMENT)
    assert lead.owner == colleague
    assert entry.author == head_a and "Владелец в отпуске" in entry.body and str(colleague) in entry.body


def test_a_manager_cannot_hand_a_lead_to_someone_else(owner, colleague, make_lead):
    lead = make_lead(owner)

    with pytest.raises(AccessDenied):
        services.assign_lead(lead, actor=owner, owner=colleague)

    assert Lead.objects.get(pk=lead.pk).owner == owner


def test_disqualifying_needs_a_reason_and_closes_the_lead(owner, make_lead):
    lead = make_lead(owner)
    with pytest.raises(ValidationError) as exc:
        services.disqualify_lead(lead, actor=owner, reason="  ")
    assert "disqualify_reason" in exc.value.message_dict

    services.disqualify_lead(lead, actor=owner, reason="Спам")

    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == (LeadStatus.DISQUALIFIED, "Спам")
    with pytest.raises(ValidationError) as exc:
        services.take_lead(lead, actor=owner)
    assert LeadErrorCode.CLOSED.value in codes(exc.value)


def test_converting_creates_contact_company_and_deal_and_moves_the_history(owner, make_lead, pipeline, stages):
    lead = make_lead(owner, name="Ирина Соколова", company_name="ООО Ромашка", phone="+7 916 300-00-01",
                     email="irina@romashka.ru", message="Нужно 20 станков")
    services.take_lead(lead, actor=owner)

    lead = services.convert_lead(lead, actor=owner, deal={"amount": 150000})

    contact, company, deal = lead.contact, lead.company, lead.deal
    assert lead.status == LeadStatus.QUALIFIED and lead.converted_at is not None
    assert (contact.first_name, contact.phones, contact.emails) == ("Ирина Соколова", ["+79163000001"],
                                                                    ["irina@romashka.ru"])
    assert contact.company == company and company.name == "ООО Ромашка"
    assert (deal.company, deal.owner, deal.amount, deal.stage) == (company, owner, 150000, stages["qualification"])
    assert list(deal.deal_contacts.values_list("contact", flat=True)) == [contact.pk]
    request = Activity.objects.get(lead=lead, kind=ActivityKind.REQUEST)
    assert (request.contact_id, request.company_id, request.deal_id) == (contact.pk, company.pk, deal.pk)


def test_converting_links_the_existing_contact_and_company_instead_of_duplicating(owner, make_lead, make_company,
                                                                                  make_contact, pipeline):
    company = make_company(owner, name="ООО Известная", inn="7707083893")
    contact = make_contact(owner, first_name="Пётр", phones=["+7 916 400-00-01"], company=company.pk)
    lead = make_lead(owner, name="Петя", company_name="Известная", inn="7707083893", phone="89164000001")

    lead = services.convert_lead(lead, actor=owner)

    assert (lead.contact, lead.company) == (contact, company)
    assert Contact.objects.count() == 1 and Company.objects.count() == 1
    assert lead.deal.company == company


def test_converting_a_colleagues_client_is_refused_and_creates_nothing(owner, colleague, make_lead, make_contact,
                                                                       pipeline):
    make_contact(colleague, first_name="Чужой", phones=["+7 916 500-00-01"])
    lead = make_lead(owner, name="Чужой", company_name="ООО Новая", phone="+7 916 500-00-01")

    with pytest.raises(ValidationError) as exc:
        services.convert_lead(lead, actor=owner)

    assert LeadErrorCode.CLIENT_OF_ANOTHER.value in codes(exc.value)
    assert str(colleague) in " ".join(exc.value.messages)
    assert (Contact.objects.count(), Company.objects.count(), Deal.objects.count()) == (1, 0, 0)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_a_conversion_refused_by_the_stage_rules_leaves_no_partial_records(owner, make_lead, pipeline, stages):
    lead = make_lead(owner, name="Ирина", company_name="ООО Полумера", phone="+7 916 600-00-01")

    with pytest.raises(ValidationError) as exc:
        services.convert_lead(lead, actor=owner, deal={"stage": stages["proposal"].pk})  # needs an amount

    assert "amount" in exc.value.message_dict
    assert (Contact.objects.count(), Company.objects.count(), Deal.objects.count()) == (0, 0, 0)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_converting_an_inbox_lead_makes_the_converter_responsible(owner, colleague, pipeline):
    lead = inbox_lead(owner, name="Из формы")

    lead = services.convert_lead(lead, actor=colleague, create_deal=False)

    assert lead.owner == colleague and lead.deal is None and lead.contact.owner == colleague
