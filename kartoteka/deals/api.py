"""Deals and pipelines under /api/v1: the generic CRUD router plus the stage actions and the deal's lines.

No `from __future__ import annotations` here: ninja reads the endpoint annotations.
"""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import Header, Router, Status

from kartoteka.api.crud import (
    BODY_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    crud_router,
    expected_version,
    with_etag,
)
from kartoteka.api.errors import ErrorOut
from kartoteka.api.schemas import Id
from kartoteka.contacts.models import Contact
from kartoteka.core.errors import NotVisible
from kartoteka.deals import lines, schemas, services
from kartoteka.deals.filters import DealFilterSet
from kartoteka.deals.models import Deal, DealContact, DealLine, Pipeline


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
    return qs.get_or_404(pk)  # NotVisible: api/errors.py audits the denial


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


# --- the deal's lines: part of the deal, so they answer (and take as If-Match) the deal's ETag ----------------


def _deal_for_lines(request: HttpRequest, pk: int) -> Deal:
    return Deal.objects.visible_to(request.user).get_or_404(pk)  # NotVisible: audited 404


def _line_of(deal: Deal, line_id: int) -> DealLine:
    line = deal.lines.select_related("product").filter(pk=line_id).first()
    if line is None:
        raise NotVisible(DealLine, line_id)
    line.deal = deal
    return line


def _line_answer(response: HttpResponse, deal_id: int, line_id: int) -> dict[str, Any]:
    """The line as saved, with the deal's new ETag (the next write's If-Match)."""
    response["ETag"] = Deal.objects.only("id", "version").get(pk=deal_id).etag
    return schemas.line_out(DealLine.objects.select_related("product").get(pk=line_id))


@deals_router.get("/{pk}/lines", response={200: schemas.DealLinesOut, **READ_ERRORS}, operation_id="deal_line_list",
                  summary="The products on a deal", openapi_extra=with_etag(200))
def line_list(request: HttpRequest, response: HttpResponse, pk: Id) -> Any:
    """Every line (a deal has at most 200), with the lines' total and the deal's amount and ETag."""
    deal = _deal_for_lines(request, pk)
    response["ETag"] = deal.etag
    return schemas.deal_lines_out(deal, list(deal.lines.select_related("product")))


@deals_router.post("/{pk}/lines", response={201: schemas.LineOut, 412: ErrorOut, **BODY_ERRORS},
                   operation_id="deal_line_create", summary="Put a product on a deal", openapi_extra=with_etag(201))
def line_create(request: HttpRequest, response: HttpResponse, pk: Id, payload: schemas.LineIn,
                if_match: str | None = Header(None, alias="If-Match")) -> Any:
    """Only who may change the deal (else 403, or 404 when they cannot see it). The price defaults to the
    catalog's; an inactive product, a quantity of zero or a discount over 100 % answer 422 per field."""
    deal = _deal_for_lines(request, pk)
    line = lines.add_line(deal, actor=request.user, data=payload.model_dump(exclude_unset=True),
                          expected_version=expected_version(if_match, deal))
    return Status(201, _line_answer(response, deal.pk, line.pk))


@deals_router.patch("/{pk}/lines/{line_id}", response={200: schemas.LineOut, 412: ErrorOut, **BODY_ERRORS},
                    operation_id="deal_line_update", summary="Change a line of a deal", openapi_extra=with_etag(200))
def line_update(request: HttpRequest, response: HttpResponse, pk: Id, line_id: Id, payload: schemas.LinePatch,
                if_match: str | None = Header(None, alias="If-Match")) -> Any:
    """Only the fields sent change; `"price": null` goes back to the catalog's price."""
    deal = _deal_for_lines(request, pk)
    line = lines.update_line(_line_of(deal, line_id), actor=request.user,
                             data=payload.model_dump(exclude_unset=True), expected_version=expected_version(if_match, deal))
    return _line_answer(response, deal.pk, line.pk)


@deals_router.delete("/{pk}/lines/{line_id}", response={204: None, 412: ErrorOut, **WRITE_ERRORS},
                     operation_id="deal_line_delete", summary="Take a product off a deal")
def line_delete(request: HttpRequest, pk: Id, line_id: Id, if_match: str | None = Header(None, alias="If-Match")) -> Any:
    deal = _deal_for_lines(request, pk)
    lines.delete_line(_line_of(deal, line_id), actor=request.user, expected_version=expected_version(if_match, deal))
    return Status(204, None)


pipelines_router = Router(tags=["Pipelines"])


@pipelines_router.get("", response={200: list[schemas.PipelineOut], 401: ErrorOut}, operation_id="pipeline_list",
                      summary="Pipelines with their stages")
def pipeline_list(request: HttpRequest) -> Any:
    return [schemas.pipeline_out(p) for p in Pipeline.objects.prefetch_related("stages")]
