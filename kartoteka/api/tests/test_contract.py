"""The API keeps the contract it publishes at /api/v1/openapi.json (SECURITY.md G6).

schemathesis generates requests for every operation of the schema the application serves, valid ones and
invalid ones, sends them in-process through the whole WSGI stack as a manager with records of her own
(see contract.py), and checks each response: no 5xx; only documented status codes, content types and
headers; bodies that match the response schema; invalid input refused; nothing answered without
credentials.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings

from kartoteka.api.tests.conftest import Base, rolled_back
from kartoteka.api.tests.contract import EXCLUDED_CHECKS, GATE_SETTINGS, PER_OPERATION, schema


@schema.parametrize()
@settings(GATE_SETTINGS, max_examples=PER_OPERATION)
def test_operation_keeps_its_contract(case: Any, base: Base, count_case: Any) -> None:
    with rolled_back():
        response = case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)
    count_case("stateless", response.status_code)
