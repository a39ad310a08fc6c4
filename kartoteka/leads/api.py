"""Leads and web forms under /api/v1: the generic CRUD router plus take / assign / disqualify / convert.

No `from __future__ import annotations` here: ninja reads the endpoint annotations.
"""

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Header, Router

from kartoteka.accounts import permissions
from kartoteka.api.crud import BODY_ERRORS, WRITE_ERRORS, crud_router, expected_version, with_etag
from kartoteka.api.errors import ErrorOut
from kartoteka.api.schemas import Id
from kartoteka.contacts.models import Company, Contact
from kartoteka.deals.models import Deal
from kartoteka.leads import schemas, services
from kartoteka.leads.filters import LeadFilterSet
from kartoteka.leads.models import Lead, WebForm


def _for_user(qs: Any, user: Any) -> Any:
    """Annotate whether the caller may see each linked contact, company and deal (one EXISTS each)."""
    return qs.annotate(
        contact_visible=Exists(Contact.objects.visible_to(user).filter(pk=OuterRef("contact_id"))),
        company_visible=Exists(Company.objects.visible_to(user).filter(pk=OuterRef("company_id"))),
        deal_visible=Exists(Deal.objects.visible_to(user).filter(pk=OuterRef("deal_id"))),
    )


leads_router = crud_router(
    model=Lead, entity="lead", service=services, out_schema=schemas.LeadOut, in_schema=schemas.LeadIn,
    patch_schema=schemas.LeadPatch, filter_schema=schemas.LeadFilters, filterset_class=LeadFilterSet,
    orderings=schemas.ORDERINGS, to_out=schemas.lead_out, related=("team", "web_form"), annotate=_for_user,
)


def _visible(request: HttpRequest, pk: Id) -> Lead:
    qs = Lead.objects.visible_to(request.user).select_related("owner", "team", "web_form").prefetch_related("tags")
    return _for_user(qs, request.user).get_or_404(pk)


def _respond(request: HttpRequest, response: HttpResponse, lead: Lead) -> dict[str, Any]:
    fresh = _visible(request, lead.pk)
    response["ETag"] = fresh.etag
    return schemas.lead_out(fresh)


@leads_router.post("/{pk}/take", response={200: schemas.LeadOut, 412: ErrorOut, **WRITE_ERRORS},
                   operation_id="lead_take", summary="Take a lead into work", openapi_extra=with_etag(200))
def take(request: HttpRequest, response: HttpResponse, pk: Id,
         if_match: str | None = Header(None, alias="If-Match")) -> Any:
    """From the team's inbox the caller becomes responsible; 422 `taken` if a colleague was first."""
    lead = _visible(request, pk)
    lead = services.take_lead(lead, actor=request.user, expected_version=expected_version(if_match, lead))
    return _respond(request, response, lead)


@leads_router.post("/{pk}/assign", response={200: schemas.LeadOut, 412: ErrorOut, **BODY_ERRORS},
                   operation_id="lead_assign", summary="Give a lead to a user (heads and admins)",
                   openapi_extra=with_etag(200))
def assign(request: HttpRequest, response: HttpResponse, pk: Id, payload: schemas.AssignIn,
           if_match: str | None = Header(None, alias="If-Match")) -> Any:
    lead = _visible(request, pk)
    lead = services.assign_lead(lead, actor=request.user, owner=payload.owner, reason=payload.reason,
                                expected_version=expected_version(if_match, lead))
    return _respond(request, response, lead)


@leads_router.post("/{pk}/disqualify", response={200: schemas.LeadOut, 412: ErrorOut, **BODY_ERRORS},
                   operation_id="lead_disqualify", summary="Close a lead as not a sale, with the reason",
                   openapi_extra=with_etag(200))
def disqualify(request: HttpRequest, response: HttpResponse, pk: Id, payload: schemas.DisqualifyIn,
               if_match: str | None = Header(None, alias="If-Match")) -> Any:
    lead = _visible(request, pk)
    lead = services.disqualify_lead(lead, actor=request.user, reason=payload.reason,
                                    expected_version=expected_version(if_match, lead))
    return _respond(request, response, lead)


@leads_router.post("/{pk}/convert", response={200: schemas.LeadOut, 412: ErrorOut, **BODY_ERRORS},
                   operation_id="lead_convert", summary="Convert a lead into a contact, a company and a deal",
                   openapi_extra=with_etag(200))
def convert(request: HttpRequest, response: HttpResponse, pk: Id, payload: schemas.ConvertIn,
            if_match: str | None = Header(None, alias="If-Match")) -> Any:
    """Links the existing contact and company when the phone, e-mail or INN is known; 422
    `client_of_another` when that client belongs to someone the caller cannot see."""
    lead = _visible(request, pk)
    deal = payload.model_dump(exclude={"create_deal"}, exclude_none=True)
    lead = services.convert_lead(lead, actor=request.user, create_deal=payload.create_deal, deal=deal,
                                 expected_version=expected_version(if_match, lead))
    return _respond(request, response, lead)


web_forms_router = Router(tags=["Web forms"])


def _endpoint(request: HttpRequest, form: WebForm) -> str:
    return request.build_absolute_uri(reverse("leads:webform_submit", args=[form.key]))


@web_forms_router.get("", response={200: list[schemas.WebFormOut], 401: ErrorOut, 404: ErrorOut},
                      operation_id="webform_list", summary="Web forms and their endpoints (administrators)")
def web_form_list(request: HttpRequest) -> Any:
    if not permissions.can_manage_settings(request.user):
        raise Http404
    return [schemas.web_form_out(f, _endpoint(request, f)) for f in WebForm.objects.all()[:200]]


@web_forms_router.get("/{pk}", response={200: schemas.WebFormOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
                      operation_id="webform_read", summary="A web form (administrators)")
def web_form_read(request: HttpRequest, pk: Id) -> Any:
    if not permissions.can_manage_settings(request.user):
        raise Http404
    form = get_object_or_404(WebForm, pk=pk)
    return schemas.web_form_out(form, _endpoint(request, form))
