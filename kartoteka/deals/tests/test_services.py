"""Deal services: stage rules, closing, history, pipeline administration and who may do what."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from kartoteka.activities.choices import ActivityKind
from kartoteka.activities.models import Activity
from kartoteka.activities.timeline import timeline_for
from kartoteka.audit.models import ObjectChange
from kartoteka.core.errors import AccessDenied, ConflictError
from kartoteka.deals import services
from kartoteka.deals.choices import StageKind
from kartoteka.deals.errors import DealErrorCode
from kartoteka.deals.models import Deal, Stage, StageChange

pytestmark = pytest.mark.django_db


def test_create_puts_the_deal_in_the_first_open_stage_and_records_the_entry(owner, pipeline, stages):
    deal = services.create_deal(actor=owner, data={"title": "Поставка", "pipeline": pipeline.pk, "amount": "1 500,50"})

    assert (deal.stage, deal.owner, deal.amount, deal.currency) == (stages["qualification"], owner, Decimal("1500.50"), "RUB")
    assert deal.closed_at is None and deal.stage_entered_at is not None
    entry = StageChange.objects.get(deal=deal)
    assert (entry.from_stage, entry.to_stage, entry.seconds_in_previous, entry.actor) == (None, stages["qualification"], None, owner)


def test_create_in_a_stage_that_requires_amount_without_it_is_refused(owner, stages):
    with pytest.raises(ValidationError) as refused:
        services.create_deal(actor=owner, data={"title": "Без суммы", "stage": stages["proposal"].pk})

    assert list(refused.value.message_dict) == ["amount"]
    assert not Deal.objects.exists() and not StageChange.objects.exists()


def test_create_with_a_company_the_actor_cannot_see_is_refused(owner, manager_b, make_company, pipeline):
    foreign = make_company(manager_b)

    with pytest.raises(ValidationError) as refused:
        services.create_deal(actor=owner, data={"title": "Чужая", "company": foreign.pk})

    assert list(refused.value.message_dict) == ["company"]


def test_move_into_a_stage_requiring_amount_lists_the_missing_field_and_changes_nothing(owner, make_deal, stages):
    deal = make_deal(owner)

    with pytest.raises(ValidationError) as refused:
        services.move_deal(deal, actor=owner, stage=stages["proposal"])

    assert list(refused.value.message_dict) == ["amount"]
    assert refused.value.error_dict["amount"][0].code == DealErrorCode.REQUIRED_FOR_STAGE.value
    assert "Amount is required to enter the stage “Proposal”." in refused.value.messages
    fresh = Deal.objects.get(pk=deal.pk)
    assert (fresh.stage, fresh.version) == (stages["qualification"], deal.version)
    assert StageChange.objects.filter(deal=deal).count() == 1


def test_move_records_the_change_with_time_spent_and_a_timeline_entry_on_the_company(
        owner, make_deal, make_company, stages):
    company = make_company(owner)
    deal = make_deal(owner, company=company.pk, amount=1000)
    Deal.objects.filter(pk=deal.pk).update(stage_entered_at=timezone.now() - datetime.timedelta(days=2))
    deal.refresh_from_db()

    moved = services.move_deal(deal, actor=owner, stage=stages["proposal"], expected_version=deal.version)

    assert moved.stage == stages["proposal"] and moved.version == deal.version + 1
    entry = StageChange.objects.filter(deal=deal).latest("at")
    assert (entry.from_stage, entry.to_stage, entry.actor) == (stages["qualification"], stages["proposal"], owner)
    assert 2 * 86400 <= entry.seconds_in_previous < 2 * 86400 + 60
    activity = Activity.objects.get(kind=ActivityKind.STAGE_CHANGE)
    assert (activity.deal, activity.company, activity.body) == (deal, company, f"{deal.title}: Qualification → Proposal")
    assert [e.activity for e in timeline_for(company).entries if e.activity] == [activity]
    change = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Deal), object_id=deal.pk).first()
    assert change.changed_fields["stage"] == (stages["qualification"].pk, stages["proposal"].pk)


def test_move_with_a_stale_version_is_a_conflict(owner, make_deal, stages):
    deal = make_deal(owner)

    with pytest.raises(ConflictError):
        services.move_deal(deal, actor=owner, stage=stages["meeting"], expected_version=deal.version - 1 or 99)

    assert Deal.objects.get(pk=deal.pk).stage == stages["qualification"]


def test_win_sets_closed_at_and_reopening_clears_it(owner, make_deal, stages):
    deal = make_deal(owner)

    won = services.win_deal(deal, actor=owner)

    assert won.stage == stages["won"] and won.status == StageKind.WON and won.closed_at is not None
    reopened = services.move_deal(won, actor=owner, stage=stages["meeting"])
    assert reopened.closed_at is None and reopened.status == StageKind.OPEN


def test_lose_requires_a_reason(owner, make_deal, stages):
    deal = make_deal(owner)

    with pytest.raises(ValidationError) as refused:
        services.lose_deal(deal, actor=owner, reason=None)
    assert list(refused.value.message_dict) == ["lost_reason"]
    with pytest.raises(ValidationError) as moved_without_reason:
        services.move_deal(deal, actor=owner, stage=stages["lost"])
    assert list(moved_without_reason.value.message_dict) == ["lost_reason"]
    assert Deal.objects.get(pk=deal.pk).stage == stages["qualification"]


def test_lose_with_a_reason_closes_the_deal_and_reopening_clears_the_reason(owner, make_deal, stages, too_expensive):
    deal = make_deal(owner)

    lost = services.lose_deal(deal, actor=owner, reason=too_expensive.pk)

    assert (lost.stage, lost.lost_reason) == (stages["lost"], too_expensive) and lost.closed_at is not None
    assert Activity.objects.get(deal=deal).body.endswith("(Too expensive)")
    reopened = services.move_deal(lost, actor=owner, stage=stages["qualification"])
    assert reopened.lost_reason is None and reopened.closed_at is None


def test_update_changing_the_stage_applies_the_same_rules(owner, make_deal, stages):
    deal = make_deal(owner)

    with pytest.raises(ValidationError) as refused:
        services.update_deal(deal, actor=owner, data={"title": "Новое имя", "stage": stages["proposal"].pk})
    assert list(refused.value.message_dict) == ["amount"]
    assert Deal.objects.get(pk=deal.pk).title == deal.title  # all or nothing

    updated = services.update_deal(deal, actor=owner, data={"amount": "500", "stage": stages["proposal"].pk})
    assert (updated.stage, updated.amount) == (stages["proposal"], Decimal("500"))
    assert StageChange.objects.filter(deal=deal).count() == 2


def test_contacts_with_roles_are_set_and_audited(owner, make_deal, make_contact):
    buyer, boss = make_contact(owner), make_contact(owner)
    deal = make_deal(owner, contacts=[{"contact": buyer.pk, "role": "buyer"}])

    services.update_deal(deal, actor=owner, data={"contacts": [{"contact": boss.pk, "role": "decision_maker"}]})

    assert list(deal.deal_contacts.values_list("contact_id", "role")) == [(boss.pk, "decision_maker")]
    assert Deal.objects.get(pk=deal.pk).version == deal.version + 1
    change = ObjectChange.objects.filter(object_id=deal.pk, content_type=ContentType.objects.get_for_model(Deal)).first()
    assert "contacts" in change.changed_fields


@pytest.mark.parametrize("role", ["colleague", "head_b", "manager_b", "viewer"])
def test_who_may_not_change_the_deal_cannot_move_win_or_lose_it(role, users, owner, make_deal, stages, too_expensive):
    deal = make_deal(owner)
    actor = users[role]

    for attempt in (lambda: services.move_deal(deal, actor=actor, stage=stages["meeting"]),
                    lambda: services.win_deal(deal, actor=actor),
                    lambda: services.lose_deal(deal, actor=actor, reason=too_expensive)):
        with pytest.raises(AccessDenied):
            attempt()

    fresh = Deal.objects.get(pk=deal.pk)
    assert (fresh.stage, fresh.version) == (stages["qualification"], deal.version)
    assert not Activity.objects.exists()


@pytest.mark.parametrize("role", ["admin", "head_a", "owner"])
def test_owner_head_and_admin_may_move(role, users, owner, make_deal, stages):
    deal = make_deal(owner)

    assert services.move_deal(deal, actor=users[role], stage=stages["meeting"]).stage == stages["meeting"]


def test_visibility_follows_the_owner_like_companies(owner, colleague, head_a, head_b, viewer, admin, make_deal):
    deal = make_deal(owner)

    seen = {u.username: Deal.objects.visible_to(u).filter(pk=deal.pk).exists()
            for u in (owner, colleague, head_a, head_b, viewer, admin)}
    assert seen == {"owner": True, "colleague": False, "head_a": True, "head_b": False, "viewer": True, "admin": True}


def test_deleted_deal_goes_to_the_recycle_bin_and_comes_back(owner, head_a, make_deal):
    deal = make_deal(owner)

    services.delete_deal(deal, actor=owner)
    assert not Deal.objects.visible_to(owner).filter(pk=deal.pk).exists()
    with pytest.raises(AccessDenied):
        services.restore_deal(Deal.objects.get(pk=deal.pk), actor=owner)
    services.restore_deal(Deal.objects.get(pk=deal.pk), actor=head_a)
    assert Deal.objects.visible_to(owner).filter(pk=deal.pk).exists()


def test_deleting_a_stage_with_deals_requires_a_target_and_moves_every_deal(admin, owner, make_deal, stages):
    first, second = make_deal(owner), make_deal(owner)
    services.delete_deal(second, actor=owner)  # even the recycle bin's deals are kept

    with pytest.raises(ValidationError) as refused:
        services.delete_stage(stages["qualification"], actor=admin)
    assert list(refused.value.message_dict) == ["move_to"]

    moved = services.delete_stage(stages["qualification"], actor=admin, move_to=stages["meeting"].pk)

    assert moved == 2
    assert set(Deal.objects.values_list("stage", flat=True)) == {stages["meeting"].pk}
    assert not Stage.objects.filter(pk=stages["qualification"].pk).exists()
    first_history = list(StageChange.objects.filter(deal=first).values_list("from_stage_name", "to_stage_name"))
    assert first_history == [("", "Qualification"), ("Qualification", "Meeting")]


def test_deleting_a_stage_to_a_stage_of_another_pipeline_is_refused(admin, owner, make_deal, stages):
    make_deal(owner)
    other = services.create_pipeline(actor=admin, data={"name": "Tenders"})

    with pytest.raises(ValidationError):
        services.delete_stage(stages["qualification"], actor=admin, move_to=other.stages.first().pk)

    assert Stage.objects.filter(pk=stages["qualification"].pk).exists()


def test_pipeline_settings_are_for_admins_only(head_a, owner, pipeline):
    for actor in (head_a, owner):
        with pytest.raises(AccessDenied):
            services.create_pipeline(actor=actor, data={"name": "X"})
        with pytest.raises(AccessDenied):
            services.delete_stage(pipeline.stages.first(), actor=actor)


def test_new_pipeline_has_closing_stages_and_new_stage_goes_before_them(admin):
    pipeline = services.create_pipeline(actor=admin, data={"name": "Тендеры"})

    services.create_stage(pipeline, actor=admin, data={"name": "Заявка подана", "probability": 40,
                                                       "required_fields": ["amount"]})

    assert [(s.name, s.kind) for s in pipeline.stages.all()] == [
        ("New", "open"), ("Заявка подана", "open"), ("Won", "won"), ("Lost", "lost")]
    with pytest.raises(ValidationError) as refused:
        services.create_stage(pipeline, actor=admin, data={"name": "X", "required_fields": ["no_such_field"]})
    assert list(refused.value.message_dict) == ["required_fields"]


def test_reorder_and_rename_stages(admin, pipeline, stages):
    order = [stages["meeting"].pk, stages["qualification"].pk, stages["proposal"].pk, stages["won"].pk,
             stages["lost"].pk]

    services.reorder_stages(pipeline, actor=admin, order=order)
    services.update_stage(stages["meeting"], actor=admin, data={"name": "Встреча"})

    assert list(pipeline.stages.values_list("name", flat=True)) == ["Встреча", "Qualification", "Proposal", "Won", "Lost"]


def test_non_empty_pipeline_cannot_be_deleted(admin, owner, make_deal, pipeline):
    make_deal(owner)

    with pytest.raises(ValidationError):
        services.delete_pipeline(pipeline, actor=admin)


def test_missing_fields_reads_custom_fields_and_contacts(owner, make_deal, stages, make_custom_field):
    make_custom_field("tender_no", entity="deal")
    stage = stages["meeting"]
    stage.required_fields = ["contacts", "tender_no", "expected_close_date"]
    stage.save()
    deal = make_deal(owner)

    assert services.missing_fields(deal, stage) == ["contacts", "tender_no", "expected_close_date"]


def test_note_on_a_deal_shows_on_its_card_and_on_the_company(owner, make_deal, make_company):
    from kartoteka.activities.services import add_note

    company = make_company(owner)
    deal = make_deal(owner, company=company.pk)

    note = add_note(deal, actor=owner, body="Позвонить")

    assert note.deal == deal and note.company == company
    assert [e.activity for e in timeline_for(deal).entries if e.activity] == [note]
    assert [e.activity for e in timeline_for(company).entries if e.activity] == [note]


def test_deal_without_stage_rules_uses_the_stage_probability(owner, make_deal, stages):
    deal = make_deal(owner)
    assert deal.effective_probability == 10
    deal = services.update_deal(deal, actor=owner, data={"probability": 25})
    assert deal.effective_probability == 25


