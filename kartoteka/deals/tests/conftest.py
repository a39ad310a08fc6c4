"""Deal fixtures: one pipeline with the demo's stages, lost reasons, and make_deal going through the service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kartoteka.deals.choices import StageKind
from kartoteka.deals.models import LostReason, Pipeline, Stage


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    """"Sales": qualification → meeting → proposal (needs amount) → won / lost."""
    pipeline = Pipeline.objects.create(name="Sales", position=10)
    for position, (name, probability, kind, required) in enumerate([
        ("Qualification", 10, StageKind.OPEN, []),
        ("Meeting", 30, StageKind.OPEN, []),
        ("Proposal", 50, StageKind.OPEN, ["amount"]),
        ("Won", 100, StageKind.WON, []),
        ("Lost", 0, StageKind.LOST, []),
    ], start=1):
        Stage.objects.create(pipeline=pipeline, name=name, position=position * 10, probability=probability, kind=kind,
                             required_fields=required, rotting_days=7 if kind == StageKind.OPEN else None,
                             checklist="Call the client\nSend the deck" if name == "Meeting" else "")
    return pipeline


@pytest.fixture
def stages(pipeline: Pipeline) -> dict[str, Stage]:
    return {s.name.lower(): s for s in pipeline.stages.all()}


@pytest.fixture
def too_expensive(db: Any) -> LostReason:
    return LostReason.objects.create(name="Too expensive", position=10)


@pytest.fixture
def lathe(make_product: Callable[..., Any]) -> Any:
    """A catalog product: 150 000 RUB, 2 on hand, 45 days to get more."""
    return make_product(sku="ST-16K", name="Станок токарный", price="150000", stock="2", lead_time_days=45)


@pytest.fixture
def make_deal(pipeline: Pipeline) -> Callable[..., Any]:
    from kartoteka.deals.services import create_deal

    counter = iter(range(1, 10_000))

    def make(owner: Any, **data: Any) -> Any:
        data.setdefault("title", f"Поставка {next(counter)}")
        data.setdefault("pipeline", pipeline.pk)
        return create_deal(actor=owner, data=data)

    return make
