"""One router factory for every audited entity: list, create, read, update, delete, restore, history.

No `from __future__ import annotations` here: ninja reads the endpoint annotations, which name the
schemas passed in.
"""

import re
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from kartoteka.api.errors import ErrorOut
from kartoteka.api.pagination import PageParams, page_of, paginate
from kartoteka.api.schemas import ChangeOut, Id, change_out
from kartoteka.audit.models import ObjectChange
from kartoteka.core.errors import ConflictError

ETAG = re.compile(r'^\s*(?:W/)?"(\d+)-(\d+)"\s*$')
# Every status an operation may answer is declared (the schemathesis gate in api/tests holds us to it).
# 403: the role may not, or (session only) the CSRF check failed; 413: a body over DATA_UPLOAD_MAX_MEMORY_SIZE;
# 400: a body that is not JSON.
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 413: ErrorOut}
BODY_ERRORS = {**WRITE_ERRORS, 400: ErrorOut}
# Response headers the OpenAPI schema promises (ninja has no place for them in `response=`).
WITH_ETAG = {"headers": {"ETag": {
    "description": 'The record\'s version, `"<id>-<version>"`: send it back as If-Match on PATCH/DELETE.',
    "required": True, "schema": {"type": "string"},
}}}


OPERATIONS = ("list", "create", "read", "update", "history", "delete", "restore")


def with_etag(status: int) -> dict[str, Any]:
    """`openapi_extra` of an operation whose `status` answer carries the record's ETag."""
    return {"responses": {status: WITH_ETAG}}


def expected_version(if_match: str | None, obj: Any) -> int | None:
    """The version named by If-Match; None without the header; a mismatch or garbage is a conflict."""
    if if_match is None:
        return None
    if if_match.strip() == "*":
        return None
    match = ETAG.match(if_match)
    if not match or int(match.group(1)) != obj.pk:
        raise ConflictError(obj.version)
    return int(match.group(2))


def crud_router(*, model: Any, entity: str, service: Any, out_schema: Any, in_schema: Any, patch_schema: Any,
                filter_schema: Any, filterset_class: Any, orderings: list[str], to_out: Any, related: tuple = (),
                prefetch: tuple = ("tags",), annotate: Any = None, operations: tuple[str, ...] = OPERATIONS) -> Router:
    """`annotate(queryset, user)` adds per-user annotations the output needs (e.g. related visibility).
    `operations` leaves out what the entity has not: shared reference data is deactivated, not deleted."""
    with translation.override("en"):  # the schema is English, whatever language the process started in
        name, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
    router = Router(tags=[plural.capitalize()])

    PageOut = page_of(out_schema, f"{model._meta.object_name}Page")  # noqa: N806 - a schema class
    HistoryPage = page_of(ChangeOut, f"{model._meta.object_name}HistoryPage")  # noqa: N806

    owner = ("owner",) if any(f.name == "owner" for f in model._meta.concrete_fields) else ()

    def visible(request: HttpRequest) -> Any:
        qs = model.objects.visible_to(request.user).select_related(*owner, *related).prefetch_related(*prefetch)
        return annotate(qs, request.user) if annotate else qs

    def get_visible(request: HttpRequest, pk: int) -> Any:
        return visible(request).get_or_404(pk)  # NotVisible: api/errors.py audits the denial

    def respond(response: HttpResponse, obj: Any) -> dict[str, Any]:
        response["ETag"] = obj.etag
        return to_out(obj)

    @router.get("", response={200: PageOut, 401: ErrorOut, 422: ErrorOut}, operation_id=f"{entity}_list",
                summary=f"List {plural}")
    def list_records(request: HttpRequest, filters: Query[filter_schema]) -> Any:  # type: ignore[valid-type]
        """Visible records only. `q` is a fragment search; `ordering` takes a field name, `-` for descending."""
        filterset = filterset_class(request.GET, queryset=visible(request), request=request)
        if not filterset.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in filterset.errors.items()})
        ordering = filters.ordering or orderings[0]
        if ordering not in orderings:  # lists both directions; "--name" would reach the ORM and fail with a 500
            raise ValidationError({"ordering": [
                _("Unknown ordering; use one of: %(orderings)s") % {"orderings": ", ".join(orderings)}
            ]})
        qs = filterset.qs.order_by(ordering, "-id" if ordering.startswith("-") else "id")
        page = paginate(qs, page=filters.page, page_size=filters.page_size)
        page["items"] = [to_out(obj) for obj in page["items"]]
        return page

    @router.post("", response={201: out_schema, **BODY_ERRORS}, operation_id=f"{entity}_create",
                 summary=f"Create a {name}", openapi_extra=with_etag(201))
    def create_record(request: HttpRequest, response: HttpResponse, payload: in_schema) -> Any:  # type: ignore[valid-type]
        obj = getattr(service, f"create_{entity}")(actor=request.user, data=payload.model_dump(exclude_unset=True))
        return Status(201, respond(response, get_visible(request, obj.pk)))

    @router.get("/{pk}", response={200: out_schema, **READ_ERRORS}, operation_id=f"{entity}_read",
                summary=f"Read a {name}", openapi_extra=with_etag(200))
    def read_record(request: HttpRequest, response: HttpResponse, pk: Id) -> Any:
        return respond(response, get_visible(request, pk))

    @router.patch("/{pk}", response={200: out_schema, 412: ErrorOut, **BODY_ERRORS},
                  operation_id=f"{entity}_update", summary=f"Change a {name}", openapi_extra=with_etag(200))
    def update_record(request: HttpRequest, response: HttpResponse, payload: patch_schema,  # type: ignore[valid-type]
                      pk: Id, if_match: str | None = Header(None, alias="If-Match")) -> Any:
        """Only the fields sent change. Send the ETag you read as If-Match to refuse (412) overwriting
        a change made since; without If-Match the last write wins."""
        obj = get_visible(request, pk)
        obj = getattr(service, f"update_{entity}")(
            obj, actor=request.user, data=payload.model_dump(exclude_unset=True),
            expected_version=expected_version(if_match, obj),
        )
        return respond(response, get_visible(request, obj.pk))

    @router.get("/{pk}/history", response={200: HistoryPage, **READ_ERRORS}, operation_id=f"{entity}_history",
                summary=f"Audit trail of a {name}")
    def record_history(request: HttpRequest, paging: Query[PageParams], pk: Id) -> Any:
        obj = model.objects.visible_to(request.user, include_deleted=True).get_or_404(pk)
        changes = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=obj.pk
        ).select_related("actor").order_by("-changed_at", "-id")
        result = paginate(changes, page=paging.page, page_size=paging.page_size)
        result["items"] = [change_out(c) for c in result["items"]]
        return result

    if "delete" in operations:
        @router.delete("/{pk}", response={204: None, 412: ErrorOut, **WRITE_ERRORS},
                       operation_id=f"{entity}_delete", summary=f"Move a {name} to the recycle bin")
        def delete_record(request: HttpRequest, pk: Id,
                          if_match: str | None = Header(None, alias="If-Match")) -> Any:
            obj = get_visible(request, pk)
            getattr(service, f"delete_{entity}")(obj, actor=request.user,
                                                 expected_version=expected_version(if_match, obj))
            return Status(204, None)

    if "restore" in operations:
        @router.post("/{pk}/restore", response={200: out_schema, **WRITE_ERRORS},
                     operation_id=f"{entity}_restore", summary=f"Restore a {name} from the recycle bin",
                     openapi_extra=with_etag(200))
        def restore_record(request: HttpRequest, response: HttpResponse, pk: Id) -> Any:
            obj = model.objects.visible_to(request.user, include_deleted=True).get_or_404(pk)
            obj = getattr(service, f"restore_{entity}")(obj, actor=request.user)
            return respond(response, get_visible(request, obj.pk))

    return router
