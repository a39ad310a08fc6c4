"""The demo base has duplicates for the report and merge to show."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from kartoteka.contacts.models import Company, Contact
from kartoteka.dedupe.demo import MARK
from kartoteka.dedupe.detection import duplicate_pairs


def test_demo_creates_company_and_contact_twins_the_report_finds_once(db):
    out = StringIO()
    call_command("demo", companies=20, contacts=50, leads=0, stdout=out)
    call_command("demo", companies=20, contacts=50, leads=0, stdout=StringIO())

    assert "Demo duplicates created: 7" in out.getvalue()
    twins = Company.objects.filter(description=MARK)
    assert twins.count() == 4
    pairs = duplicate_pairs(Company.objects.alive(), "company")
    paired = {pk for p in pairs if set(p.reasons) & {"inn", "phone"} for pk in (p.first.pk, p.second.pk)}
    assert set(twins.values_list("pk", flat=True)) <= paired
    assert Contact.objects.filter(description=MARK).count() == 3
