"""Lead fixtures: the deals' pipeline (conversion needs one) and make_lead through the service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kartoteka.deals.tests import conftest as deal_fixtures
from kartoteka.leads.models import WebForm
from kartoteka.leads.webforms import save_web_form

# Conversion creates deals: the deal tests' pipeline ("Sales": qualification → meeting → proposal → won / lost).
pipeline = deal_fixtures.pipeline
stages = deal_fixtures.stages


@pytest.fixture
def make_lead(db: Any) -> Callable[..., Any]:
    from kartoteka.leads.services import create_lead

    counter = iter(range(10, 10_000))

    def make(actor: Any, **data: Any) -> Any:
        data.setdefault("name", f"Клиент {next(counter)}")
        data.setdefault("phone", f"+7 916 100-{next(counter):04d}"[:18])
        return create_lead(actor=actor, data=data)

    return make


@pytest.fixture
def web_form(admin: Any, owner: Any, pipeline: Any) -> WebForm:
    """Team A's site form: name (required), phone (required), e-mail, company, message."""
    return save_web_form(None, actor=admin, data={
        "name": "Сайт", "team": owner.team, "pipeline": pipeline, "success_message": "Спасибо!", "fields": [
            {"name": "name", "label": "Имя", "target": "name", "required": True},
            {"name": "phone", "label": "Телефон", "target": "phone", "required": True},
            {"name": "email", "label": "E-mail", "target": "email"},
            {"name": "company", "label": "Компания", "target": "company_name"},
            {"name": "message", "label": "Вопрос", "target": "message"},
        ]})
