"""Why a lead service refused, as codes (the message goes to the user; the code to tests and the API)."""

from __future__ import annotations

from enum import Enum


class LeadErrorCode(Enum):
    NOTHING_TO_REACH = "nothing_to_reach"
    CLOSED = "closed"
    TAKEN = "taken"
    REASON_REQUIRED = "reason_required"
    CLIENT_OF_ANOTHER = "client_of_another"
