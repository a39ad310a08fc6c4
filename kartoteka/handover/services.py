"""Handing a user's portfolio over, temporary cover, and deactivation.

A handover is planned in one transaction (one HandoverItem per record, each with its receiver), then moved in
batches: each batch is one transaction that changes the owners, writes the timeline entries and audit rows, and
marks its items moved. A crash between batches loses nothing: `run_handover` skips moved items, so a resume
moves every remaining record exactly once, and a record always has exactly one responsible.
"""

from __future__ import annotations

import datetime
import itertools
import time
from collections import Counter, defaultdict
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kartoteka.accounts import permissions
from kartoteka.accounts.choices import Role
from kartoteka.accounts.models import ApiToken, User
from kartoteka.activities.services import record_reassignment
from kartoteka.audit.choices import SecurityEventKind
from kartoteka.audit.services import lock_change_log, record_security_event
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied
from kartoteka.handover.choices import HandoverStatus, SplitRule
from kartoteka.handover.models import Cover, Handover, HandoverItem

BATCH = 200
STALLED_AFTER = datetime.timedelta(minutes=10)
TIMELINED = ("company", "contact", "deal", "lead")  # records whose timeline gets "Responsible: A → B"

# What a portfolio holds: (model, which of the user's records move, heading). Closed deals and leads stay with
# whoever closed them: they are that person's results.
PORTFOLIO: list[tuple[str, Q, Any]] = [
    ("contacts.Company", Q(), gettext_lazy("Companies")),
    ("contacts.Contact", Q(), gettext_lazy("Contacts")),
    ("leads.Lead", Q(status__in=("new", "in_work")), gettext_lazy("Open leads")),
    ("deals.Deal", Q(stage__kind="open"), gettext_lazy("Open deals")),
    ("tasks.Task", Q(status="open"), gettext_lazy("Open tasks")),
]


def may_manage(actor: Any, user: User) -> bool:
    """Admins manage everyone; a head manages the members of the teams they head (not themselves)."""
    if not actor.is_authenticated or not actor.is_active or actor.pk == user.pk:
        return False
    return actor.is_admin or (actor.role == Role.HEAD and permissions.heads_user(actor, user.pk))


def _require(actor: Any, user: User) -> None:
    if not may_manage(actor, user):
        raise AccessDenied()


def portfolio_querysets(user: User) -> list[tuple[Any, Any, Any]]:
    """(model, the user's records of it that would move, heading)."""
    return [(apps.get_model(label), apps.get_model(label).objects.alive().filter(flt, owner=user), heading)
            for label, flt, heading in PORTFOLIO]


def shared_views(user: User) -> Any:
    """The saved views the user shared with a team: the team keeps using them, so they change hands too (a
    private view is personal and stays)."""
    return apps.get_model("savedviews.SavedView").objects.filter(owner=user, team__isnull=False)


def scheduled_reminders(user: User) -> Any:
    """The user's open timed tasks whose reminder has not gone out yet: they move with their tasks, and the
    receiver gets the reminder."""
    return apps.get_model("tasks.Task").objects.alive().filter(owner=user, status="open", all_day=False,
                                                               reminded_at__isnull=True, due_at__gt=timezone.now())


def portfolio(user: User) -> list[tuple[Any, int]]:
    """(heading, count) of what the user is responsible for: one COUNT per kind."""
    return [*((heading, qs.count()) for _model, qs, heading in portfolio_querysets(user)),
            (gettext_lazy("Scheduled reminders (go with their tasks)"), scheduled_reminders(user).count()),
            (gettext_lazy("Saved views shared with the team"), shared_views(user).count())]


def _receivers(actor: Any, from_user: User, receivers: list[Any]) -> list[User]:
    ids = sorted({int(getattr(r, "pk", r)) for r in receivers if str(getattr(r, "pk", r)).isdigit()})
    users = list(permissions.assignable_users(actor).filter(pk__in=ids).exclude(pk=from_user.pk).order_by("id"))
    if not users or len(users) != len(ids):
        raise ValidationError({"receivers": _("Choose one or more active colleagues you may assign records to.")})
    return users


def plan(from_user: User, receivers: list[User], rule: str) -> list[tuple[Any, int, User]]:
    """(model, record id, receiver) for every record of the portfolio.

    Companies are dealt out in turn — within each status with BY_STATUS, within each pipeline (of the company's
    first open deal) with BY_PIPELINE; a contact, deal or lead of a company in the portfolio follows its company;
    the rest are dealt out in turn too.
    """
    company_model = apps.get_model("contacts.Company")
    companies = company_model.objects.alive().filter(owner=from_user)
    if rule == SplitRule.BY_PIPELINE:
        first_deal = (apps.get_model("deals.Deal").objects.alive()
                      .filter(owner=from_user, company=OuterRef("pk"), stage__kind="open").order_by("id"))
        companies = companies.annotate(group=Subquery(first_deal.values("pipeline")[:1]))
    elif rule == SplitRule.BY_STATUS:
        companies = companies.annotate(group=F("status"))
    else:
        companies = companies.annotate(group=Value(0))
    company_to: dict[int, User] = {}
    for _group, rows in itertools.groupby(companies.order_by("group", "id").values_list("group", "pk"),
                                          key=lambda r: r[0]):
        turn = itertools.cycle(receivers)  # each group starts over, so everyone gets a fair share of each
        company_to.update({pk: next(turn) for _g, pk in rows})
    result: list[tuple[Any, int, User]] = [(company_model, pk, user) for pk, user in company_to.items()]
    turn = itertools.cycle(receivers)
    for model, qs, _heading in portfolio_querysets(from_user)[1:]:
        for pk, company_id in qs.order_by("id").values_list("pk", "company_id"):
            result.append((model, pk, company_to.get(company_id) or next(turn)))
    views = shared_views(from_user)
    result.extend((views.model, pk, next(turn)) for pk in views.order_by("id").values_list("pk", flat=True))
    return result


def preview(*, actor: Any, from_user: User, receivers: list[Any], rule: str = SplitRule.EVEN) -> dict[str, Any]:
    """What a handover would do: per receiver, how many records of each kind."""
    _require(actor, from_user)
    users = _receivers(actor, from_user, receivers)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for model, _pk, user in plan(from_user, users, rule):
        counts[user.pk][str(model._meta.verbose_name_plural)] += 1
    return {"receivers": [(u, dict(counts[u.pk])) for u in users], "total": sum(sum(c.values()) for c in counts.values())}


@transaction.atomic
def create_handover(*, actor: Any, from_user: User, receivers: list[Any], rule: str = SplitRule.EVEN,
                    reason: str = "") -> Handover:
    """Plan the handover: one item per record. Nothing moves until `run_handover`."""
    _require(actor, from_user)
    users = _receivers(actor, from_user, receivers)
    if rule not in SplitRule.values:
        raise ValidationError({"rule": _("Choose how to split.")})
    handover = Handover.objects.create(from_user=from_user, rule=rule, reason=str(reason or "").strip()[:255],
                                       created_by=actor)
    handover.receivers.set(users)
    content_types = {}
    items = []
    for model, pk, user in plan(from_user, users, rule):
        ct = content_types.setdefault(model, ContentType.objects.get_for_model(model))
        items.append(HandoverItem(handover=handover, content_type=ct, object_id=pk, to_user=user))
    HandoverItem.objects.bulk_create(items, batch_size=1000)
    record_security_event(SecurityEventKind.PERMISSION_CHANGE, actor=actor, target=from_user, detail={
        "handover": handover.pk, "receivers": [u.pk for u in users], "records": len(items), "rule": rule})
    return handover


def start_handover(handover: Handover) -> None:
    """Queue the handover's background job once the current transaction commits (the page shows progress)."""
    from kartoteka.core.jobs import enqueue_on_commit
    from kartoteka.handover.tasks import handover_job

    enqueue_on_commit(handover_job, handover.pk)


def may_resume(handover: Handover) -> bool:
    """A failed handover, or one whose worker died (nothing moved for STALLED_AFTER), may be started again."""
    if handover.status == HandoverStatus.FAILED:
        return True
    if handover.status not in (HandoverStatus.PLANNED, HandoverStatus.RUNNING):
        return False
    since = timezone.now() - STALLED_AFTER
    last = handover.items.aggregate(last=Max("moved_at"))["last"]
    return handover.created_at < since and (last is None or last < since)


def resume_handover(handover: Handover, *, actor: Any) -> None:
    """Queue a failed (or stalled) handover again: moved records are skipped, the rest move."""
    _require(actor, handover.from_user)
    handover.refresh_from_db()
    if not may_resume(handover):
        raise ValidationError(_("Only a failed or stalled handover can be resumed."))
    Handover.objects.filter(pk=handover.pk).update(status=HandoverStatus.PLANNED, error="")
    start_handover(handover)


def run_handover(handover: Handover | int, *, batch: int = BATCH, pause: float = 0.0) -> int:
    """Move the handover's remaining records, a batch per transaction. Safe to call again after a crash: moved
    items are skipped. Returns how many records it moved in this call. A failure marks the handover failed
    (with the error) and is raised again; at the end each receiver gets one summary notification."""
    handover = handover if isinstance(handover, Handover) else Handover.objects.get(pk=handover)
    if handover.status in (HandoverStatus.DONE, HandoverStatus.REVERTED):
        return 0
    Handover.objects.filter(pk=handover.pk).update(status=HandoverStatus.RUNNING, error="")
    actor, moved = handover.created_by, 0
    reason = _("handover") + (f": {handover.reason}" if handover.reason else "")
    try:
        while True:
            with records.acting_as(actor), transaction.atomic():
                lock_change_log()
                items = list(HandoverItem.objects.select_for_update()
                             .filter(handover=handover, moved_at__isnull=True)
                             .select_related("content_type", "to_user").order_by("id")[:batch])
                if not items:
                    break
                for item in items:
                    moved += _move(item, handover, actor=actor, reason=reason)
            if pause:
                time.sleep(pause)  # lets a test stop the process between two batches
    except Exception as exc:
        Handover.objects.filter(pk=handover.pk).update(status=HandoverStatus.FAILED, error=repr(exc)[:500])
        raise
    with transaction.atomic():
        Handover.objects.filter(pk=handover.pk).update(status=HandoverStatus.DONE, finished_at=timezone.now())
        notify_receivers(handover)
    return moved


def notify_receivers(handover: Handover) -> int:
    """One notification per receiver with what they got, per kind (once per handover, however often it runs).
    The text is composed in the reader's language from the counts."""
    from kartoteka.notifications.choices import NotificationKind
    from kartoteka.notifications.services import notify

    got: dict[int, list[str]] = defaultdict(list)
    for to_user, app_label, model, n in (
            handover.items.filter(moved_at__isnull=False, skipped=False).order_by()
            .values_list("to_user", "content_type__app_label", "content_type__model")
            .annotate(n=Count("id")).order_by("to_user", "content_type__app_label", "content_type__model")):
        got[to_user].append(f"{app_label}.{model}={n}")
    sent = 0
    for receiver in User.objects.filter(pk__in=list(got)):
        sent += notify(receiver, NotificationKind.HANDOVER_RECEIVED, url=handover.get_absolute_url(),
                       key=f"handover:{handover.pk}", params={
                           "actor": handover.created_by, "user": handover.from_user,
                           "counts": ";".join(got[receiver.pk])}) is not None
    return sent


def _versioned(model: Any) -> bool:
    return any(f.name == "version" for f in model._meta.concrete_fields)


def _move(item: HandoverItem, handover: Handover, *, actor: Any, reason: str) -> int:
    model = item.content_type.model_class()
    record = model.objects.select_for_update().filter(pk=item.object_id).first()
    now = timezone.now()
    if record is None or record.owner_id != handover.from_user_id:  # deleted, or handed on meanwhile
        HandoverItem.objects.filter(pk=item.pk).update(moved_at=now, skipped=True)
        return 0
    previous = record.owner
    if not _versioned(model):  # a shared saved view: renamed if the receiver has one of the same name
        _move_view(record, item.to_user, previous)
        HandoverItem.objects.filter(pk=item.pk).update(moved_at=now)
        return 1
    record.owner = item.to_user
    record.version += 1
    record.save(update_fields=["owner", "version"])
    if model._meta.model_name in TIMELINED:  # a task's own timeline is its audit trail
        record_reassignment(record, actor=actor, previous=previous, reason=reason)
    HandoverItem.objects.filter(pk=item.pk).update(moved_at=now, version_after=record.version)
    return 1


def _move_view(view: Any, to_user: User, previous: User) -> None:
    """Give a saved view to `to_user`, keeping its team; its name gets the previous owner's when taken."""
    taken = type(view).objects.filter(owner=to_user, entity=view.entity)
    name = view.name
    if taken.filter(name=name).exists():
        name = f"{view.name} ({previous})"[:100]
        if taken.filter(name=name).exists():
            name = f"{view.name[:80]} ({view.pk})"
    view.owner, view.name = to_user, name
    view.save(update_fields=["owner", "name"])


@transaction.atomic
def revert_handover(handover: Handover, *, actor: Any) -> tuple[int, int]:
    """Give back every moved record nobody has changed since (same version); returns (given back, kept)."""
    _require(actor, handover.from_user)
    handover.refresh_from_db()
    if handover.status != HandoverStatus.DONE:
        raise ValidationError(_("Only a finished handover can be reverted."))
    if not handover.from_user.is_active:
        raise ValidationError(_("The user is deactivated: hand their records to someone else instead."))
    back, kept = 0, 0
    reason = _("handover reverted")
    lock_change_log()
    with records.acting_as(actor):
        for item in (HandoverItem.objects.select_for_update()
                     .filter(handover=handover, skipped=False, reverted=False, moved_at__isnull=False)
                     .select_related("content_type")):
            model = item.content_type.model_class()
            record = model.objects.select_for_update().filter(pk=item.object_id).first()
            versioned = _versioned(model)
            if (record is None or record.owner_id != item.to_user_id
                    or (versioned and record.version != item.version_after)):
                kept += 1
                continue
            previous = record.owner
            if not versioned:
                _move_view(record, handover.from_user, previous)
                HandoverItem.objects.filter(pk=item.pk).update(reverted=True)
                back += 1
                continue
            record.owner_id = handover.from_user_id
            record.version += 1
            record.save(update_fields=["owner", "version"])
            record = model.objects.get(pk=record.pk)
            if model._meta.model_name in TIMELINED:
                record_reassignment(record, actor=actor, previous=previous, reason=reason)
            HandoverItem.objects.filter(pk=item.pk).update(reverted=True)
            back += 1
    Handover.objects.filter(pk=handover.pk).update(status=HandoverStatus.REVERTED, reverted_at=timezone.now())
    return back, kept


# --- Cover ----------------------------------------------------------------------------------------------------

@transaction.atomic
def set_cover(*, actor: Any, user: User, substitute: User, starts_on: Any, ends_on: Any, note: str = "") -> Cover:
    """The substitute works `user`'s records from `starts_on` to `ends_on`; ownership does not change."""
    _require(actor, user)
    if substitute.pk == user.pk or not substitute.is_active or substitute.is_viewer:
        raise ValidationError({"substitute": _("Choose an active colleague other than the absent user.")})
    if not permissions.assignable_users(actor).filter(pk=substitute.pk).exists():
        raise ValidationError({"substitute": _("You cannot make this user a substitute.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The cover cannot end before it starts.")})
    cover = Cover.objects.create(user=user, substitute=substitute, starts_on=starts_on, ends_on=ends_on,
                                 note=str(note or "")[:255], created_by=actor)
    record_security_event(SecurityEventKind.PERMISSION_CHANGE, actor=actor, target=user, detail={
        "cover": cover.pk, "substitute": substitute.pk, "from": str(starts_on), "to": str(ends_on)})
    return cover


@transaction.atomic
def end_cover(cover: Cover, *, actor: Any) -> None:
    _require(actor, cover.user)
    cover.ends_on = min(cover.ends_on, timezone.localdate() - datetime.timedelta(days=1))
    cover.starts_on = min(cover.starts_on, cover.ends_on)
    cover.save(update_fields=["starts_on", "ends_on"])


# --- Deactivation ---------------------------------------------------------------------------------------------

def open_work(user: User) -> int:
    """Open deals, leads and tasks the user is responsible for: what must be handed over first."""
    return sum(qs.count() for model, qs, _h in portfolio_querysets(user)
               if model._meta.model_name in ("deal", "lead", "task"))


def deactivate_user(*, actor: Any, user: User, receivers: list[Any] | None = None, rule: str = SplitRule.EVEN) -> Handover | None:
    """Block the user at once (sessions ended, API tokens revoked), keeping every record and all history.

    Refused while they still hold open deals, leads or tasks, unless receivers are given: then their portfolio is
    handed over in the same step (planned now, moved by the background job once this commits; the handover page
    shows its progress).
    """
    _require(actor, user)
    handover = None
    if receivers:
        handover = create_handover(actor=actor, from_user=user, receivers=receivers, rule=rule,
                                   reason=_("deactivation"))
        start_handover(handover)
    elif open_work(user):
        raise ValidationError({"receivers": _("%(user)s still has open deals, leads or tasks: choose who receives them.")
                               % {"user": user}})
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        _end_sessions(user)
        record_security_event(SecurityEventKind.PERMISSION_CHANGE, actor=actor, target=user,
                              detail={"deactivated": True, "handover": handover.pk if handover else None})
    return handover


def _end_sessions(user: User) -> None:
    """Delete the user's stored sessions (an inactive user is refused on the next request in any case)."""
    doomed = [s.session_key for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
              if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    Session.objects.filter(session_key__in=doomed).delete()
