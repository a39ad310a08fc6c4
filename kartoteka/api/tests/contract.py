"""The schema under test and how schemathesis is set up for it, shared by the stateless and stateful gates.

The schema is the one the application serves at /api/v1/openapi.json, loaded through the WSGI application
in-process. Requests carry the seeded owner's Bearer token, set by an auth provider so that schemathesis
knows it and leaves it out (or breaks it) where it tests authentication. Path ids are drawn from the
seeded rows as well as at random, so reads and writes reach the 200 paths (own records), the 404 paths
(someone else's, deleted, non-existent) and the 412/422 paths of real rows.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.openapi.checks import UseAfterFree
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kartoteka.accounts.services import TOKEN_PREFIX
from kartoteka.api.schemas import MAX_ID
from kartoteka.wsgi import application

# Fuzzed cases per operation (schemathesis adds its coverage cases, ~100 per operation, on top): well over
# 2,000 requests in all on PostgreSQL, the run of record, and fewer on the SQLite pass of `make test`.
# FUZZ_EXAMPLES multiplies both (`make fuzz` sets it).
FUZZ_EXAMPLES = max(int(os.environ.get("FUZZ_EXAMPLES", "1")), 1)
PER_OPERATION = (80 if connection.vendor == "postgresql" else 15) * FUZZ_EXAMPLES
STATEFUL_RUNS = (25 if connection.vendor == "postgresql" else 5) * FUZZ_EXAMPLES

# Each example is a real request through middleware, services and SQL: no deadline, and no example
# database in the checkout.
GATE_SETTINGS = settings(
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)

# Excluded on purpose, and only this one: it expects every schema-valid request to succeed, while the
# services check what JSON Schema cannot say (INN checksums, phone numbers, references to records and
# users the caller may see, custom-field rules) and answer 422, as documented. All other checks run (one
# path is let off one check by design: see `filter_failure` below).
EXCLUDED_CHECKS = [positive_data_acceptance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# The owner's token is known before any test runs: schemathesis builds the cases of its coverage phase
# when it collects the test, before fixtures. The `base` fixture issues exactly this token.
OWNER_TOKEN = TOKEN_PREFIX + "contract-gate-owner"
# Ids of the seeded rows by collection, for the test being run (filled by the `base` fixture).
SEEDED: dict[str, list[int]] = {}


@schema.auth(refresh_interval=None)
class SeededOwnerToken:
    def get(self, case: Any, context: Any) -> str:
        return OWNER_TOKEN

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Besides a valid generated id, offer the ids of seeded rows (a valid id for a valid id: a negative
    case stays exactly as negative)."""
    pk = (path_parameters or {}).get("pk")
    ids = SEEDED.get(context.operation.path.split("/")[3])
    if not ids or not isinstance(pk, int) or isinstance(pk, bool) or not 1 <= pk <= MAX_ID:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, *({**path_parameters, "pk": i} for i in ids)])


@schema.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """The one designed exception to a check, and only this path: DELETE moves a record to the recycle bin,
    where its audit trail stays readable (docs/recycle-bin.md) and from where it is restored. A read, a change
    or a delete of the deleted record itself must still answer 404, and `use_after_free` checks that."""
    return not (isinstance(failure, UseAfterFree) and case.method == "GET" and case.path.endswith("/{pk}/history"))
