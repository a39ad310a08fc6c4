"""Object-level authorization, driven by schemathesis' stateful testing (SECURITY.md G1/G5, API1 BOLA).

schemathesis chains the operations along the links it infers from the schema (POST /companies → 201 →
GET/PATCH/DELETE /companies/{pk}, /history, /restore, ...) and sends each step as `owner`, a manager of
Team A, checking every response like the stateless gate does. After every step that answers a record of
hers, a manager of Team B probes that record with GET, PATCH (the step's generated body), DELETE, history
and restore, and must get 404 with the error body each time, leave the record exactly as it was, and not
find it in his lists.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.db import transaction
from hypothesis import settings
from werkzeug.test import Client as WsgiClient

from kartoteka.api.tests.conftest import Base
from kartoteka.api.tests.contract import EXCLUDED_CHECKS, GATE_SETTINGS, STATEFUL_RUNS, schema
from kartoteka.wsgi import application

NOT_FOUND = {"detail": "Not found.", "errors": {}}


class TwoManagers(schema.as_state_machine()):  # type: ignore[misc]
    base: ClassVar[Base]
    count: ClassVar[Any]

    def setup(self) -> None:
        """Each scenario starts from the seeded base and is undone at its end (see conftest.rolled_back):
        links draw ids from earlier answers, and a replay must see the same rows to draw the same steps."""
        self.scenario = transaction.atomic()
        self.scenario.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.scenario.__exit__(None, None, None)

    def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
        self.count("stateful steps", response.status_code)
        case.validate_response(response, additional_checks=additional_checks, excluded_checks=EXCLUDED_CHECKS,
                               headers=kwargs.get("headers"), transport_kwargs=kwargs or None,
                               recorder=getattr(self, "recorder", None))

    def after_call(self, response: Any, case: Any) -> None:
        super().after_call(response, case)
        record = _record(response)
        collection, *rest = case.path.split("/")[3:]
        # Owned records only: the product catalog is read by everyone, and a deal line (whose answer carries
        # the deal's ETag) is probed through its deal in deals/tests/test_lines_api.py.
        if record is not None and collection in MODELS and "lines" not in rest:
            self.probe_as_stranger(case, collection=collection, pk=record["id"])

    def probe_as_stranger(self, case: Any, *, collection: str, pk: int) -> None:
        model = _model(collection)
        before = _state(model, pk)
        body = case.body if isinstance(case.body, dict) else {}
        client = WsgiClient(application)
        headers = {**self.base.stranger_headers, "Accept-Language": "en"}
        url = f"/api/v1/{collection}/{pk}"
        probes = [("GET", url, None), ("GET", f"{url}/history", None), ("PATCH", url, body),
                  ("DELETE", url, None), ("POST", f"{url}/restore", None)]
        for method, path, payload in probes:
            answer = client.open(path, method=method, headers=headers,
                                 data=None if payload is None else json.dumps(payload), content_type="application/json")
            self.count("stranger probes", answer.status_code)
            assert (answer.status_code, answer.get_json()) == (404, NOT_FOUND), f"{method} {path} as a stranger"
        listed = client.get(f"/api/v1/{collection}", query_string={"page_size": 100}, headers=headers)
        self.count("stranger probes", listed.status_code)
        assert pk not in {item["id"] for item in listed.get_json()["items"]}, f"{collection} {pk} listed for a stranger"
        assert _state(model, pk) == before, f"{collection} {pk} changed by a stranger's requests"


def _record(response: Any) -> dict[str, Any] | None:
    """The record a successful single-record answer carries (lists and history pages are not records)."""
    if not 200 <= response.status_code < 300 or "etag" not in response.headers:  # lowercase keys
        return None
    body = response.json()
    return body if isinstance(body, dict) and "id" in body else None


MODELS = {"companies": "contacts.Company", "contacts": "contacts.Contact", "deals": "deals.Deal",  # owned records
          "leads": "leads.Lead", "tasks": "tasks.Task"}


def _model(collection: str) -> Any:
    from django.apps import apps

    return apps.get_model(MODELS[collection])  # a new collection of records must be added here to be probed


def _state(model: Any, pk: int) -> dict[str, Any]:
    row = model.objects.get(pk=pk)
    return {**row.audit_snapshot(), "version": row.version, "deleted_at": row.deleted_at}


def test_records_of_one_manager_are_not_found_by_another(base: Base, count_case: Any) -> None:
    TwoManagers.base = base
    TwoManagers.count = staticmethod(count_case)
    TwoManagers.run(settings=settings(GATE_SETTINGS, max_examples=STATEFUL_RUNS, stateful_step_count=8))
