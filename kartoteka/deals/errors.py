"""Why a deal service refused, as codes (the message goes to the user; the code to tests and the API)."""

from __future__ import annotations

from enum import Enum


class DealErrorCode(Enum):
    REQUIRED_FOR_STAGE = "required_for_stage"
    LOST_REASON_REQUIRED = "lost_reason_required"
    NO_CLOSING_STAGE = "no_closing_stage"
    STAGE_NOT_EMPTY = "stage_not_empty"
    LAST_STAGE = "last_stage"
    PIPELINE_NOT_EMPTY = "pipeline_not_empty"
    AMOUNT_FROM_LINES = "amount_from_lines"
