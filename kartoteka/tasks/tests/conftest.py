"""Task fixtures: make_task through the service, and the call results of the demo."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from kartoteka.activities.models import CallResult


@pytest.fixture
def make_task(db: Any) -> Callable[..., Any]:
    from kartoteka.tasks.services import create_task

    counter = iter(range(1, 10_000))

    def make(actor: Any, **data: Any) -> Any:
        data.setdefault("title", f"Позвонить {next(counter)}")
        data.setdefault("due_at", timezone.now() + datetime.timedelta(hours=2))
        return create_task(actor=actor, data=data)

    return make


@pytest.fixture
def call_back(db: Any) -> CallResult:
    CallResult.objects.create(name="Reached", position=10)
    return CallResult.objects.create(name="Call back", position=20, follow_up=True)
