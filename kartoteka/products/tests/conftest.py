"""Catalog fixtures: `make_product` is the root conftest's; deals come from the deals app's fixtures."""

from kartoteka.deals.tests.conftest import make_deal, pipeline  # noqa: F401 - fixtures used by the card's tests
