"""Deal pages: declarative subclasses of the generic views, the kanban board, and small action views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kartoteka.accounts import permissions
from kartoteka.audit.choices import DenialReason
from kartoteka.audit.services import record_denial
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.errors import AccessDenied, ConflictError
from kartoteka.core.views import generic
from kartoteka.deals import participants, services
from kartoteka.deals.choices import ContactRole, StageKind
from kartoteka.deals.filters import DealFilterSet
from kartoteka.deals.forms import DealForm, LoseForm, MoveForm
from kartoteka.deals.line_views import lines_context
from kartoteka.deals.models import Deal, LostReason, Pipeline
from kartoteka.deals.tables import DealTable, format_amount

CARDS_PER_COLUMN = 50
RELATED_LIMIT = 50


class DealMixin:
    model = Deal
    service = services
    entity = "deal"


class DealListView(DealMixin, generic.ObjectListView):
    filterset_class = DealFilterSet
    table_class = DealTable

    def get_queryset(self, request: HttpRequest) -> Any:
        return (super().get_queryset(request).select_related("owner", "company", "stage", "pipeline")
                .prefetch_related("tags").with_company_visibility(request.user))


class DealDetailView(DealMixin, generic.ObjectDetailView):
    template_name = "deals/deal_detail.html"

    def related_context(self, request: HttpRequest, obj: Deal) -> dict[str, Any]:
        company = Company.objects.visible_to(request.user).filter(pk=obj.company_id).first() if obj.company_id else None
        visible_contacts = Contact.objects.visible_to(request.user).values("pk")
        links = obj.deal_contacts.filter(contact__in=visible_contacts).select_related("contact")
        stages = list(obj.pipeline.stages.all())
        open_stages = [s for s in stages if s.kind == StageKind.OPEN]
        return {
            "company": company,
            "deal_contacts": links,
            "stages": stages,
            "open_stages": open_stages,
            "reached": {s.pk for s in open_stages if s.position <= obj.stage.position},
            "lost_reasons": LostReason.objects.filter(active=True),
            "amount_display": format_amount(obj.amount, obj.currency),
            # Whom the card offers to add: the company's visible contacts not in the deal yet.
            "candidates": (Contact.objects.visible_to(request.user).filter(company_id=obj.company_id)
                           .exclude(pk__in=links.values("contact_id")).only("id", "first_name", "last_name",
                                                                             "middle_name")[:RELATED_LIMIT]
                           if obj.company_id else []),
            "roles": ContactRole.choices,
            "assignable": (permissions.assignable_users(request.user).exclude(pk=obj.owner_id)
                           .only("id", "username", "first_name", "last_name")
                           if permissions.can_reassign(request.user) else []),
            **lines_context(obj),
        }


class DealEditView(DealMixin, generic.ObjectEditView):
    form_class = DealForm

    def get_object(self, request: HttpRequest, pk: int | None) -> Any:
        obj = super().get_object(request, pk)
        if pk is None:
            if str(request.GET.get("company", "")).isdigit():
                obj.company = Company.objects.visible_to(request.user).filter(pk=request.GET["company"]).first()
            pipeline = Pipeline.objects.filter(active=True).first()
            stage = pipeline.stages.filter(kind=StageKind.OPEN).first() if pipeline else None
            if stage is not None:
                obj.stage, obj.pipeline = stage, pipeline
        return obj


class DealCellView(DealMixin, generic.InlineEditView):
    form_class = DealForm
    table_class = DealTable


class DealDeleteView(DealMixin, generic.ObjectDeleteView):
    pass


class DealRestoreView(DealMixin, generic.ObjectRestoreView):
    pass


class DealBulkView(DealMixin, generic.BulkActionView):
    pass


class DealTimelineView(DealMixin, generic.TimelineView):
    pass


class DealNoteView(DealMixin, generic.NoteCreateView):
    pass


class DealShareView(DealMixin, generic.ShareView):
    pass


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _action_result(request: HttpRequest, deal: Deal, action: Any) -> HttpResponse:
    """Run a stage action; JSON for the kanban's script, a redirect with a message for the card's forms."""
    try:
        deal = action()
    except AccessDenied:
        record_denial(request, Deal, deal.pk, reason=DenialReason.NOT_ALLOWED)
        raise Http404 from None
    except (ValidationError, ConflictError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        if _wants_json(request):
            return JsonResponse({"detail": message}, status=422 if isinstance(exc, ValidationError) else 409)
        messages.error(request, message)
        return redirect(deal.get_absolute_url())
    if _wants_json(request):
        return JsonResponse({"id": deal.pk, "stage": deal.stage_id, "stage_name": deal.stage.name,
                             "version": deal.version})
    messages.success(request, _("Stage: %(stage)s") % {"stage": deal.stage.name})
    return redirect(deal.get_absolute_url())


@login_required
@require_POST
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    """POST stage=<id>[&version=<n>]: move the deal (the kanban drop and the card's Move button)."""
    deal = generic.visible_object(request, Deal, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"detail": _("Choose a stage.")}, status=422)
    return _action_result(request, deal, lambda: services.move_deal(
        deal, actor=request.user, stage=form.cleaned_data["stage"], expected_version=form.cleaned_data["version"],
        lost_reason=LostReason.objects.filter(pk=request.POST.get("lost_reason") or 0).first()))


@login_required
@require_POST
def deal_win(request: HttpRequest, pk: int) -> HttpResponse:
    deal = generic.visible_object(request, Deal, pk)
    return _action_result(request, deal, lambda: services.win_deal(deal, actor=request.user))


@login_required
@require_POST
def deal_lose(request: HttpRequest, pk: int) -> HttpResponse:
    deal = generic.visible_object(request, Deal, pk)
    form = LoseForm(request.POST)
    reason = form.cleaned_data["lost_reason"] if form.is_valid() else None
    return _action_result(request, deal, lambda: services.lose_deal(deal, actor=request.user, reason=reason))


@login_required
def board_default(request: HttpRequest) -> HttpResponse:
    pipeline = Pipeline.objects.filter(active=True).first() or Pipeline.objects.first()
    if pipeline is None:
        return redirect("deals:deal_list")
    return redirect("deals:board", pipeline_id=pipeline.pk)


@login_required
def board(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """The kanban: one column per stage with the count and sum of the visible deals, and their newest cards.

    A constant number of queries whatever the number of deals: one aggregate for all columns, one windowed
    query for the cards (at most CARDS_PER_COLUMN per stage).
    """
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    stages = list(pipeline.stages.all())
    data = request.GET.copy()
    data.pop("pipeline", None)
    filterset = DealFilterSet(data, queryset=Deal.objects.visible_to(request.user).filter(pipeline=pipeline),
                              request=request)
    deals = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    matching = Deal.objects.filter(pk__in=deals.values("pk"))  # a tag join must not count a deal twice
    totals = {row["stage"]: row for row in matching.order_by().values("stage").annotate(n=Count("id"), total=Sum("amount"))}
    cards = (matching.select_related("owner", "company").with_company_visibility(request.user).with_last_activity()
             .annotate(row=Window(RowNumber(), partition_by=F("stage_id"),
                                  order_by=[F("stage_entered_at").desc(), F("id").desc()]))
             .filter(row__lte=CARDS_PER_COLUMN).order_by("stage_id", "row"))
    now = timezone.now()
    by_stage: dict[int, list[Any]] = {s.pk: [] for s in stages}
    stage_by_id = {s.pk: s for s in stages}
    for deal in cards:
        deal.stage = stage_by_id[deal.stage_id]
        entered = deal.stage_entered_at or deal.created_at
        last_touch = max(entered, deal.last_activity_at or entered)
        deal.days_in_stage = (now - entered).days
        deal.rotting = bool(deal.stage.rotting_days) and (now - last_touch).days > deal.stage.rotting_days
        deal.amount_display = format_amount(deal.amount, deal.currency)
        by_stage[deal.stage_id].append(deal)
    columns = [{
        "stage": s, "deals": by_stage[s.pk], "count": totals.get(s.pk, {}).get("n", 0),
        "total": totals.get(s.pk, {}).get("total") or 0,
        "total_display": format_amount(totals.get(s.pk, {}).get("total") or 0, _default_currency()),
    } for s in stages]
    return render(request, "deals/board.html", {
        "pipeline": pipeline, "pipelines": Pipeline.objects.filter(active=True), "columns": columns,
        "filterset": filterset, "can_move": not request.user.is_viewer, "cards_per_column": CARDS_PER_COLUMN,
        "lost_reasons": LostReason.objects.filter(active=True),
        "can_create": not request.user.is_viewer,
    })


def _default_currency() -> str:
    from django.conf import settings

    return settings.DEFAULT_CURRENCY


@login_required
@require_POST
def deal_participant(request: HttpRequest, pk: int) -> HttpResponse:
    """POST contact=<id>&role=<role> adds (or re-roles) a person; remove=1 takes them off the deal."""
    deal = generic.visible_object(request, Deal, pk)
    contact = request.POST.get("contact", "")
    try:
        if request.POST.get("remove"):
            participants.remove_participant(deal, actor=request.user, contact_id=int(contact) if contact.isdigit() else 0)
        else:
            participants.add_participant(deal, actor=request.user, contact=contact,
                                         role=request.POST.get("role") or ContactRole.OTHER)
    except AccessDenied:
        record_denial(request, Deal, deal.pk, reason=DenialReason.NOT_ALLOWED)
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(deal.get_absolute_url())


@login_required
@require_POST
def deal_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """POST owner=<id>&reason=...: a head or an admin changes the responsible, saying why."""
    deal = generic.visible_object(request, Deal, pk)
    try:
        participants.reassign_deal(deal, actor=request.user, owner=request.POST.get("owner"),
                                   reason=request.POST.get("reason", ""))
    except AccessDenied:
        record_denial(request, Deal, deal.pk, reason=DenialReason.NOT_ALLOWED)
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(deal.get_absolute_url())
