"""The leads' rows of the access matrix (kartoteka/core/tests/test_route_matrix.py merges them in).

The lead under test belongs to `owner` (Team A), like the matrix's other records; the web form and the
absence are settings objects. `m` is the matrix module, passed in so that these rows use its helpers.
"""

from __future__ import annotations

from typing import Any

from kartoteka.leads.models import Absence, Lead, TeamDistribution, WebForm

LEAD_CHANGERS = frozenset({"owner", "head_a", "admin"})
TEAM_A_MANAGERS = frozenset({"head_a", "admin"})
HEADS = frozenset({"head_a", "head_b", "admin"})


def lead_pk(w: Any) -> list[Any]:
    return [w.lead.pk]


def lead_form(w: Any) -> dict[str, Any]:
    lead = Lead.objects.get(pk=w.lead.pk)
    return {"name": "Лид-Переименованный", "phone": lead.phone, "source": lead.source, "owner": lead.owner_id,
            "version": lead.version, "tags": ""}


def html_routes(m: Any) -> dict[str, Any]:
    Route, Probe, html, everyone = m.Route, m.Probe, m.html, m.everyone  # noqa: N806 - the matrix's classes
    state = m.record_state(Lead, lambda w: w.lead.pk)
    return {
        **m.entity_routes("lead", Lead, lead_pk, lead_form, state, ("name", "Лид-Ячейка"), app="leads"),
        "leads:inbox": Route({"GET": Probe(html(200)), "POST": Probe(html(405))}),
        # A teammate (who may have seen the lead in the team's inbox) is told who took it; nothing changes.
        "leads:lead_take": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, LEAD_CHANGERS | {"colleague"}), state=state, changed_by=LEAD_CHANGERS),
        }, args=lead_pk),
        # Who sees the lead but may not assign is sent back with a message; only heads and admins assign.
        "leads:lead_assign": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, m.SEERS), data=lambda w, role: {"owner": w.users["colleague"].pk, "reason": "отпуск"},
                          state=state, changed_by=TEAM_A_MANAGERS),
        }, args=lead_pk),
        "leads:lead_disqualify": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, LEAD_CHANGERS), data=lambda w, role: {"disqualify_reason": "Спам"}, state=state,
                          changed_by=LEAD_CHANGERS),
        }, args=lead_pk),
        "leads:lead_convert": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, LEAD_CHANGERS), data=lambda w, role: {"create_deal": "on"}, state=state,
                          changed_by=LEAD_CHANGERS),
        }, args=lead_pk),
        # The public endpoint: anyone, signed in or not, may send a form; nothing else.
        "leads:webform_submit": Route({
            "GET": Probe(everyone(405)),
            "POST": Probe(everyone(200), data=lambda w, role: {"phone": "+7 916 555-00-13", "name": "Сайт"},
                          state=lambda w: Lead.objects.count(), changed_by=frozenset(m.ROLES)),
        }, args=lambda w: [w.web_form.key]),
        "leads:webform_list": Route({"GET": Probe(html(200, m.ADMINS)), "POST": Probe(html(405))}),
        "leads:webform_create": Route({
            "GET": Probe(html(200, m.ADMINS)),
            "POST": Probe(html(302, m.ADMINS), data=lambda w, role: webform_post("Новая форма"),
                          state=lambda w: WebForm.objects.count(), changed_by=m.ADMINS),
        }),
        "leads:webform_edit": Route({
            "GET": Probe(html(200, m.ADMINS)),
            "POST": Probe(html(302, m.ADMINS), data=lambda w, role: webform_post("Сайт-2"),
                          state=lambda w: WebForm.objects.get(pk=w.web_form.pk).name, changed_by=m.ADMINS),
        }, args=lambda w: [w.web_form.pk]),
        "leads:distribution": Route({"GET": Probe(html(200, HEADS)), "POST": Probe(html(405))}),
        "leads:distribution_save": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, TEAM_A_MANAGERS), data=lambda w, role: {
                f"t{w.users['owner'].team_id}-rule": "pool", f"t{w.users['owner'].team_id}-capacity": "5"},
                state=lambda w: list(TeamDistribution.objects.values_list("rule", "capacity")),
                changed_by=TEAM_A_MANAGERS),
        }, args=lambda w: [w.users["owner"].team_id]),
        # A form naming someone outside the actor's teams is refused with a message (302), nothing saved.
        "leads:absence_add": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302), data=lambda w, role: {
                "a-user": w.users["owner"].pk, "a-kind": "sick", "a-starts_on": "2026-02-01", "a-ends_on": "2026-02-03"},
                state=lambda w: Absence.objects.count(), changed_by=TEAM_A_MANAGERS),
        }),
        "leads:absence_delete": Route({
            "GET": Probe(html(405)),
            "POST": Probe(html(302, TEAM_A_MANAGERS), state=lambda w: Absence.objects.count(),
                          changed_by=TEAM_A_MANAGERS),
        }, args=lambda w: [w.absence.pk]),
    }


def webform_post(name: str) -> dict[str, Any]:
    return {"name": name, "active": "on", "success_message": "Спасибо!",
            "f-TOTAL_FORMS": "2", "f-INITIAL_FORMS": "0", "f-MIN_NUM_FORMS": "0", "f-MAX_NUM_FORMS": "20",
            "f-0-name": "phone", "f-0-target": "phone", "f-0-required": "on", "f-1-name": "", "f-1-target": ""}


def api_operations(m: Any) -> dict[str, Any]:
    Route, Probe, api_expect = m.Route, m.Probe, m.api_expect  # noqa: N806
    state = m.record_state(Lead, lambda w: w.lead.pk)
    return {
        "lead_list": Route({"GET": Probe(api_expect(200))}),
        "lead_create": Route({"POST": Probe(
            api_expect(201, m.CREATORS, forbidden={"viewer"}), data=lambda w, role: {"name": "Олег", "phone": "89165550014"},
            state=lambda w: Lead.objects.count(), changed_by=m.CREATORS)}),
        "lead_read": Route({"GET": Probe(api_expect(200, m.SEERS))}, args=lead_pk),
        "lead_update": Route({"PATCH": Probe(
            api_expect(200, LEAD_CHANGERS, forbidden={"viewer"}), data=lambda w, role: {"name": "Лид-Новый"},
            state=state, changed_by=LEAD_CHANGERS)}, args=lead_pk),
        "lead_delete": Route({"DELETE": Probe(
            api_expect(204, LEAD_CHANGERS, forbidden={"viewer"}), state=state, changed_by=LEAD_CHANGERS)}, args=lead_pk),
        "lead_restore": Route({"POST": Probe(
            api_expect(200, m.RESTORERS, forbidden={"viewer", "owner"}), state=state, changed_by=m.RESTORERS)},
            args=lead_pk, setup=m.delete_records),
        "lead_history": Route({"GET": Probe(api_expect(200, m.SEERS))}, args=lead_pk),
        "lead_take": Route({"POST": Probe(
            api_expect(200, LEAD_CHANGERS, forbidden={"viewer"}), state=state, changed_by=LEAD_CHANGERS)},
            args=lead_pk),
        "lead_assign": Route({"POST": Probe(
            api_expect(200, TEAM_A_MANAGERS, forbidden={"viewer", "owner"}),
            data=lambda w, role: {"owner": w.users["colleague"].pk}, state=state, changed_by=TEAM_A_MANAGERS)},
            args=lead_pk),
        "lead_disqualify": Route({"POST": Probe(
            api_expect(200, LEAD_CHANGERS, forbidden={"viewer"}), data=lambda w, role: {"reason": "Спам"}, state=state,
            changed_by=LEAD_CHANGERS)}, args=lead_pk),
        "lead_convert": Route({"POST": Probe(
            api_expect(200, LEAD_CHANGERS, forbidden={"viewer"}), data=lambda w, role: {}, state=state,
            changed_by=LEAD_CHANGERS)}, args=lead_pk),
        "webform_list": Route({"GET": Probe(api_expect(200, m.ADMINS))}),
        "webform_read": Route({"GET": Probe(api_expect(200, m.ADMINS))}, args=lambda w: [w.web_form.pk]),
    }
