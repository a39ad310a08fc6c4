"""Deals and pipelines under /api/v1: the generic CRUD router plus the stage actions.

No `from __future__ import annotations` here: ninja reads the endpoint annotations.
"""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Header, Router

from kartoteka.api.crud import BODY_ERRORS, WRITE_ERRORS, crud_router, expected_version, with_etag
from kartoteka.api.errors import ErrorOut
from kartoteka.api.schemas import Id
from kartoteka.contacts.models import Contact
from kartoteka.deals import schemas, services
from kartoteka.deals.filters import DealFilterSet
from kartoteka.deals.models import Deal, DealContact, Pipeline


def _for_user(qs: Any, user: Any) -> Any:
    contacts = DealContact.objects.filter(contact__in=Contact.objects.visible_to(user).values("pk")).select_related("contact")
    return qs.with_company_visibility(user).prefetch_related(Prefetch("deal_contacts", queryset=contacts))


deals_router = crud_router(
    model=Deal, entity="deal", service=services, out_schema=schemas.DealOut, in_schema=schemas.DealIn,
    patch_schema=schemas.DealPatch, filter_schema=schemas.DealFilters, filterset_class=DealFilterSet,
    orderings=schemas.ORDERINGS, to_out=schemas.deal_out, related=("company", "pipeline", "stage", "lost_reason"),
    annotate=_for_user,
)


def _visible(request: HttpRequest, pk: int) -> Deal:
    qs = _for_user(Deal.objects.visible_to(request.user).select_related("owner", "company", "pipeline", "stage",
                                                                        "lost_reason").prefetch_related("tags"),
                   request.user)
    return get_object_or_404(qs, pk=pk)


def _respond(request: HttpRequest, response: HttpResponse, deal: Deal) -> dict[str, Any]:
    fresh = _visible(request, deal.pk)
    response["ETag"] = fresh.etag
    return schemas.deal_out(fresh)


@deals_router.post("/{pk}/move", response={200: schemas.DealOut, 412: ErrorOut, **BODY_ERRORS}, operation_id="deal_move",
                   summary="Move a deal to a stage", openapi_extra=with_etag(200))
def move(request: HttpRequest, response: HttpResponse, pk: Id, payload: schemas.MoveIn,
         if_match: str | None = Header(None, alias="If-Match")) -> Any:
    """The stage's rules apply: 422 names each required field that is empty, or `lost_reason` for a lost stage."""
    deal = _visible(request, pk)
    deal = services.move_deal(deal, actor=request.user, stage=payload.stage, lost_reason=payload.lost_reason,
                              expected_version=expected_version(if_match, deal))
    return _respond(request, response, deal)


@deals_router.post("/{pk}/win", response={200: schemas.DealOut, 412: ErrorOut, **WRITE_ERRORS}, operation_id="deal_win",
                   summary="Close a deal as won", openapi_extra=with_etag(200))
def win(request: HttpRequest, response: HttpResponse, pk: Id,
        if_match: str | None = Header(None, alias="If-Match")) -> Any:
    deal = _visible(request, pk)
    deal = services.win_deal(deal, actor=request.user, expected_version=expected_version(if_match, deal))
    return _respond(request, response, deal)


@deals_router.post("/{pk}/lose", response={200: schemas.DealOut, 412: ErrorOut, **BODY_ERRORS}, operation_id="deal_lose",
                   summary="Close a deal as lost, with the reason", openapi_extra=with_etag(200))
def lose(request: HttpRequest, response: HttpResponse, pk: Id, payload: schemas.LoseIn,
         if_match: str | None = Header(None, alias="If-Match")) -> Any:
    deal = _visible(request, pk)
    deal = services.lose_deal(deal, actor=request.user, reason=payload.lost_reason,
                              expected_version=expected_version(if_match, deal))
    return _respond(request, response, deal)


pipelines_router = Router(tags=["Pipelines"])


@pipelines_router.get("", response={200: list[schemas.PipelineOut], 401: ErrorOut}, operation_id="pipeline_list",
                      summary="Pipelines with their stages")
def pipeline_list(request: HttpRequest) -> Any:
    return [schemas.pipeline_out(p) for p in Pipeline.objects.prefetch_related("stages")]
