"""Duplicate check under /api/v1/duplicates. No `from __future__ import annotations`: ninja reads them."""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kartoteka.api.errors import ErrorOut
from kartoteka.api.schemas import Input, UserRef, user_ref
from kartoteka.dedupe.detection import duplicates_for

duplicates_router = Router(tags=["Duplicates"])


class DuplicateCheckIn(Input):
    entity: Literal["company", "contact"]
    name: str = Field("", max_length=255)
    inn: str = Field("", max_length=12)
    last_name: str = Field("", max_length=100)
    first_name: str = Field("", max_length=100)
    phones: list[str] = Field(default_factory=list, max_length=10)
    emails: list[str] = Field(default_factory=list, max_length=10)


class DuplicateOut(Schema):
    id: int | None = Field(..., description="null when you may not see the record")
    name: str | None = Field(..., description="null when you may not see the record")
    reasons: list[Literal["inn", "phone", "email", "name"]]
    exact: bool
    owner: UserRef


@duplicates_router.post("/check", response={200: list[DuplicateOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                            413: ErrorOut, 422: ErrorOut},
                        operation_id="duplicates_check", summary="Existing records a new one would duplicate")
def check(request: HttpRequest, body: DuplicateCheckIn) -> Any:
    """Before creating a company or contact: the living records with the same INN, phone or e-mail (`exact`) or
    a similar name, and their responsible. A record you may not see is named only by its responsible."""
    data = body.dict(exclude={"entity"})
    return [{"id": c.record.pk if visible else None, "name": str(c.record) if visible else None,
             "reasons": c.reasons, "exact": c.exact, "owner": user_ref(c.record.owner)}
            for c, visible in duplicates_for(request.user, body.entity, data)]
