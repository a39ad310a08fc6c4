"""Manager activity against a hand-built week: calls both ways, answered ones, minutes, a meeting, a lead, a win,
and the previous week for the comparison."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kartoteka.activities.models import Activity
from kartoteka.activities.services import log_activity
from kartoteka.deals import services as deal_services
from kartoteka.reports.activity import manager_activity
from kartoteka.reports.scope import Scope

pytestmark = pytest.mark.django_db


def test_calls_meetings_leads_and_wins_are_counted_per_manager_against_the_previous_period(
        owner, colleague, head_a, make_company, make_deal):
    company = make_company(owner)
    calls = [("out", 120), ("out", 0), ("in", 60)]
    for direction, seconds in calls:
        log_activity(actor=owner, kind="call", data={"company": company.pk, "direction": direction,
                                                     "duration_seconds": seconds})
    log_activity(actor=owner, kind="meeting", data={"company": company.pk, "subject": "Встреча"})
    old = log_activity(actor=owner, kind="call", data={"company": company.pk, "direction": "out"})
    Activity.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - datetime.timedelta(days=10))
    deal_services.win_deal(make_deal(owner, company=company.pk, amount=500), actor=owner)
    today = timezone.localdate()

    rows = {r["label"]: r for r in manager_activity(Scope(user=head_a, start=today - datetime.timedelta(days=6),
                                                          end=today, period="custom"))}

    mine = rows["owner"]
    assert (mine["calls_out"], mine["calls_in"], mine["answered"], mine["call_minutes"]) == (2, 1, 2, 3)
    assert (mine["meetings"], mine["deals_created"], mine["won_n"], mine["won_sum"]) == (1, 1, 1, 500)
    assert mine["calls_delta"] == 3 - 1  # one call the week before
    assert "colleague" not in rows or rows["colleague"]["calls_out"] == 0
