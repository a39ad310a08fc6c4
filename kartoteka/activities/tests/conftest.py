from kartoteka.deals.tests.conftest import make_deal, pipeline  # noqa: F401 - shared fixtures
from kartoteka.tasks.tests.conftest import call_back, make_task  # noqa: F401
