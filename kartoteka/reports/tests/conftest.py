from kartoteka.deals.tests import conftest as deal_fixtures

# The deal tests' pipeline ("Sales": qualification → meeting → proposal (needs amount) → won / lost).
pipeline = deal_fixtures.pipeline
stages = deal_fixtures.stages
too_expensive = deal_fixtures.too_expensive
make_deal = deal_fixtures.make_deal

from kartoteka.tasks.tests import conftest as task_fixtures  # noqa: E402 - after the deal fixtures

make_task = task_fixtures.make_task
