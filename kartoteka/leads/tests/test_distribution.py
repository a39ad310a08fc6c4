"""Who gets a new lead: round-robin in a fixed order, skipping the absent and those at capacity; a known
client's responsible first; a pool team's leads wait in the inbox."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from kartoteka.conftest import make_user
from kartoteka.leads import services
from kartoteka.leads.choices import AssignmentRule
from kartoteka.leads.distribution import add_absence, set_distribution
from kartoteka.leads.models import TeamDistribution

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_c(admin: Any) -> list[Any]:
    """Team C: a head and three managers, in the order round-robin visits them."""
    make_user("head_c", "head", ["Team C"])
    return [make_user(f"m{i}", "manager", ["Team C"]) for i in (1, 2, 3)]




def test_round_robin_gives_leads_in_turn_and_starts_over(team_c):
    m1, m2, m3 = team_c

    owners = [services.intake_lead(values={"phone": f"+7 916 701-00-{i:02d}"}, team=m1.team).owner for i in range(5)]

    assert owners == [m1, m2, m3, m1, m2]


def test_an_absent_manager_is_skipped_until_the_absence_ends(team_c, admin):
    m1, m2, m3 = team_c
    today = timezone.localdate()
    add_absence(actor=admin, data={"user": m2, "starts_on": today - datetime.timedelta(days=1),
                                   "ends_on": today + datetime.timedelta(days=3), "kind": "sick"})
    add_absence(actor=admin, data={"user": m3, "starts_on": today - datetime.timedelta(days=9),
                                   "ends_on": today - datetime.timedelta(days=1)})  # back since today

    owners = [services.intake_lead(values={"phone": f"+7 916 702-00-{i:02d}"}, team=m1.team).owner for i in range(4)]

    assert owners == [m1, m3, m1, m3]


def test_a_manager_with_a_cover_is_skipped_by_round_robin_while_it_lasts(team_c, admin):
    from kartoteka.handover.services import end_cover, set_cover

    m1, m2, m3 = team_c
    today = timezone.localdate()
    cover = set_cover(actor=admin, user=m2, substitute=m3, starts_on=today, ends_on=today + datetime.timedelta(days=2))

    owners = [services.intake_lead(values={"phone": f"+7 916 705-00-{i:02d}"}, team=m1.team).owner for i in range(3)]
    end_cover(cover, actor=admin)
    back = services.intake_lead(values={"phone": "+7 916 705-00-09"}, team=m1.team).owner

    assert owners == [m1, m3, m1] and back == m2


def test_a_manager_at_capacity_is_skipped_and_nobody_available_leaves_the_lead_in_the_inbox(team_c, admin):
    m1, m2, m3 = team_c
    set_distribution(m1.team, actor=admin, data={"capacity": 1})

    owners = [services.intake_lead(values={"phone": f"+7 916 703-00-{i:02d}"}, team=m1.team).owner for i in range(4)]

    assert owners == [m1, m2, m3, None]


def test_a_known_clients_lead_goes_to_the_clients_responsible(team_c, make_contact, manager_b):
    m1, _m2, _m3 = team_c
    make_contact(manager_b, first_name="Постоянный", phones=["+7 916 704-00-01"])

    lead = services.intake_lead(values={"phone": "8 916 704 00 01", "name": "Снова я"}, team=m1.team)
    first_new = services.intake_lead(values={"phone": "+7 916 704-00-02"}, team=m1.team)

    assert lead.owner == manager_b and lead.contact.first_name == "Постоянный"
    assert first_new.owner == m1  # the known client's lead did not use up a turn


def test_the_existing_client_rule_can_be_switched_off(team_c, admin, make_contact, manager_b):
    m1, _m2, _m3 = team_c
    set_distribution(m1.team, actor=admin, data={"existing_client_first": False})
    make_contact(manager_b, first_name="Постоянный", phones=["+7 916 705-00-01"])

    lead = services.intake_lead(values={"phone": "+7 916 705-00-01"}, team=m1.team)

    assert lead.owner == m1 and lead.contact is not None


def test_a_pool_team_leaves_new_leads_unassigned_in_its_inbox(team_c, admin):
    m1, _m2, _m3 = team_c
    set_distribution(m1.team, actor=admin, data={"rule": AssignmentRule.POOL})

    lead = services.intake_lead(values={"phone": "+7 916 706-00-01"}, team=m1.team)

    assert lead.owner is None
    assert list(type(lead).objects.visible_to(m1).filter(pk=lead.pk)) == [lead]


def test_a_head_manages_only_their_own_teams_distribution(team_c, head_a):
    from kartoteka.core.errors import AccessDenied

    with pytest.raises(AccessDenied):
        set_distribution(team_c[0].team, actor=head_a, data={"capacity": 3})
    assert not TeamDistribution.objects.filter(team=team_c[0].team, capacity=3).exists()


def test_the_manager_who_gets_a_lead_is_notified(team_c, head_c_user):
    from kartoteka.notifications.models import Notification

    m1, m2, _m3 = team_c
    lead = services.intake_lead(values={"phone": "+7 916 707-00-01", "name": "Новый"}, team=m1.team)
    services.assign_lead(lead, actor=head_c_user, owner=m2, reason="разгрузить")

    notices = [(n.recipient.username, n.kind) for n in Notification.objects.order_by("id")]
    assert notices == [("m1", "lead_assigned"), ("m2", "lead_assigned")]


@pytest.fixture
def head_c_user(team_c: list[Any]) -> Any:
    from kartoteka.accounts.models import User

    return User.objects.get(username="head_c")
