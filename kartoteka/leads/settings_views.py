"""Lead settings: web forms (administrators), and each team's distribution and absences (its heads, admins)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kartoteka.accounts import permissions
from kartoteka.accounts.models import Team
from kartoteka.core.errors import AccessDenied
from kartoteka.leads import distribution, webforms
from kartoteka.leads.forms import AbsenceForm, DistributionForm, WebFormFieldFormSet, WebFormForm
from kartoteka.leads.models import Absence, TeamDistribution, WebForm


def _form_errors(*forms: Any) -> str:
    parts = []
    for form in forms:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)


@login_required
@require_GET
def webform_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_settings(request.user):
        raise Http404
    return render(request, "leads/webform_list.html", {
        "forms": WebForm.objects.select_related("team", "responsible", "pipeline"),
    })


@login_required
def webform_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or change a web form; the page shows its embeddable snippet and endpoint."""
    if not permissions.can_manage_settings(request.user):
        raise Http404
    instance = get_object_or_404(WebForm, pk=pk) if pk else None
    initial_fields = instance.fields if instance else [
        {"name": "name", "label": _("Name"), "target": "name", "required": True},
        {"name": "phone", "label": _("Phone"), "target": "phone", "required": True},
        {"name": "email", "label": _("E-mail"), "target": "email"},
        {"name": "message", "label": _("Message"), "target": "message"},
    ]
    form = WebFormForm(request.POST or None, instance=instance)
    fields = WebFormFieldFormSet(request.POST or None, initial=initial_fields, prefix="f")
    status = 200
    if request.method == "POST":
        if form.is_valid() and fields.is_valid():
            data = {k: form.cleaned_data[k] for k in webforms.FORM_SETTINGS}
            data["fields"] = [f.cleaned_data for f in fields.forms if f.cleaned_data]
            try:
                saved = webforms.save_web_form(instance, actor=request.user, data=data)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
                status = 422
            else:
                messages.success(request, _("Saved."))
                return redirect("leads:webform_edit", pk=saved.pk)
        else:
            messages.error(request, _form_errors(form, *fields.forms))
            status = 422
    endpoint = request.build_absolute_uri(reverse("leads:webform_submit", args=[instance.key])) if instance else ""
    return render(request, "leads/webform_edit.html", {
        "form": form, "fields": fields, "object": instance, "endpoint": endpoint,
        "snippet": webforms.snippet(instance, endpoint) if instance else "",
    }, status=status)


@login_required
@require_GET
def distribution_settings(request: HttpRequest) -> HttpResponse:
    """Each managed team's distribution rule, and the absences of its members (current and coming)."""
    teams = list(distribution.manageable_teams(request.user).order_by("name"))
    if not teams:
        raise Http404
    rows = {d.team_id: d for d in TeamDistribution.objects.filter(team__in=teams)}
    users = distribution.absence_users(request.user)
    return render(request, "leads/distribution.html", {
        "teams": [(team, DistributionForm(instance=rows.get(team.pk) or TeamDistribution(team=team),
                                          prefix=f"t{team.pk}")) for team in teams],
        "absences": Absence.objects.filter(user__in=users, ends_on__gte=timezone.localdate())
        .select_related("user").order_by("starts_on"),
        "absence_form": AbsenceForm(users=users, prefix="a"),
    })


def _back_to_distribution(request: HttpRequest, form: Any, action: Any) -> HttpResponse:
    """Run a write from the distribution page and come back to it with the outcome (404 if not allowed)."""
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("leads:distribution")
    try:
        action(form.cleaned_data)
    except AccessDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("leads:distribution")


@login_required
@require_POST
def distribution_save(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_id)
    return _back_to_distribution(request, DistributionForm(request.POST, prefix=f"t{team.pk}"),
                                 lambda data: distribution.set_distribution(team, actor=request.user, data=data))


@login_required
@require_POST
def absence_add(request: HttpRequest) -> HttpResponse:
    form = AbsenceForm(request.POST, users=distribution.absence_users(request.user), prefix="a")
    return _back_to_distribution(request, form, lambda data: distribution.add_absence(actor=request.user, data=data))


@login_required
@require_POST
def absence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    absence = get_object_or_404(Absence, pk=pk)
    try:
        distribution.delete_absence(absence, actor=request.user)
    except AccessDenied:
        raise Http404 from None
    messages.success(request, _("Deleted."))
    return redirect("leads:distribution")
