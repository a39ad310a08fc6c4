"""Saved list views: save the list as it is now, pin, delete. Each answers by going back to the list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kartoteka.core.errors import AccessDenied
from kartoteka.core.views.generic import list_view_at
from kartoteka.savedviews import services


@login_required
@require_POST
def save(request: HttpRequest) -> HttpResponse:
    path = request.POST.get("list", "")
    entity = list_view_at(path).entity
    columns = (request.user.preferences or {}).get("columns", {}).get(entity, [])
    try:
        view = services.save_view(actor=request.user, entity=entity, list_path=path,
                                  name=request.POST.get("name", ""), query=request.POST.get("query", ""),
                                  columns=columns, shared=request.POST.get("shared") == "on")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(path)
    messages.success(request, _("View saved: %(name)s") % {"name": view.name})
    return redirect(view.url)


@login_required
@require_POST
def pin(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        view = services.visible_view(request.user, pk)
        services.set_pinned(view, actor=request.user, pinned=request.POST.get("pinned") == "1")
    except AccessDenied:
        raise Http404 from None
    return redirect(view.list_path)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        view = services.visible_view(request.user, pk)
        services.delete_view(view, actor=request.user)
    except AccessDenied:
        raise Http404 from None
    messages.success(request, _("View deleted: %(name)s") % {"name": view.name})
    return redirect(view.list_path)
