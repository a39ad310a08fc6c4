"""Import pages: my imports, upload, mapping with preview, progress (polled; survives a reload), failed rows,
undo. Thin: each view authorizes, parses and calls one function of dataio.importing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kartoteka.accounts import permissions
from kartoteka.core.errors import AccessDenied
from kartoteka.dataio.choices import DuplicatePolicy, ImportEntity, ImportStatus
from kartoteka.dataio.importing import jobs
from kartoteka.dataio.importing.fields import entity_fields
from kartoteka.dataio.importing.undo import failed_rows_csv, undo_import
from kartoteka.dataio.importing.writer import MATCH_KINDS
from kartoteka.dataio.models import ImportJob

MATCH_LABELS = {"external_id": gettext_lazy("external ID"), "inn": gettext_lazy("INN"), "phone": gettext_lazy("phone"),
                "email": gettext_lazy("e-mail")}


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    job = ImportJob.objects.select_related("owner").filter(pk=pk).first()
    if job is None or not jobs.may_see(request.user, job):
        raise Http404
    return job


def _importer(request: HttpRequest) -> None:
    if not jobs.may_import(request.user):
        raise Http404


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    """The user's imports (a head also sees their team's, an admin everyone's), newest first."""
    _importer(request)
    user: Any = request.user
    queryset = ImportJob.objects.select_related("owner")
    if not user.is_admin:
        queryset = queryset.filter(Q(owner=user) | Q(owner_id__in=permissions.team_member_ids(user))
                                   if user.is_head else Q(owner=user))
    return render(request, "dataio/import_list.html", {"jobs": queryset.order_by("-created_at", "-id")[:100]})


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    _importer(request)
    entity = request.POST.get("entity") or request.GET.get("entity") or ImportEntity.CONTACT
    entities = [(value, label) for value, label in ImportEntity.choices if jobs.may_import(request.user, value)]
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": _("Choose a file.")})
            if upload.size > jobs.MAX_BYTES:  # refused before it is read into memory
                raise ValidationError({"file": _("The file is larger than %(mb)d MB.")
                                       % {"mb": jobs.MAX_BYTES // 1024 // 1024}})
            job = jobs.create_job(actor=request.user, entity=entity, filename=upload.name, content=upload.read())
        except AccessDenied:
            raise Http404 from None
        except ValidationError as exc:
            errors = exc.messages
        else:
            return redirect(job.get_absolute_url())
    return render(request, "dataio/import_new.html", {"entities": entities, "entity": entity, "errors": errors},
                  status=400 if errors else 200)


def _mapping_context(job: ImportJob, rows: Any = None, errors: Any = None) -> dict[str, Any]:
    fields = entity_fields(job.entity)
    return {
        "job": job, "fields": fields, "columns": list(zip(job.headers, job.mapping, strict=False)),
        "policies": DuplicatePolicy.choices, "match_kinds": [(k, MATCH_LABELS[k]) for k in MATCH_KINDS],
        "preview": rows if rows is not None else jobs.preview(job), "errors": errors or [],
        "labels": {f.key: f.label for f in fields},
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Before the start: the mapping form with a preview (POST action=preview re-reads it, action=start
    starts). After: the progress and the result."""
    job = _job_for(request, pk)
    if job.started_at is None and job.status == ImportStatus.PENDING:
        if request.method == "POST":
            if job.owner_id != request.user.pk:
                raise Http404
            mapping = [request.POST.get(f"column_{i}", "") for i in range(len(job.headers))]
            try:
                jobs.configure_job(job, actor=request.user, mapping=mapping, policy=request.POST.get("policy", ""),
                                   match_by=request.POST.getlist("match_by"),
                                   create_companies=request.POST.get("create_companies") == "on",
                                   save_as=request.POST.get("save_as", ""))
                if request.POST.get("action") == "start":
                    jobs.start_job(job, actor=request.user, request=request)
                    return redirect(job.get_absolute_url())
            except ValidationError as exc:
                job.mapping = mapping
                return render(request, "dataio/import_mapping.html", _mapping_context(job, errors=exc.messages),
                              status=400)
        return render(request, "dataio/import_mapping.html", _mapping_context(job))
    if request.method == "POST":
        return HttpResponse(status=405)
    return render(request, "dataio/import_detail.html", {"job": job, "can_undo": _can_undo(request, job),
                                                         "failures": job.failures.all()[:20]})


def _can_undo(request: HttpRequest, job: ImportJob) -> bool:
    return job.status in (ImportStatus.DONE, ImportStatus.FAILED) and not request.user.is_viewer


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone, polled by the job page until the job finishes."""
    job = _job_for(request, pk)
    return render(request, "dataio/partials/_import_progress.html", {"job": job})


@login_required
@require_GET
def import_failed_rows(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    response = HttpResponse(failed_rows_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-failed.csv"'
    return response


@login_required
@require_POST
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    try:
        counts = undo_import(job, actor=request.user, request=request)
    except AccessDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Import undone: %(removed)d records removed, %(reverted)d restored, %(kept)d "
                                    "kept because they changed since.")
                         % {"removed": counts["removed"], "reverted": counts["reverted"], "kept": counts["kept"]})
    return redirect(job.get_absolute_url())
