"""/settings/call-results/: administrators manage the list of call results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.activities import services
from kartoteka.activities.forms import CallResultForm
from kartoteka.activities.models import CallResult


@login_required
def call_results(request: HttpRequest) -> HttpResponse:
    """GET: the list, each row its own form; POST id=<pk> (or none for a new one) with that row's fields."""
    if not permissions.can_manage_settings(request.user):
        raise Http404
    if request.method == "POST":
        result = CallResult.objects.filter(pk=request.POST.get("id") or 0).first()
        prefix = f"r{result.pk}" if result else "new"
        form = CallResultForm(request.POST, prefix=prefix, instance=result)
        try:
            if not form.is_valid():
                raise ValidationError([m for errors in form.errors.values() for m in errors])
            if result is None:
                services.create_call_result(actor=request.user, data=form.cleaned_data)
            else:
                services.update_call_result(result, actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("activities:call_results")
    rows = [(r, CallResultForm(instance=r, prefix=f"r{r.pk}")) for r in CallResult.objects.all()]
    return render(request, "activities/call_results.html", {"rows": rows, "new_form": CallResultForm(prefix="new")})
