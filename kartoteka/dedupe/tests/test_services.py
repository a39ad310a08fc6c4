"""Merge and its undo: everything moves to the survivor, and undo puts back exactly what was there."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from kartoteka.accounts.models import RecordShare
from kartoteka.activities.choices import ActivityKind
from kartoteka.activities.models import Activity
from kartoteka.activities.services import add_note
from kartoteka.audit.choices import SecurityEventKind
from kartoteka.audit.context import change_context
from kartoteka.audit.models import SecurityEvent
from kartoteka.contacts.models import Company, Contact
from kartoteka.contacts.services import create_company, create_contact, update_company
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied
from kartoteka.deals.models import Deal, DealContact
from kartoteka.dedupe.services import merge_records, policy_mode, set_policy, undo_merge
from kartoteka.leads.models import Lead


@pytest.fixture
def pair(owner, colleague, viewer, make_company, make_contact, make_deal, make_lead):
    """Two companies of owner: "Ромашка" (kept) and "ООО Ромашка" with a contact, a deal, a lead, a note,
    a share and a tag."""
    keep = make_company(owner, name="Ромашка", phones=["+79161234567"], tags=["VIP"])
    other = make_company(owner, name="ООО «Ромашка»", inn="7707083893", phones=["+79031112233"],
                         emails=["info@romashka.ru"], industry="Цветы", tags=["VIP", "Опт"])
    contact = make_contact(owner, last_name="Семёнов", company=other.pk)
    deal = make_deal(owner, title="Поставка", company=other.pk)
    lead = make_lead(owner, name="Заявка")
    Lead.objects.filter(pk=lead.pk).update(company=other.pk)
    add_note(other, actor=owner, body="Позвонить в понедельник")
    records.set_share(other, actor=owner, user=colleague, shared=True)
    records.set_share(keep, actor=owner, user=viewer, shared=True)
    records.set_share(other, actor=owner, user=viewer, shared=True)  # shared with both: one share survives
    return {"keep": keep, "other": other, "contact": contact, "deal": deal, "lead": lead}


def state(pair):
    """Everything a merge touches, as plain values."""
    ct = ContentType.objects.get_for_model(Company)
    out = {}
    for label in ("keep", "other"):
        c = Company.objects.get(pk=pair[label].pk)
        out[label] = {
            "fields": {f: getattr(c, f) for f in ("name", "inn", "phones", "emails", "industry", "deleted_at")},
            "tags": sorted(c.tags.values_list("name", flat=True)),
            "contacts": sorted(Contact.objects.filter(company=c).values_list("pk", flat=True)),
            "deals": sorted(Deal.objects.filter(company=c).values_list("pk", flat=True)),
            "leads": sorted(Lead.objects.filter(company=c).values_list("pk", flat=True)),
            "notes": sorted(Activity.objects.filter(company=c, kind=ActivityKind.NOTE).values_list("pk", flat=True)),
            "shares": sorted(RecordShare.objects.filter(content_type=ct, object_id=c.pk).values_list("user__username",
                                                                                                      flat=True)),
        }
    return out


def test_merge_moves_everything_to_the_survivor_and_bins_the_other(owner, pair):
    merge = merge_records(pair["keep"], pair["other"], actor=owner, winners={"name": "merged"})

    after = state(pair)
    keep = after["keep"]
    assert keep["fields"]["name"] == "ООО «Ромашка»"
    assert keep["fields"]["inn"] == "7707083893"  # empty on the survivor: taken from the other
    assert keep["fields"]["phones"] == ["+79161234567", "+79031112233"]
    assert keep["fields"]["industry"] == "Цветы"
    assert keep["tags"] == ["VIP", "Опт"]
    assert keep["contacts"] == [pair["contact"].pk] and keep["deals"] == [pair["deal"].pk]
    assert keep["leads"] == [pair["lead"].pk] and len(keep["notes"]) == 1
    assert keep["shares"] == ["colleague", "viewer"]
    assert after["other"]["fields"]["deleted_at"] is not None
    assert after["other"]["contacts"] == after["other"]["shares"] == []
    assert Activity.objects.get(company=pair["keep"], kind=ActivityKind.MERGE).body.startswith("Merged “ООО «Ромашка»”")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.MERGE)
    assert event.detail["merged"] == pair["other"].pk and event.detail["merge"] == merge.pk


def test_undo_restores_both_records_and_every_link_exactly(owner, pair):
    before = state(pair)
    merge = merge_records(pair["keep"], pair["other"], actor=owner, winners={"name": "merged", "phones": "survivor"})

    undo_merge(merge, actor=owner)

    assert state(pair) == before
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.MERGE).count() == 2
    assert Activity.objects.filter(company=pair["keep"], kind=ActivityKind.MERGE).count() == 2


def test_undo_is_refused_once_the_survivor_changed(owner, pair):
    merge = merge_records(pair["keep"], pair["other"], actor=owner)
    update_company(Company.objects.get(pk=pair["keep"].pk), actor=owner, data={"industry": "Садоводство"})

    with pytest.raises(ValidationError):
        undo_merge(merge, actor=owner)


def test_undo_twice_is_refused(owner, pair):
    merge = merge_records(pair["keep"], pair["other"], actor=owner)
    undo_merge(merge, actor=owner)
    merge.refresh_from_db()

    with pytest.raises(AccessDenied):
        undo_merge(merge, actor=owner)


def test_contact_merge_keeps_one_link_per_deal_and_undo_restores_both(owner, make_contact, make_deal):
    keep = make_contact(owner, last_name="Семёнов", first_name="Пётр")
    other = make_contact(owner, last_name="Семенов", first_name="Петр", phones=["+79161234567"])
    both = make_deal(owner, title="Обе", contacts=[keep.pk, other.pk])
    only_other = make_deal(owner, title="Вторая", contacts=[other.pk])
    links = sorted(DealContact.objects.values_list("deal_id", "contact_id"))

    merge = merge_records(keep, other, actor=owner)

    assert sorted(DealContact.objects.values_list("deal_id", "contact_id")) == sorted(
        [(both.pk, keep.pk), (only_other.pk, keep.pk)])
    assert Contact.objects.get(pk=keep.pk).phones == ["+79161234567"]
    undo_merge(merge, actor=owner)
    assert sorted(DealContact.objects.values_list("deal_id", "contact_id")) == links
    assert Contact.objects.get(pk=keep.pk).phones == []


@pytest.mark.parametrize("actor_name", ["colleague", "viewer", "manager_b"])
def test_only_who_may_change_both_records_merges(users, pair, actor_name):
    with pytest.raises(AccessDenied):
        merge_records(pair["keep"], pair["other"], actor=users[actor_name])

    assert Company.objects.get(pk=pair["other"].pk).deleted_at is None


def test_a_record_cannot_be_merged_with_itself_or_another_kind(owner, pair):
    with pytest.raises(ValidationError):
        merge_records(pair["keep"], pair["keep"], actor=owner)
    with pytest.raises(ValidationError):
        merge_records(pair["keep"], pair["contact"], actor=owner)


def test_block_policy_refuses_exact_duplicates_per_field_and_creates_nothing(owner, admin, manager_b, make_company):
    make_company(manager_b, name="Ромашка", inn="7707083893", emails=["info@romashka.ru"])
    set_policy("company", "block", actor=admin)
    count = Company.objects.count()

    with pytest.raises(ValidationError) as refused:
        create_company(actor=owner, data={"name": "Другая", "inn": "7707083893", "emails": ["INFO@romashka.ru"]})

    assert set(refused.value.message_dict) == {"inn", "emails"}
    assert "manager_b" in refused.value.message_dict["inn"][0]
    assert Company.objects.count() == count
    assert create_company(actor=owner, data={"name": "Ромашка ООО"}).pk  # a similar name only warns


def test_each_create_path_has_its_own_policy(owner, admin, make_company):
    make_company(owner, name="Ромашка", inn="7707083893")
    set_policy("company", "block", actor=admin, source="import")

    assert create_company(actor=owner, data={"name": "Из формы", "inn": "7707083893"}).pk  # the forms only warn
    with change_context(actor=owner, source="import"), pytest.raises(ValidationError):
        create_company(actor=owner, data={"name": "Из файла", "inn": "7707083893"})
    assert policy_mode("company", "import") == "block"
    assert policy_mode("company", "api") == "warn"


def test_warn_policy_lets_duplicates_through(owner, make_contact):
    make_contact(owner, first_name="Пётр", phones=["+79161234567"])

    assert create_contact(actor=owner, data={"first_name": "Пётр", "phones": ["89161234567"]}).pk


def test_only_admins_set_the_policy(owner):
    with pytest.raises(AccessDenied):
        set_policy("company", "block", actor=owner)
