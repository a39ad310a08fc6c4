"""One router factory for every client-base entity: list, create, read, update, delete, restore, history.

No `from __future__ import annotations` here: ninja reads the endpoint annotations, which name the
schemas passed in.
"""

import re
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema, Status

from kartoteka.api.errors import ErrorOut
from kartoteka.api.pagination import paginate
from kartoteka.api.schemas import ChangeOut, change_out
from kartoteka.audit.models import ObjectChange
from kartoteka.core.errors import ConflictError

ETAG = re.compile(r'^\s*(?:W/)?"(\d+)-(\d+)"\s*$')
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


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
                prefetch: tuple = ("tags",), annotate: Any = None) -> Router:
    """`annotate(queryset, user)` adds per-user annotations the output needs (e.g. related visibility)."""
    plural = model._meta.verbose_name_plural
    router = Router(tags=[str(model._meta.object_name) + "s"])

    class PageOut(Schema):
        items: list[out_schema]  # type: ignore[valid-type]
        page: int
        page_size: int
        has_next: bool
        count: int
        count_is_capped: bool
        count_cap: int

    PageOut.__name__ = f"{model._meta.object_name}Page"

    class HistoryPage(Schema):
        items: list[ChangeOut]
        page: int
        page_size: int
        has_next: bool
        count: int
        count_is_capped: bool
        count_cap: int

    HistoryPage.__name__ = f"{model._meta.object_name}HistoryPage"

    def visible(request: HttpRequest) -> Any:
        qs = model.objects.visible_to(request.user).select_related("owner", *related).prefetch_related(*prefetch)
        return annotate(qs, request.user) if annotate else qs

    def get_visible(request: HttpRequest, pk: int) -> Any:
        return get_object_or_404(visible(request), pk=pk)

    def respond(response: HttpResponse, obj: Any) -> dict[str, Any]:
        response["ETag"] = obj.etag
        return to_out(obj)

    @router.get("", response={200: PageOut, **ERRORS}, operation_id=f"{entity}_list", summary=f"List {plural}")
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

    @router.post("", response={201: out_schema, 403: ErrorOut, **ERRORS}, operation_id=f"{entity}_create", summary=f"Create a {model._meta.verbose_name}")
    def create_record(request: HttpRequest, response: HttpResponse, payload: in_schema) -> Any:  # type: ignore[valid-type]
        obj = getattr(service, f"create_{entity}")(actor=request.user, data=payload.model_dump(exclude_unset=True))
        return Status(201, respond(response, get_visible(request, obj.pk)))

    @router.get("/{int:pk}", response={200: out_schema, **ERRORS}, operation_id=f"{entity}_read", summary=f"Read a {model._meta.verbose_name}")
    def read_record(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
        return respond(response, get_visible(request, pk))

    @router.patch("/{int:pk}", response={200: out_schema, 403: ErrorOut, 412: ErrorOut, **ERRORS},
                  operation_id=f"{entity}_update", summary=f"Change a {model._meta.verbose_name}")
    def update_record(request: HttpRequest, response: HttpResponse, pk: int, payload: patch_schema,  # type: ignore[valid-type]
                      if_match: str | None = Header(None, alias="If-Match")) -> Any:
        """Only the fields sent change. Send the ETag you read as If-Match to refuse (412) overwriting
        a change made since; without If-Match the last write wins."""
        obj = get_visible(request, pk)
        obj = getattr(service, f"update_{entity}")(
            obj, actor=request.user, data=payload.model_dump(exclude_unset=True),
            expected_version=expected_version(if_match, obj),
        )
        return respond(response, get_visible(request, obj.pk))

    @router.delete("/{int:pk}", response={204: None, 403: ErrorOut, 412: ErrorOut, **ERRORS},
                   operation_id=f"{entity}_delete", summary=f"Move a {model._meta.verbose_name} to the recycle bin")
    def delete_record(request: HttpRequest, pk: int, if_match: str | None = Header(None, alias="If-Match")) -> Any:
        obj = get_visible(request, pk)
        getattr(service, f"delete_{entity}")(obj, actor=request.user, expected_version=expected_version(if_match, obj))
        return Status(204, None)

    @router.post("/{int:pk}/restore", response={200: out_schema, 403: ErrorOut, **ERRORS},
                 operation_id=f"{entity}_restore", summary=f"Restore a {model._meta.verbose_name} from the recycle bin")
    def restore_record(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
        obj = get_object_or_404(model.objects.visible_to(request.user, include_deleted=True), pk=pk)
        obj = getattr(service, f"restore_{entity}")(obj, actor=request.user)
        return respond(response, get_visible(request, obj.pk))

    @router.get("/{int:pk}/history", response={200: HistoryPage, **ERRORS}, operation_id=f"{entity}_history", summary="Audit trail of the record")
    def record_history(request: HttpRequest, pk: int, page: int = 1, page_size: int = 50) -> Any:
        obj = get_object_or_404(model.objects.visible_to(request.user, include_deleted=True), pk=pk)
        changes = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=obj.pk
        ).select_related("actor").order_by("-changed_at", "-id")
        result = paginate(changes, page=page, page_size=page_size)
        result["items"] = [change_out(c) for c in result["items"]]
        return result

    return router
