"""The kanban in a real browser: drag a deal to another column; a move the stage rules refuse snaps back.

Debian chromium via pytest-playwright (see kartoteka/conftest.py), against pytest-django's live server.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kartoteka.conftest import PASSWORD
from kartoteka.deals.models import Deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server: Any, user: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next=/companies/")  # managers would start on My day
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url("**/companies/")


def test_dragging_a_deal_to_another_column_moves_it_and_the_card_shows_the_stage(
        page: Page, live_server: Any, owner: Any, make_deal: Any, pipeline: Any, stages: Any) -> None:
    deal = make_deal(owner, title="Поставка станков", amount=1000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/deals/board/{pipeline.pk}/")
    card = page.get_by_test_id(f"deal-{deal.pk}")
    meeting = page.get_by_test_id(f"column-{stages['meeting'].pk}")

    card.drag_to(meeting)

    expect(meeting.locator(f"[data-testid=deal-{deal.pk}]")).to_have_count(1)
    expect(meeting.locator("[data-count]")).to_have_text("1")
    expect(card).not_to_have_class("deal-card saving")
    assert Deal.objects.get(pk=deal.pk).stage == stages["meeting"]
    page.reload()
    expect(meeting.locator(f"[data-testid=deal-{deal.pk}]")).to_have_count(1)
    card.locator("a.deal-title").click()
    expect(page.get_by_test_id("deal-stage")).to_have_text("Meeting")
    assert problems == []


def test_a_refused_move_snaps_back_and_shows_the_message(
        page: Page, live_server: Any, owner: Any, make_deal: Any, pipeline: Any, stages: Any) -> None:
    deal = make_deal(owner, title="Без суммы")
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/deals/board/{pipeline.pk}/")
    card = page.get_by_test_id(f"deal-{deal.pk}")
    qualification = page.get_by_test_id(f"column-{stages['qualification'].pk}")
    proposal = page.get_by_test_id(f"column-{stages['proposal'].pk}")

    card.drag_to(proposal)

    expect(page.get_by_test_id("board-message")).to_have_text("Amount is required to enter the stage “Proposal”.")
    expect(qualification.locator(f"[data-testid=deal-{deal.pk}]")).to_have_count(1)
    expect(proposal.locator(".deal-card")).to_have_count(0)
    expect(qualification.locator("[data-count]")).to_have_text("1")
    expect(proposal.locator("[data-count]")).to_have_text("0")
    assert Deal.objects.get(pk=deal.pk).stage == stages["qualification"]
