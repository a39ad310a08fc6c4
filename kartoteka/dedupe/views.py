"""Duplicate control pages: the as-you-type check, the report, merge with per-field choice, undo, settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kartoteka.accounts import permissions
from kartoteka.audit.choices import DenialReason
from kartoteka.audit.services import record_denial
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.errors import AccessDenied
from kartoteka.core.views.generic import visible_object
from kartoteka.dedupe import services
from kartoteka.dedupe.choices import DuplicateEntity, DuplicateMode, DuplicateSource
from kartoteka.dedupe.detection import duplicate_pairs, duplicates_for
from kartoteka.dedupe.models import Merge

MODELS = {DuplicateEntity.COMPANY: Company, DuplicateEntity.CONTACT: Contact}


def _model(entity: str) -> Any:
    if entity not in MODELS:
        raise Http404
    return MODELS[entity]


@login_required
@require_POST
def check(request: HttpRequest, entity: str) -> HttpResponse:
    """HTMX, as the user types in the create/edit form: existing records with the same INN, phone or e-mail,
    or a similar name. A record the user may not see is shown only as "exists" with its responsible."""
    _model(entity)
    exclude = request.POST.get("pk", "")
    data = {k: request.POST.get(k, "") for k in ("name", "inn", "phones", "emails", "last_name", "first_name")}
    rows = duplicates_for(request.user, entity, data, exclude_pk=int(exclude) if exclude.isdigit() else None)
    return render(request, "dedupe/partials/_check.html",
                  {"rows": rows, "blocking": services.policy_mode(entity, DuplicateSource.UI) == DuplicateMode.BLOCK})


@login_required
@require_GET
def report(request: HttpRequest, entity: str) -> HttpResponse:
    model = _model(entity)
    pairs = duplicate_pairs(model.objects.visible_to(request.user), entity)
    return render(request, "dedupe/report.html", {"entity": entity, "pairs": pairs,
                                                  "entities": DuplicateEntity.choices})


def _field_rows(entity: str, a: Any, b: Any) -> list[tuple[str, str, Any, Any]]:
    rows = []
    for name in services.MERGE_FIELDS[entity]:
        field = a._meta.get_field(name)
        rows.append((name, str(field.verbose_name), _shown(a, name), _shown(b, name)))
    return rows


def _shown(record: Any, name: str) -> str:
    value = getattr(record, name)
    if isinstance(value, list):
        return ", ".join(value)
    display = getattr(record, f"get_{name}_display", None)
    return str(display() if display and value else ("" if value is None else value))


@login_required
def merge(request: HttpRequest, entity: str, a: int, b: int) -> HttpResponse:
    """GET: the two records side by side, pick the survivor and each field's value. POST: merge."""
    model = _model(entity)
    first, second = visible_object(request, model, a), visible_object(request, model, b)
    if not (permissions.can_change(request.user, first) and permissions.can_change(request.user, second)):
        record_denial(request, model, b, reason=DenialReason.NOT_ALLOWED)
        raise Http404
    if request.method == "POST":
        survivor, merged = (second, first) if request.POST.get("survivor") == str(second.pk) else (first, second)
        winners = {}
        for name in services.MERGE_FIELDS[entity]:
            choice = request.POST.get(f"field_{name}", "")
            winners[name] = {str(survivor.pk): "survivor", str(merged.pk): "merged"}.get(choice, choice) or None
        try:
            done = services.merge_records(survivor, merged, actor=request.user, request=request,
                                          winners={k: v for k, v in winners.items() if v})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Merged. You can undo it here."))
            return redirect("dedupe:merge_done", pk=done.pk)
    return render(request, "dedupe/merge.html", {"entity": entity, "a": first, "b": second,
                                                 "rows": _field_rows(entity, first, second),
                                                 "list_fields": services.LIST_FIELDS})


def _visible_merge(request: HttpRequest, pk: int) -> tuple[Merge, Any]:
    merge_row = get_object_or_404(Merge, pk=pk)
    survivor = visible_object(request, MODELS[merge_row.entity], merge_row.survivor_id)
    return merge_row, survivor


@login_required
@require_GET
def merge_done(request: HttpRequest, pk: int) -> HttpResponse:
    merge_row, survivor = _visible_merge(request, pk)
    return render(request, "dedupe/merge_done.html", {"merge": merge_row, "survivor": survivor,
                                                      "can_undo": services.can_undo(request.user, merge_row, survivor)})


@login_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    merge_row, _survivor = _visible_merge(request, pk)
    try:
        restored = services.undo_merge(merge_row, actor=request.user, request=request)
    except AccessDenied:
        record_denial(request, Merge, pk, reason=DenialReason.NOT_ALLOWED)
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dedupe:merge_done", pk=pk)
    messages.success(request, _("The merge is undone: both records are back."))
    return redirect(restored.get_absolute_url())


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    """Administrators: warn or block exact duplicates, per entity and per create path (field `<entity>_<path>`;
    a bare `<entity>` field sets the web interface's)."""
    if not permissions.can_manage_settings(request.user):
        raise Http404
    if request.method == "POST":
        try:
            with transaction.atomic():
                for entity in DuplicateEntity.values:
                    for source in DuplicateSource.values:
                        default = request.POST.get(entity, DuplicateMode.WARN) if source == DuplicateSource.UI \
                            else DuplicateMode.WARN
                        services.set_policy(entity, request.POST.get(f"{entity}_{source}", default),
                                            actor=request.user, source=source)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("dedupe:policy")
    rows = [(entity, label, [(f"{entity}_{source}", services.policy_mode(entity, source))
                             for source in DuplicateSource.values])
            for entity, label in DuplicateEntity.choices]
    return render(request, "dedupe/policy.html", {"rows": rows, "sources": DuplicateSource.choices,
                                                  "choices": DuplicateMode.choices})
