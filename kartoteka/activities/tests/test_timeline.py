"""The card timeline (audit changes and notes, newest first, paged by time) and notes on it."""

import pytest
from django.core.exceptions import ValidationError

from kartoteka.activities.models import Activity
from kartoteka.activities.services import MAX_NOTE_LENGTH, add_note
from kartoteka.activities.timeline import timeline_for
from kartoteka.contacts.models import Company
from kartoteka.contacts.services import delete_company, update_company, update_contact
from kartoteka.core.errors import AccessDenied


def describe(page):
    """Each entry as (kind, what): the changed field names of a change, the text of a note."""
    return [
        (e.kind, e.activity.body if e.activity else ",".join(name for name, _b, _a in e.fields) or e.change.action)
        for e in page.entries
    ]


def all_pages(record, *, limit, kinds=None):
    pages = [timeline_for(record, limit=limit, kinds=kinds)]
    while pages[-1].next_cursor:
        pages.append(timeline_for(record, cursor=pages[-1].next_cursor, limit=limit, kinds=kinds))
    return pages


@pytest.fixture
def company_with_history(owner, make_company):
    """created → note 1 → renamed → note 2 → industry set → note 3 (oldest to newest)."""
    company = make_company(owner, name="ООО Ромашка")
    add_note(company, actor=owner, body="Первый звонок")
    update_company(company, actor=owner, data={"name": "ООО Лютик"})
    add_note(company, actor=owner, body="Выслали КП")
    update_company(company, actor=owner, data={"industry": "Ритейл"})
    add_note(company, actor=owner, body="Договор подписан")
    return company


def test_changes_and_notes_are_merged_newest_first(company_with_history):
    page = timeline_for(company_with_history)

    assert describe(page)[:5] == [
        ("note", "Договор подписан"),
        ("change", "industry"),
        ("note", "Выслали КП"),
        ("change", "name"),
        ("note", "Первый звонок"),
    ]
    assert (page.entries[5].kind, page.entries[5].change.action) == ("change", "create")
    assert len(page.entries) == 6
    assert page.next_cursor is None


def test_entries_are_in_time_order(company_with_history):
    times = [e.at for e in timeline_for(company_with_history).entries]

    assert times == sorted(times, reverse=True)


def test_change_entry_lists_field_before_and_after(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")
    update_company(company, actor=owner, data={"name": "ООО Лютик"})

    entry = timeline_for(company).entries[0]

    assert (entry.kind, entry.actor, entry.fields) == ("change", "owner", [("name", "ООО Ромашка", "ООО Лютик")])


def test_delete_entry_is_a_change_without_field_list(owner, make_company):
    company = delete_company(make_company(owner), actor=owner)

    entry = timeline_for(company).entries[0]

    assert (entry.kind, entry.change.action, entry.fields) == ("change", "delete", [])


def test_note_entry_names_its_author(head_a, owner, make_company):
    company = make_company(owner)
    add_note(company, actor=head_a, body="Проверить оплату")

    entry = timeline_for(company).entries[0]

    assert (entry.kind, entry.actor, entry.activity.body) == ("note", "head_a", "Проверить оплату")


@pytest.mark.parametrize("limit", [1, 2, 4, 5])
def test_pages_cover_the_history_without_duplicates_or_gaps(company_with_history, limit):
    # given the whole history on one page
    everything = [(e.kind, e.change.pk if e.change else e.activity.pk) for e in timeline_for(company_with_history).entries]

    # when it is read page by page
    pages = all_pages(company_with_history, limit=limit)

    # then
    paged = [(e.kind, e.change.pk if e.change else e.activity.pk) for p in pages for e in p.entries]
    assert paged == everything
    assert all(len(p.entries) == limit for p in pages[:-1])


def test_next_page_holds_only_older_entries(company_with_history):
    first = timeline_for(company_with_history, limit=2)

    second = timeline_for(company_with_history, cursor=first.next_cursor, limit=2)

    assert describe(first) == [("note", "Договор подписан"), ("change", "industry")]
    assert describe(second) == [("note", "Выслали КП"), ("change", "name")]
    assert max(e.at for e in second.entries) < min(e.at for e in first.entries)


def test_last_page_has_no_cursor(company_with_history):
    assert timeline_for(company_with_history, limit=6).next_cursor is None
    assert timeline_for(company_with_history, limit=5).next_cursor is not None


def test_kind_filter_shows_only_changes(company_with_history):
    page = timeline_for(company_with_history, kinds={"change"})

    assert [kind for kind, _what in describe(page)] == ["change"] * 3


def test_kind_filter_shows_only_notes(company_with_history):
    page = timeline_for(company_with_history, kinds={"note"})

    assert describe(page) == [("note", "Договор подписан"), ("note", "Выслали КП"), ("note", "Первый звонок")]


def test_kind_filter_pages_within_the_kind(company_with_history):
    pages = all_pages(company_with_history, limit=2, kinds={"note"})

    assert [describe(p) for p in pages] == [
        [("note", "Договор подписан"), ("note", "Выслали КП")],
        [("note", "Первый звонок")],
    ]


def test_note_on_a_contact_shows_on_the_contact_and_its_company(owner, make_company, make_contact):
    company = make_company(owner)
    contact = make_contact(owner, company=company.pk)

    add_note(contact, actor=owner, body="Говорили с Иваном")

    assert describe(timeline_for(contact, kinds={"note"})) == [("note", "Говорили с Иваном")]
    assert describe(timeline_for(company, kinds={"note"})) == [("note", "Говорили с Иваном")]


def test_contact_changes_stay_off_the_company_timeline(owner, make_company, make_contact):
    company = make_company(owner)
    contact = make_contact(owner, company=company.pk)
    update_contact(contact, actor=owner, data={"position": "директор"})

    assert [e.change.action for e in timeline_for(company).entries] == ["create"]


# --- notes --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "head_a", "admin"])
def test_who_may_change_a_record_may_add_a_note(users, make_company, who):
    company = make_company(users["owner"])

    note = add_note(company, actor=users[who], body="  Перезвонить в пятницу  ")

    stored = Activity.objects.get()
    assert (stored.pk, stored.kind, stored.body, stored.author, stored.company) == (
        note.pk, "note", "Перезвонить в пятницу", users[who], company
    )


@pytest.mark.parametrize("who", ["colleague", "viewer", "head_b", "manager_b"])
def test_note_needs_change_permission(users, make_company, who):
    company = make_company(users["owner"])

    with pytest.raises(AccessDenied):
        add_note(company, actor=users[who], body="Чужая заметка")

    assert Activity.objects.count() == 0


@pytest.mark.parametrize("body", ["", "   \n  ", None])
def test_note_needs_text(owner, make_company, body):
    company = make_company(owner)

    with pytest.raises(ValidationError) as exc:
        add_note(company, actor=owner, body=body)

    assert exc.value.message_dict == {"body": ["Write the note first."]}
    assert Activity.objects.count() == 0


def test_overlong_note_is_refused(owner, make_company):
    company = make_company(owner)

    with pytest.raises(ValidationError) as exc:
        add_note(company, actor=owner, body="x" * (MAX_NOTE_LENGTH + 1))

    assert set(exc.value.message_dict) == {"body"}
    assert Activity.objects.count() == 0


def test_note_is_not_an_audited_change(owner, make_company):
    company = make_company(owner)

    add_note(company, actor=owner, body="Заметка")

    assert [e.kind for e in timeline_for(company).entries] == ["note", "change"]
    assert Company.objects.get(pk=company.pk).version == 1


def test_entries_sharing_a_timestamp_are_neither_lost_nor_repeated_across_pages(owner, make_company):
    # given seven notes written at the very same instant (an import, a backdated call log)
    company = make_company(owner, name="ООО Одновременно")
    for i in range(7):
        add_note(company, actor=owner, body=f"note {i}")
    same_instant = Activity.objects.filter(company=company).first().occurred_at
    Activity.objects.filter(company=company).update(occurred_at=same_instant)

    # when the timeline is read three notes at a time
    pages = all_pages(company, limit=3, kinds={"note"})

    # then every note appears exactly once
    bodies = [e.activity.body for page in pages for e in page.entries]
    assert sorted(bodies) == [f"note {i}" for i in range(7)]
    assert len(pages) == 3


def test_a_malformed_cursor_shows_the_first_page(company_with_history):
    assert describe(timeline_for(company_with_history, cursor="garbage~x~y")) == describe(
        timeline_for(company_with_history)
    )
