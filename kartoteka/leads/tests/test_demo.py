"""The demo's leads: every status, an inbox to work, conversions whose records carry their history."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from kartoteka.audit.models import ObjectChange
from kartoteka.contacts.models import Company, Contact
from kartoteka.leads.choices import LeadStatus
from kartoteka.leads.models import Absence, Lead, WebForm

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", companies=20, contacts=50, leads=40, stdout=out)
    return out.getvalue()


def test_demo_leads_cover_every_status_and_a_second_run_adds_nothing(db: Any) -> None:
    run_demo()
    statuses = set(Lead.objects.values_list("status", flat=True))
    before = (Lead.objects.count(), WebForm.objects.count(), Absence.objects.count())

    assert "demo data already present" in run_demo()

    assert statuses == set(LeadStatus.values)
    assert Lead.objects.filter(owner=None, status=LeadStatus.NEW).exists()  # a pool team's inbox has work
    assert Lead.objects.exclude(utm_campaign="").exists() and WebForm.objects.count() == 2
    assert (Lead.objects.count(), WebForm.objects.count(), Absence.objects.count()) == before == (40, 2, 1)


def test_records_made_by_conversion_have_their_creation_in_the_audit_at_their_creation_time(db: Any) -> None:
    run_demo()
    converted = Lead.objects.filter(status=LeadStatus.QUALIFIED)

    assert converted.exists()
    for model, field in ((Contact, "contact"), (Company, "company")):
        content_type = ContentType.objects.get_for_model(model)
        for record in model.objects.filter(pk__in=converted.values(field)):
            created = ObjectChange.objects.get(content_type=content_type, object_id=record.pk, action="create")
            assert created.source == "cli" and created.actor is not None
            assert created.changed_at == record.created_at
