"""Who gets a new lead: the existing client's responsible, or the next available manager of the team.

Round-robin goes through the team's active managers in a fixed order (by id), starting after the one who got
the previous lead, and skips managers who are absent today or already hold the team's capacity of open leads.
The team's distribution row is locked while choosing, so two simultaneous leads never go to the same turn.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.accounts.choices import Role
from kartoteka.accounts.models import Team, User
from kartoteka.audit.choices import Action
from kartoteka.audit.receivers import record_change
from kartoteka.core.errors import AccessDenied
from kartoteka.leads.choices import OPEN_STATUSES, AssignmentRule
from kartoteka.leads.matching import Match
from kartoteka.leads.models import Absence, Lead, TeamDistribution

DISTRIBUTION_FIELDS = ("rule", "existing_client_first", "capacity")
ABSENCE_FIELDS = ("user", "kind", "starts_on", "ends_on", "note")


def absent_user_ids(day: Any = None) -> set[int]:
    day = day or timezone.localdate()
    return set(Absence.objects.filter(starts_on__lte=day, ends_on__gte=day).values_list("user_id", flat=True))


def covered_user_ids(day: Any = None) -> Any:
    """Users a head has set a substitute for today (handover.Cover): they are away too."""
    from kartoteka.handover.models import Cover

    return Cover.objects.active(day).filter(substitute__is_active=True).order_by().values("user_id")


def available_managers(team: Team, capacity: int | None) -> list[User]:
    """The team's active managers who are not away today (an absence, or a cover set for them) and are below
    `capacity` open leads, by id."""
    managers = (User.objects.filter(team=team, is_active=True, role=Role.MANAGER).exclude(pk__in=absent_user_ids())
                .exclude(pk__in=covered_user_ids()).order_by("id"))
    if capacity is None:
        return list(managers)
    loads = dict(Lead.objects.alive().filter(owner__in=managers, status__in=OPEN_STATUSES).order_by()
                 .values("owner").annotate(n=Count("id")).values_list("owner", "n"))
    return [m for m in managers if loads.get(m.pk, 0) < capacity]


def substitute_for(user: User) -> User:
    """Whoever stands in for `user` today (an active cover), else the user."""
    from kartoteka.handover.models import Cover

    cover = Cover.objects.active().filter(user=user, substitute__is_active=True).select_related("substitute").first()
    return cover.substitute if cover else user


def choose_responsible(team: Team | None, match: Match) -> User | None:
    """The responsible for a new lead of `team`, or None to leave it in the team's inbox.

    Call inside a transaction: the team's round-robin position is locked and advanced.
    """
    if team is None:
        return None
    settings, _created = TeamDistribution.objects.get_or_create(team=team)
    settings = TeamDistribution.objects.select_for_update().get(pk=settings.pk)
    if settings.existing_client_first and match.owner_id is not None:
        owner = User.objects.filter(pk=match.owner_id, is_active=True).first()
        if owner is not None:
            return substitute_for(owner)
    if settings.rule != AssignmentRule.ROUND_ROBIN:
        return None
    candidates = available_managers(team, settings.capacity)
    if not candidates:
        return None
    after = settings.last_assigned_id or 0
    chosen = next((m for m in candidates if m.pk > after), candidates[0])
    settings.last_assigned = chosen
    settings.save(update_fields=["last_assigned"])
    return chosen


# --- Heads' and administrators' writes -------------------------------------------------------------------------

def manageable_teams(actor: Any) -> Any:
    """Teams whose distribution and absences the actor manages: all for admins, their own for heads."""
    if not actor.is_authenticated or not actor.is_active:
        return Team.objects.none()
    if actor.is_admin:
        return Team.objects.all()
    if actor.role == Role.HEAD:
        return Team.objects.filter(heads=actor)
    return Team.objects.none()


def _require_team(actor: Any, team: Team) -> None:
    if not manageable_teams(actor).filter(pk=team.pk).exists():
        raise AccessDenied()


@transaction.atomic
def set_distribution(team: Team, *, actor: Any, data: dict[str, Any]) -> TeamDistribution:
    """Change how the team's new leads are given out (rule, existing-client rule, capacity); audited."""
    _require_team(actor, team)
    settings, _created = TeamDistribution.objects.select_for_update().get_or_create(team=team)
    before = {name: getattr(settings, name) for name in DISTRIBUTION_FIELDS}
    for name in DISTRIBUTION_FIELDS:
        if name in data:
            setattr(settings, name, data[name])
    settings.full_clean(exclude=["team", "last_assigned"])
    settings.save()
    after = {name: getattr(settings, name) for name in DISTRIBUTION_FIELDS}
    changed = [k for k in after if before[k] != after[k]]
    if changed:
        record_change(settings, Action.UPDATE, {k: before[k] for k in changed}, {k: after[k] for k in changed})  # type: ignore[arg-type]
    return settings


def absence_users(actor: Any) -> Any:
    """Whose absences the actor may record: members of the teams they manage."""
    return User.objects.filter(team__in=manageable_teams(actor), is_active=True).exclude(role=Role.VIEWER)


@transaction.atomic
def add_absence(*, actor: Any, data: dict[str, Any]) -> Absence:
    user = data.get("user")
    if user is None or not absence_users(actor).filter(pk=getattr(user, "pk", user)).exists():
        raise ValidationError({"user": _("You cannot record an absence for this user.")})
    absence = Absence(created_by=actor, **{k: v for k, v in data.items() if k in ABSENCE_FIELDS})
    absence.full_clean(exclude=["created_by"])
    if absence.ends_on < absence.starts_on:
        raise ValidationError({"ends_on": _("The absence cannot end before it starts.")})
    absence.save()
    record_change(absence, Action.CREATE, None, {"user": str(absence.user), "kind": absence.kind,  # type: ignore[arg-type]
                                                 "starts_on": absence.starts_on.isoformat(),
                                                 "ends_on": absence.ends_on.isoformat()})
    return absence


@transaction.atomic
def delete_absence(absence: Absence, *, actor: Any) -> None:
    if not absence_users(actor).filter(pk=absence.user_id).exists():
        raise AccessDenied()
    record_change(absence, Action.DELETE, {"user": str(absence.user), "starts_on": absence.starts_on.isoformat(),  # type: ignore[arg-type]
                                           "ends_on": absence.ends_on.isoformat()}, None)
    absence.delete()
