from __future__ import annotations

from typing import Any

import pytest

from kartoteka.conftest import make_user
from kartoteka.deals.tests import conftest as deal_fixtures
from kartoteka.tasks.tests import conftest as task_fixtures

pipeline = deal_fixtures.pipeline
stages = deal_fixtures.stages
make_deal = deal_fixtures.make_deal
make_task = task_fixtures.make_task


@pytest.fixture
def third(db: Any, head_a: Any) -> Any:
    """A third manager in Team A: a second receiver."""
    return make_user("third", "manager", ["Team A"])

