from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kartoteka.accounts import permissions
from kartoteka.customfields import services
from kartoteka.customfields.forms import CustomFieldForm
from kartoteka.customfields.models import CustomField


def _require_admin(request: HttpRequest) -> None:
    if not permissions.can_manage_settings(request.user):
        raise Http404


@login_required
def field_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(request, "customfields/field_list.html", {"fields": CustomField.objects.all()})


@login_required
def field_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    field = get_object_or_404(CustomField, pk=pk) if pk else CustomField()
    form = CustomFieldForm(request.POST or None, instance=field)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_custom_field(form.instance, actor=request.user, choices=form.cleaned_data["choices_text"])
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            return redirect("customfields:field_list")
    return render(request, "customfields/field_form.html", {"form": form, "object": field},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    services.delete_custom_field(get_object_or_404(CustomField, pk=pk), actor=request.user)
    return redirect("customfields:field_list")
