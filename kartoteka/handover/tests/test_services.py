"""Handover, revert, cover and deactivation against the records they must (and must not) touch."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kartoteka.accounts.models import ApiToken
from kartoteka.accounts.services import issue_token
from kartoteka.activities.choices import ActivityKind
from kartoteka.activities.models import Activity
from kartoteka.audit.models import ObjectChange
from kartoteka.conftest import api_client_for, client_for
from kartoteka.contacts.models import Company, Contact
from kartoteka.contacts.services import update_company
from kartoteka.core.errors import AccessDenied
from kartoteka.deals import services as deal_services
from kartoteka.deals.models import Deal
from kartoteka.handover import services
from kartoteka.handover.choices import HandoverStatus
from kartoteka.leads import services as lead_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(owner, colleague, make_company, make_contact, make_deal) -> dict[str, Any]:
    """owner: 3 companies with a contact and an open deal each, a won deal, an orphan contact; colleague: one company."""
    companies = [make_company(owner, name=f"Клиент {i}") for i in range(3)]
    contacts = [make_contact(owner, company=c.pk) for c in companies]
    deals = [make_deal(owner, company=c.pk) for c in companies]
    won = make_deal(owner, company=companies[0].pk)
    deal_services.win_deal(won, actor=owner)
    orphan = make_contact(owner, first_name="Сам по себе")
    other = make_company(colleague, name="Чужой клиент")
    return {"companies": companies, "contacts": contacts, "deals": deals, "won": won, "orphan": orphan,
            "other": other}


def owners(records: list[Any]) -> list[str]:
    return [type(r).objects.get(pk=r.pk).owner.username for r in records]


def test_a_split_handover_keeps_each_client_with_one_receiver_and_touches_nothing_else(base, owner, colleague,
                                                                                        third, head_a):
    handover = services.create_handover(actor=head_a, from_user=owner, receivers=[colleague, third])
    moved = services.run_handover(handover)

    assert moved == 3 + 3 + 3 + 1  # companies, their contacts, open deals, the orphan contact
    company_owners = owners(base["companies"])
    assert company_owners == ["colleague", "third", "colleague"]
    assert owners(base["contacts"]) == company_owners and owners(base["deals"]) == company_owners
    assert owners([base["won"]]) == ["owner"]  # a closed deal stays with who won it
    assert owners([base["other"]]) == ["colleague"]
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.DONE
    entry = Activity.objects.get(kind=ActivityKind.ASSIGNMENT, company=base["companies"][1], deal=None, contact=None)
    assert "owner" in entry.body and "third" in entry.body and entry.author == head_a
    assert ObjectChange.objects.filter(object_id=base["companies"][1].pk, action="update",
                                       postchange__owner=third.pk).exists()


def test_revert_gives_back_what_nobody_changed_since(base, owner, colleague, head_a):
    handover = services.create_handover(actor=head_a, from_user=owner, receivers=[colleague])
    services.run_handover(handover)
    touched = Company.objects.get(pk=base["companies"][0].pk)
    update_company(touched, actor=colleague, data={"industry": "Металлургия"})

    back, kept = services.revert_handover(handover, actor=head_a)

    assert (back, kept) == (9, 1)
    assert owners([touched]) == ["colleague"]
    assert owners(base["companies"][1:] + base["contacts"] + base["deals"]) == ["owner"] * 8


def test_only_the_users_head_or_an_admin_may_hand_over(base, owner, colleague, head_a, head_b, manager_b, admin):
    for actor in (colleague, head_b):
        with pytest.raises(AccessDenied):
            services.create_handover(actor=actor, from_user=owner, receivers=[colleague])
    with pytest.raises(ValidationError):  # a head may hand only to people they may assign records to
        services.create_handover(actor=head_a, from_user=owner, receivers=[manager_b])
    services.create_handover(actor=admin, from_user=owner, receivers=[manager_b])


def test_a_cover_lets_the_substitute_work_the_records_until_it_ends(base, owner, colleague, head_a, make_lead_from):
    company = base["companies"][0]
    today = timezone.localdate()
    assert not Company.objects.visible_to(colleague).filter(pk=company.pk).exists()

    cover = services.set_cover(actor=head_a, user=owner, substitute=colleague, starts_on=today,
                               ends_on=today + datetime.timedelta(days=3))
    update_company(Company.objects.get(pk=company.pk), actor=colleague, data={"industry": "Пищевая"})
    lead = make_lead_from(company)
    assert lead.owner == colleague and Company.objects.get(pk=company.pk).owner == owner

    services.end_cover(cover, actor=head_a)
    assert not Company.objects.visible_to(colleague).filter(pk=company.pk).exists()


@pytest.fixture
def make_lead_from(owner: Any) -> Any:
    def make(company: Any) -> Any:
        contact = Contact.objects.filter(company=company).first()
        from kartoteka.contacts.services import update_contact

        update_contact(contact, actor=owner, data={"phones": ["+7 916 555-77-01"]})
        return lead_services.intake_lead(values={"phone": "+7 916 555-77-01"}, team=owner.team)
    return make


def test_deactivation_needs_receivers_for_open_work_then_blocks_session_and_token(base, owner, colleague, head_a,
                                                                                 django_capture_on_commit_callbacks):
    browser = client_for(owner)
    token = issue_token(owner)
    with pytest.raises(ValidationError):
        services.deactivate_user(actor=head_a, user=owner)
    assert type(owner).objects.get(pk=owner.pk).is_active

    with django_capture_on_commit_callbacks(execute=True):  # the handover's job runs once the step commits
        services.deactivate_user(actor=head_a, user=owner, receivers=[colleague])

    assert browser.get("/companies/").status_code == 302  # back to the login page
    assert api_client_for(None).get("/api/v1/companies", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert ApiToken.objects.get(user=owner).revoked_at is not None
    assert Deal.objects.filter(owner=owner).count() == 1  # the won deal and all history stay with them
    assert not Deal.objects.filter(owner=owner, stage__kind="open").exists()


def test_split_by_pipeline_gives_each_receiver_a_share_of_every_pipeline(owner, colleague, third, head_a,
                                                                         make_company, make_deal, pipeline):
    from kartoteka.deals.models import Pipeline, Stage

    service = Pipeline.objects.create(name="Service", position=20)
    Stage.objects.create(pipeline=service, name="Open", position=10, probability=20, kind="open")
    Stage.objects.create(pipeline=service, name="Won", position=20, probability=100, kind="won")
    deals = {}
    for name, in_pipeline in [("A1", pipeline), ("S1", service), ("A2", pipeline), ("S2", service)]:
        company = make_company(owner, name=name)
        deals[name] = make_deal(owner, company=company.pk, pipeline=in_pipeline.pk)
    make_company(owner, name="Без сделок")

    even = services.preview(actor=head_a, from_user=owner, receivers=[colleague, third], rule="even")
    services.run_handover(services.create_handover(actor=head_a, from_user=owner, receivers=[colleague, third],
                                                   rule="by_pipeline"))

    got = {name: Deal.objects.get(pk=deal.pk).owner.username for name, deal in deals.items()}
    assert {got["A1"], got["A2"]} == {got["S1"], got["S2"]} == {"colleague", "third"}
    assert Company.objects.get(name="A1").owner.username == got["A1"]  # the client follows its deal
    assert even["total"] == 9  # five companies, four deals: the preview counts every record
