"""Logging an activity from a card (HTMX: the form of one kind, then the refreshed timeline), and the
neglected clients list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET

from kartoteka.accounts import permissions
from kartoteka.activities import queries
from kartoteka.activities.choices import LOGGABLE_KINDS, ActivityKind
from kartoteka.activities.forms import ActivityForm
from kartoteka.activities.services import link_of, log_activity
from kartoteka.activities.timeline import timeline_for
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.errors import AccessDenied
from kartoteka.core.forms import NoteForm
from kartoteka.core.views import generic
from kartoteka.core.views.htmx import is_partial
from kartoteka.deals.models import Deal

RECORD_MODELS = {"company": Company, "contact": Contact, "deal": Deal}
NEGLECTED_LIMIT = 200


class ActivityLogView(generic.EntityViewMixin, View):
    """GET ?kind=call: the form (re-rendered when the call result changes, to offer the follow-up task);
    POST: log it, and answer the card's refreshed timeline."""

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        if kwargs.get("entity") not in RECORD_MODELS:
            raise Http404
        self.entity = kwargs["entity"]
        self.model = RECORD_MODELS[self.entity]

    def url_name(self, action: str) -> str:
        app = "deals" if self.entity == "deal" else "contacts"
        return f"{app}:{self.entity}_{action}"

    def record(self, request: HttpRequest, pk: int) -> Any:
        obj = generic.visible_object(request, self.model, pk)
        if not permissions.can_change(request.user, obj):
            raise AccessDenied()
        return obj

    def kind(self, request: HttpRequest) -> str:
        kind = request.GET.get("kind") or request.POST.get("kind") or ActivityKind.CALL
        return kind if kind in LOGGABLE_KINDS else ActivityKind.CALL

    def render_form(self, request: HttpRequest, obj: Any, form: ActivityForm, status: int = 200) -> HttpResponse:
        context = {**self.base_context(), "object": obj, "form": form, "kind": form.kind}
        return render(request, "activities/partials/_activity_form.html", context, status=status)

    def get(self, request: HttpRequest, entity: str, pk: int) -> HttpResponse:
        obj = self.record(request, pk)
        initial = {k: v for k, v in request.GET.items() if k != "kind"}
        return self.render_form(request, obj, ActivityForm(kind=self.kind(request), record=obj,
                                                                user=request.user, initial=initial))

    def post(self, request: HttpRequest, entity: str, pk: int) -> HttpResponse:
        obj = self.record(request, pk)
        form = ActivityForm(request.POST, kind=self.kind(request), record=obj, user=request.user)
        if form.is_valid():
            try:
                activity = log_activity(actor=request.user, kind=form.kind,
                                        data={**form.service_data(), **link_of(obj)},
                                        follow_up=form.follow_up_data())
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
            else:
                task = activity.follow_up_task  # type: ignore[attr-defined]
                if task is not None:
                    messages.success(request, _("Follow-up task created: %(task)s") % {"task": task})
                if not is_partial(request):
                    return redirect(obj.get_absolute_url())
                context = {**self.base_context(), "object": obj, "timeline": timeline_for(obj), "note_form": NoteForm(),
                           "can_change": True, "follow_up_task": task}
                return render(request, "core/partials/_card_timeline.html", context)
        return self.render_form(request, obj, form, status=422)


@login_required
@require_GET
def neglected(request: HttpRequest) -> HttpResponse:
    """Companies (?kind=contact: contacts) without activity for too long, most valuable first; heads reassign
    them in bulk."""
    kind = request.GET.get("kind") if request.GET.get("kind") in queries.KINDS else "company"
    ordering = request.GET.get("sort", "value")
    records = list(queries.neglected(kind, request.user, ordering=ordering)[:NEGLECTED_LIMIT])
    context = {"records": records, "kind": kind, "sort": ordering, "limit": NEGLECTED_LIMIT,
               "bulk_url": f"contacts:{kind}_bulk", "can_reassign": permissions.can_reassign(request.user),
               "assignable_users": permissions.assignable_users(request.user).only("id", "username", "first_name",
                                                                                   "last_name")}
    return render(request, "activities/neglected.html", context)
