"""Every write to saved views. A user changes only their own views; team members only read shared ones."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from kartoteka.core.errors import AccessDenied
from kartoteka.savedviews.models import SavedView

__all__ = ["delete_view", "save_view", "set_pinned", "views_for"]

# Query parameters that are about one page of the list, not the view.
TRANSIENT = frozenset({"page", "save_columns", "columns", "csrfmiddlewaretoken"})
MAX_VIEWS = 50


def views_for(user: Any, entity: str) -> list[SavedView]:
    """The user's own views of a list and those shared with their team; pinned ones first."""
    pinned = SavedView.pinned_by.through.objects.filter(savedview_id=OuterRef("pk"), user_id=user.pk)
    qs = (SavedView.objects.filter(entity=entity).filter(Q(owner=user) | Q(team__isnull=False, team_id=user.team_id))
          .annotate(pinned=Exists(pinned)).select_related("owner"))  # one query for the list page's budget
    return sorted(qs, key=lambda v: (not v.pinned, v.name.lower(), v.pk))


def visible_view(user: Any, pk: int) -> SavedView:
    view = SavedView.objects.filter(Q(owner=user) | Q(team__isnull=False, team_id=user.team_id), pk=pk).first()
    if view is None:
        raise AccessDenied()
    return view


@transaction.atomic
def save_view(*, actor: Any, entity: str, list_path: str, name: str, query: str, columns: list[str],
              shared: bool = False) -> SavedView:
    """Save (or overwrite, by name) one of the actor's views. Page-only parameters are dropped from `query`."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the view.")})
    if len(name) > 100:
        raise ValidationError({"name": _("A view name is at most 100 characters.")})
    kept = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k not in TRANSIENT]
    encoded = urlencode(kept)
    if len(encoded) > 2000:
        raise ValidationError({"name": _("The filters are too long to save.")})
    if shared and actor.team_id is None:
        raise ValidationError({"shared": _("You are in no team to share the view with.")})
    existing = SavedView.objects.filter(owner=actor, entity=entity, name=name).first()
    if existing is None and SavedView.objects.filter(owner=actor).count() >= MAX_VIEWS:
        raise ValidationError({"name": _("At most %(max)d saved views.") % {"max": MAX_VIEWS}})
    view = existing or SavedView(owner=actor, entity=entity, name=name)
    view.list_path, view.query, view.columns = list_path, encoded, list(columns)
    view.team_id = actor.team_id if shared else None
    try:
        view.save()
    except IntegrityError:
        raise ValidationError({"name": _("You already have a view with this name.")}) from None
    return view


def set_pinned(view: SavedView, *, actor: Any, pinned: bool) -> None:
    """Pin a view (own or shared with the actor's team) to the top of the actor's list, or unpin it."""
    visible_view(actor, view.pk)
    if pinned:
        view.pinned_by.add(actor)
    else:
        view.pinned_by.remove(actor)


def delete_view(view: SavedView, *, actor: Any) -> None:
    if view.owner_id != actor.pk:
        raise AccessDenied()
    view.delete()
