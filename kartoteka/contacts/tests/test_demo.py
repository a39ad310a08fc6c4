"""`kartoteka demo`: a valid, idempotent demo base whose history went through the services."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import phonenumbers
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from kartoteka.accounts.models import Team, User
from kartoteka.activities.models import Activity
from kartoteka.activities.timeline import timeline_for
from kartoteka.audit.models import ObjectChange
from kartoteka.contacts.demo import DEMO_PASSWORD
from kartoteka.contacts.models import Company, Contact

E164 = re.compile(r"^\+[1-9]\d{7,14}(;ext=\d+)?$")


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", companies=20, contacts=50, leads=0, stdout=out)  # leads: leads/tests/test_demo.py
    return out.getvalue()


def imported_ids(model: Any) -> set[int]:
    """Records the demo import wrote (dataio/demo.py): made by the importer, not replayed through the CLI."""
    from kartoteka.dataio.models import ImportedRecord

    content_type = ContentType.objects.get_for_model(model)
    return set(ImportedRecord.objects.filter(content_type=content_type).values_list("object_id", flat=True))


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (User, Team, Company, Contact, Activity, ObjectChange)}


@pytest.fixture
def demo(db: Any) -> str:
    return run_demo()


def test_second_run_changes_nothing(demo: str) -> None:
    before = counts()

    second = run_demo()

    assert "demo data already present" in second
    assert counts() == before
    # and the twins for the duplicates report (dedupe/demo.py), and the demo import's (dataio/demo.py)
    assert before["Company"] == 20 + 4 + len(imported_ids(Company))
    assert before["Contact"] == 50 + 3 + len(imported_ids(Contact)) and len(imported_ids(Contact)) == 8


def test_creates_two_teams_of_head_and_three_managers_plus_a_viewer(demo: str) -> None:
    heads = {team.name: sorted(team.heads.values_list("username", flat=True)) for team in Team.objects.all()}
    roles = sorted(User.objects.values_list("role", flat=True))

    assert heads == {"Продажи Москва": ["kuznetsova"], "Продажи Регионы": ["sokolov"]}
    assert roles == ["head", "head", "manager", "manager", "manager", "manager", "manager", "manager", "viewer"]
    assert User.objects.get(username="smirnov").check_password(DEMO_PASSWORD)
    assert "smirnov" in demo and DEMO_PASSWORD in demo


def test_company_identifiers_are_valid(demo: str) -> None:
    companies = list(Company.objects.exclude(pk__in=imported_ids(Company)))  # the import's have no INN

    assert all(stdnum_inn.is_valid(c.inn) for c in companies)
    assert all(stdnum_ogrn.is_valid(c.ogrn) for c in companies if c.ogrn)
    assert all(len(c.kpp) == 9 and c.kpp[:4] == c.inn[:4] for c in companies if len(c.inn) == 10)


def test_every_phone_is_valid_e164(demo: str) -> None:
    phones = [p for model in (Company, Contact) for r in model.objects.all() for p in r.phones]

    assert phones
    assert all(E164.match(p) for p in phones), [p for p in phones if not E164.match(p)]
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p.split(";")[0])) for p in phones)


def test_contacts_of_a_company_share_its_responsible(demo: str) -> None:
    linked = Contact.objects.exclude(company=None)

    assert linked.exists()
    assert not linked.exclude(owner=F("company__owner")).exists()


def test_every_record_has_a_cli_creation_audit_row_at_its_creation_time(demo: str) -> None:
    for model in (Company, Contact):
        content_type = ContentType.objects.get_for_model(model)
        for record in model.objects.exclude(pk__in=imported_ids(model)):
            created = ObjectChange.objects.get(content_type=content_type, object_id=record.pk, action="create")
            assert created.source == "cli"
            assert created.actor is not None
            assert created.changed_at == record.created_at


def test_history_is_spread_over_past_months(demo: str) -> None:
    now = timezone.now()
    times = list(ObjectChange.objects.values_list("changed_at", flat=True))
    times += list(Activity.objects.values_list("occurred_at", flat=True))

    assert max(times) <= now
    assert min(times) < now - datetime.timedelta(days=90)


def test_a_company_timeline_shows_notes_and_changes(demo: str) -> None:
    kinds = [{e.kind for e in timeline_for(company).entries} for company in Company.objects.all()]

    assert any({"note", "change"} <= k for k in kinds)
