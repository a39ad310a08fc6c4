"""Who may see and change which record. Every queryset, view and API endpoint asks here.

Scope rules:
- admin: every record;
- head: own records and those owned by members of the teams they head;
- manager: own records and records explicitly shared with them (read-only);
- a substitute (an active cover) also sees and changes the records of the user they stand in for;
- viewer: records owned by members of their team, read-only;
- anonymous or inactive: nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from kartoteka.accounts.choices import Role

if TYPE_CHECKING:
    from kartoteka.accounts.models import User
    from kartoteka.core.models import CRMModel

NOTHING = Q(pk__in=[])


def team_member_ids(user: User) -> Any:
    """A subquery of the ids of users whose records `user` oversees as head or viewer."""
    from kartoteka.accounts.models import User

    if user.role == Role.HEAD:
        return User.objects.filter(team__heads=user).values("id")
    return User.objects.filter(team_id=user.team_id).values("id") if user.team_id else User.objects.none()


def covered_user_ids(user: User) -> Any:
    """A subquery of the users `user` stands in for today (an active cover: see handover.models.Cover)."""
    from kartoteka.handover.models import Cover

    return Cover.objects.active().filter(substitute=user).order_by().values("user_id")


def own_and_covered_ids(user: User) -> Any:
    """The user's own id and those of the users they stand in for today, as one subquery."""
    from kartoteka.accounts.models import User

    return User.objects.filter(pk=user.pk).order_by().values("id").union(covered_user_ids(user))


def covers(user: User, owner_id: int | None) -> bool:
    from kartoteka.handover.models import Cover

    return owner_id is not None and Cover.objects.active().filter(substitute=user, user_id=owner_id).exists()


def visibility_filter(user: User | None, model: type[CRMModel]) -> Q:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_admin:
        return Q()
    from kartoteka.accounts.models import RecordShare

    shared = Q(
        pk__in=RecordShare.objects.filter(
            user=user, content_type=ContentType.objects.get_for_model(model)
        ).values("object_id")
    )
    if user.role == Role.HEAD:
        return Q(owner=user) | Q(owner_id__in=team_member_ids(user).order_by().union(covered_user_ids(user))) | shared
    if user.role == Role.VIEWER:
        return Q(owner_id__in=team_member_ids(user)) | shared
    return Q(owner_id__in=own_and_covered_ids(user)) | shared


def unassigned_lead_filter(user: User | None) -> Q:
    """Leads without a responsible that wait in the inbox of a team the user works in (or heads)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_admin:
        return Q()
    if user.role == Role.HEAD:
        return Q(owner__isnull=True, team__heads=user) | (Q(owner__isnull=True, team_id=user.team_id)
                                                         if user.team_id else NOTHING)
    return Q(owner__isnull=True, team_id=user.team_id) if user.team_id else NOTHING


def can_view(user: User, obj: CRMModel) -> bool:
    return type(obj).objects.visible_to(user, include_deleted=True).filter(pk=obj.pk).exists()


def can_change(user: User, obj: CRMModel) -> bool:
    """Owner, the owner's head and admins may change a record; viewers and share-holders may not."""
    if not user.is_authenticated or not user.is_active or user.role == Role.VIEWER:
        return False
    if user.is_admin or obj.owner_id == user.pk:
        return True
    if obj.owner_id is None:  # a lead waiting in a team's inbox: its team's heads manage it
        team_id = getattr(obj, "team_id", None)
        return user.role == Role.HEAD and team_id is not None and user.headed_teams.filter(pk=team_id).exists()
    return (user.role == Role.HEAD and heads_user(user, obj.owner_id)) or covers(user, obj.owner_id)


def can_reassign(user: User) -> bool:
    """Only heads and admins hand records from one responsible to another."""
    return user.is_authenticated and user.is_active and (user.is_admin or user.role == Role.HEAD)


def assignable_users(user: User) -> Any:
    """Users `user` may make responsible for a record."""
    from kartoteka.accounts.models import User

    active = User.objects.filter(is_active=True).exclude(role=Role.VIEWER)
    if user.is_admin:
        return active
    if user.role == Role.HEAD:
        return active.filter(Q(pk=user.pk) | Q(pk__in=team_member_ids(user)))
    return active.filter(pk=user.pk)


def can_restore(user: User, obj: CRMModel) -> bool:
    """Admins, and the head of the record's owner, restore from the recycle bin."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_admin or (user.role == Role.HEAD and heads_user(user, obj.owner_id))


def can_manage_settings(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_admin


def can_manage_catalog(user: User) -> bool:
    """Products are shared reference data: everyone signed in reads them; administrators (and heads, unless
    PRODUCTS_EDITABLE_BY_HEADS is off) create, edit and deactivate them."""
    from django.conf import settings

    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_admin or (user.role == Role.HEAD and settings.PRODUCTS_EDITABLE_BY_HEADS)


def heads_user(head: User, user_id: int | None) -> bool:
    from kartoteka.accounts.models import User

    if user_id is None:
        return False
    return head.pk == user_id or User.objects.filter(pk=user_id, team__heads=head).exists()


def visible_owners(user: User) -> Any:
    """Users whose records `user` may see as a group: the choices of a 'responsible' filter."""
    from kartoteka.accounts.models import User

    if not user.is_authenticated:
        return User.objects.none()
    if user.is_admin:
        return User.objects.all()
    if user.role in (Role.HEAD, Role.VIEWER):
        return User.objects.filter(Q(pk=user.pk) | Q(pk__in=team_member_ids(user)))
    return User.objects.filter(pk=user.pk)


def restorable_owner_ids(user: User) -> set[int] | None:
    """Owners whose deleted records `user` may restore: None means every owner (admins)."""
    from kartoteka.accounts.models import User

    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_admin:
        return None
    if user.role == Role.HEAD:
        return set(User.objects.filter(Q(pk=user.pk) | Q(pk__in=team_member_ids(user))).values_list("pk", flat=True))
    return set()
