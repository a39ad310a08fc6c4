"""Lead pages: the list and card (generic views), the inbox, and the take / assign / disqualify / convert actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kartoteka.accounts import permissions
from kartoteka.accounts.choices import Role
from kartoteka.audit.choices import DenialReason
from kartoteka.audit.services import record_denial
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.errors import AccessDenied, ConflictError
from kartoteka.core.views import generic
from kartoteka.deals.models import Deal
from kartoteka.leads import services
from kartoteka.leads.choices import LeadStatus
from kartoteka.leads.filters import LeadFilterSet
from kartoteka.leads.forms import AssignForm, ConvertForm, DisqualifyForm, LeadForm
from kartoteka.leads.models import Lead
from kartoteka.leads.tables import LeadTable

INBOX_PAGE = 50


class LeadMixin:
    model = Lead
    service = services
    entity = "lead"


class LeadListView(LeadMixin, generic.ObjectListView):
    filterset_class = LeadFilterSet
    table_class = LeadTable

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("owner", "team").prefetch_related("tags")


class LeadDetailView(LeadMixin, generic.ObjectDetailView):
    template_name = "leads/lead_detail.html"

    def related_context(self, request: HttpRequest, obj: Lead) -> dict[str, Any]:
        user = request.user
        may_act = obj.is_open and not obj.is_deleted and (
            permissions.can_change(user, obj) or (obj.owner_id is None and not user.is_viewer))
        return {
            "contact": Contact.objects.visible_to(user).filter(pk=obj.contact_id).first() if obj.contact_id else None,
            "company": Company.objects.visible_to(user).filter(pk=obj.company_id).first() if obj.company_id else None,
            "deal": Deal.objects.visible_to(user).filter(pk=obj.deal_id).first() if obj.deal_id else None,
            "may_act": may_act,
            "may_take": may_act and obj.status == LeadStatus.NEW and obj.owner_id in (None, user.pk),
            "may_assign": may_act and permissions.can_reassign(user) and permissions.can_change(user, obj),
            "convert_form": ConvertForm(initial={"title": obj.company_name or obj.name, "version": obj.version,
                                                 "pipeline": obj.web_form.pipeline_id if obj.web_form_id else None}),
            "disqualify_form": DisqualifyForm(initial={"version": obj.version}),
            "assign_form": AssignForm(users=permissions.assignable_users(user), initial={"owner": obj.owner_id}),
            "channel": [(label, getattr(obj, name)) for name, label in (
                ("utm_source", "utm_source"), ("utm_medium", "utm_medium"), ("utm_campaign", "utm_campaign"),
                ("utm_content", "utm_content"), ("utm_term", "utm_term"), ("referrer", _("Referrer")),
                ("landing_page", _("Landing page"))) if getattr(obj, name)],
        }


class LeadEditView(LeadMixin, generic.ObjectEditView):
    form_class = LeadForm


class LeadCellView(LeadMixin, generic.InlineEditView):
    form_class = LeadForm
    table_class = LeadTable


class LeadDeleteView(LeadMixin, generic.ObjectDeleteView):
    pass


class LeadRestoreView(LeadMixin, generic.ObjectRestoreView):
    pass


class LeadBulkView(LeadMixin, generic.BulkActionView):
    pass


class LeadTimelineView(LeadMixin, generic.TimelineView):
    pass


class LeadNoteView(LeadMixin, generic.NoteCreateView):
    pass


class LeadShareView(LeadMixin, generic.ShareView):
    pass


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """New leads waiting for someone: the team's unassigned ones and the user's own new ones, oldest first."""
    user = request.user
    waiting = Lead.objects.visible_to(user).filter(status=LeadStatus.NEW)
    if not user.is_admin and user.role != Role.HEAD:
        waiting = waiting.filter(Q(owner__isnull=True) | Q(owner=user))
    leads = list(waiting.select_related("owner", "team", "web_form").order_by("created_at", "id")[:INBOX_PAGE + 1])
    return render(request, "leads/inbox.html", {
        "leads": leads[:INBOX_PAGE], "more": len(leads) > INBOX_PAGE,
        "can_assign": permissions.can_reassign(user),
        "assignable_users": permissions.assignable_users(user).only("id", "username", "first_name", "last_name"),
        "can_act": not user.is_viewer,
    })


def _act(request: HttpRequest, lead: Lead, action: Any, done: str) -> HttpResponse:
    """Run a lead action; back to where the user came from (the inbox or the card) with the outcome."""
    try:
        result = action()
    except AccessDenied:
        record_denial(request, Lead, lead.pk, reason=DenialReason.NOT_ALLOWED)
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        result = None
    except ConflictError as exc:
        messages.error(request, str(exc))
        result = None
    if result is not None:
        messages.success(request, done)
        if isinstance(result, Lead) and result.deal_id and request.POST.get("then") != "inbox":
            return redirect("deals:deal_detail", pk=result.deal_id)
    if request.POST.get("then") == "inbox":
        return redirect("leads:inbox")
    return redirect("leads:lead_detail", pk=lead.pk)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@login_required
@require_POST
def lead_take(request: HttpRequest, pk: int) -> HttpResponse:
    # Not visible_object(): a teammate who saw the lead in the inbox is told who took it first (the service decides).
    lead = Lead.objects.alive().filter(pk=pk).first() or generic.visible_object(request, Lead, pk)
    return _act(request, lead, lambda: services.take_lead(lead, actor=request.user, expected_version=_version(request)),
                _("The lead is yours: %(lead)s") % {"lead": lead})


@login_required
@require_POST
def lead_assign(request: HttpRequest, pk: int) -> HttpResponse:
    lead = generic.visible_object(request, Lead, pk)
    form = AssignForm(request.POST, users=permissions.assignable_users(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose a user."))
        return redirect("leads:inbox" if request.POST.get("then") == "inbox" else lead.get_absolute_url())
    return _act(request, lead, lambda: services.assign_lead(
        lead, actor=request.user, owner=form.cleaned_data["owner"], reason=form.cleaned_data["reason"]),
        _("Responsible: %(user)s") % {"user": form.cleaned_data["owner"]})


@login_required
@require_POST
def lead_disqualify(request: HttpRequest, pk: int) -> HttpResponse:
    lead = generic.visible_object(request, Lead, pk)
    return _act(request, lead, lambda: services.disqualify_lead(
        lead, actor=request.user, reason=request.POST.get("disqualify_reason", ""), expected_version=_version(request)),
        _("Disqualified: %(lead)s") % {"lead": lead})


@login_required
@require_POST
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    lead = generic.visible_object(request, Lead, pk)
    form = ConvertForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
                                         for k, v in form.errors.items()))
        return redirect(lead.get_absolute_url())
    return _act(request, lead, lambda: services.convert_lead(
        lead, actor=request.user, create_deal=form.cleaned_data["create_deal"], deal=form.deal_data(),
        expected_version=form.cleaned_data["version"]), _("Converted: %(lead)s") % {"lead": lead})

