"""/settings/pipelines/: administrators manage pipelines, their stages and the lost reasons on one page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.core.errors import AccessDenied
from kartoteka.deals import services
from kartoteka.deals.forms import LostReasonForm, PipelineForm, StageForm
from kartoteka.deals.models import Deal, LostReason, Pipeline, Stage


def _admin_only(request: HttpRequest) -> None:
    if not permissions.can_manage_settings(request.user):
        raise Http404


def _run(request: HttpRequest, action: Any) -> bool:
    try:
        action()
    except AccessDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, _("Saved."))
    return True


@login_required
def pipeline_settings(request: HttpRequest, pipeline_id: int | None = None) -> HttpResponse:
    """GET: the page; POST action=<name> with the fields of one small form (see the template)."""
    _admin_only(request)
    pipelines = list(Pipeline.objects.all())
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id) if pipeline_id else (pipelines[0] if pipelines else None)
    if request.method == "POST":
        _handle(request, request.POST.get("action", ""), pipeline)
        target = Pipeline.objects.filter(pk=getattr(pipeline, "pk", 0)).first() or Pipeline.objects.first()
        return redirect("deals:pipeline_settings_one", pipeline_id=target.pk) if target else redirect("deals:pipeline_settings")
    stages = list(pipeline.stages.all()) if pipeline else []
    counts: dict[int, int] = {}
    if pipeline:
        counts = dict(Deal.objects.filter(pipeline=pipeline).order_by().values_list("stage").annotate(n=Count("id")))
    return render(request, "deals/pipeline_settings.html", {
        "pipelines": pipelines, "pipeline": pipeline,
        "stages": [(s, StageForm(instance=s, prefix=f"s{s.pk}"), counts.get(s.pk, 0)) for s in stages],
        "pipeline_form": PipelineForm(instance=pipeline, prefix="p") if pipeline else None,
        "new_pipeline_form": PipelineForm(prefix="np"), "new_stage_form": StageForm(prefix="ns"),
        "lost_reasons": [(r, LostReasonForm(instance=r, prefix=f"r{r.pk}")) for r in LostReason.objects.all()],
        "new_reason_form": LostReasonForm(prefix="nr"),
    })


def _form_data(form_class: Any, request: HttpRequest, prefix: str, instance: Any = None) -> dict[str, Any] | None:
    form = form_class(request.POST, prefix=prefix, instance=instance)
    if not form.is_valid():
        messages.error(request, " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return None
    return {k: v for k, v in form.cleaned_data.items() if k in form.Meta.fields}


def _handle(request: HttpRequest, action: str, pipeline: Pipeline | None) -> None:
    actor = request.user
    if action == "create_pipeline":
        data = _form_data(PipelineForm, request, "np")
        if data is not None:
            data.pop("position", None)
            _run(request, lambda: services.create_pipeline(actor=actor, data=data))
    elif action == "create_reason":
        data = _form_data(LostReasonForm, request, "nr")
        if data is not None:
            _run(request, lambda: services.create_lost_reason(actor=actor, data=data))
    elif action == "update_reason":
        reason = get_object_or_404(LostReason, pk=request.POST.get("reason"))
        data = _form_data(LostReasonForm, request, f"r{reason.pk}", reason)
        if data is not None:
            _run(request, lambda: services.update_lost_reason(reason, actor=actor, data=data))
    elif pipeline is None:
        raise Http404
    elif action == "update_pipeline":
        data = _form_data(PipelineForm, request, "p", pipeline)
        if data is not None:
            _run(request, lambda: services.update_pipeline(pipeline, actor=actor, data=data))
    elif action == "delete_pipeline":
        _run(request, lambda: services.delete_pipeline(pipeline, actor=actor))
    elif action == "create_stage":
        data = _form_data(StageForm, request, "ns")
        if data is not None:
            if request.POST.get("ns-position") in (None, ""):
                data.pop("position", None)
            _run(request, lambda: services.create_stage(pipeline, actor=actor, data=data))
    elif action == "update_stage":
        stage = get_object_or_404(Stage, pk=request.POST.get("stage"), pipeline=pipeline)
        data = _form_data(StageForm, request, f"s{stage.pk}", stage)
        if data is not None:
            _run(request, lambda: services.update_stage(stage, actor=actor, data=data))
    else:
        messages.error(request, _("Unknown action."))


@login_required
def stage_delete(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    """GET: confirm and choose where the stage's deals go; POST move_to=<stage id>: delete."""
    _admin_only(request)
    stage = get_object_or_404(Stage, pk=stage_id, pipeline_id=pipeline_id)
    if request.method == "POST" and _run(
            request, lambda: services.delete_stage(stage, actor=request.user, move_to=request.POST.get("move_to"))):
        return redirect("deals:pipeline_settings_one", pipeline_id=pipeline_id)
    return render(request, "deals/stage_delete.html", {
        "stage": stage, "targets": stage.pipeline.stages.exclude(pk=stage.pk),
        "deal_count": Deal.objects.filter(stage=stage).count(),
    })
