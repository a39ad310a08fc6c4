"""Caller ID under /api/v1/lookup. No `from __future__ import annotations`: ninja reads the annotations."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router

from kartoteka.api.errors import ErrorOut
from kartoteka.api.schemas import Input
from kartoteka.search.queries import lookup_phone
from kartoteka.search.schemas import PhoneLookupOut, phone_lookup_out

lookup_router = Router(tags=["Lookup"])


class PhoneQuery(Input):
    number: str = Field(..., max_length=64, description="The number in any notation: +7 916 123-45-67, 89161234567…")


@lookup_router.get("/phone", response={200: PhoneLookupOut, 401: ErrorOut, 422: ErrorOut},
                   operation_id="lookup_phone", summary="Who is calling: records with this phone number")
def phone(request: HttpRequest, params: Query[PhoneQuery]) -> Any:
    """The contacts, companies and leads you may see with this number, their responsible users and the open
    deals of those contacts and companies. An unknown number answers an empty result, not an error."""
    return phone_lookup_out(lookup_phone(request.user, params.number))
