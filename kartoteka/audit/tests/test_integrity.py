"""The audit trail is append-only and hash-chained: nothing changes or removes a row unnoticed."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kartoteka.accounts.models import User
from kartoteka.audit import chain, guard
from kartoteka.audit.choices import Action, SecurityEventKind
from kartoteka.audit.context import change_context
from kartoteka.audit.errors import AppendOnlyError
from kartoteka.audit.models import ObjectChange, SecurityEvent
from kartoteka.audit.services import record_security_event
from kartoteka.conftest import api_client_for, client_for, make_user
from kartoteka.contacts.models import Company
from kartoteka.contacts.services import update_company

MIGRATION = importlib.import_module("kartoteka.audit.migrations.0002_chain_and_security_events")


def verify(*args: str) -> str:
    """Run `kartoteka audit verify`; returns its output, raises CommandError (with .returncode) on failure."""
    import io

    out = io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out)
    except CommandError as exc:
        exc.output = out.getvalue()  # type: ignore[attr-defined]
        raise
    return out.getvalue()


def tamper(sql: str, params: list | None = None) -> None:
    """Change the table behind the application's back, as someone with database access would."""
    with guard.suspended(connection), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def five_changes(owner, make_company):
    company = make_company(owner, name="ООО Ромашка")
    for i in range(4):
        update_company(company, actor=owner, data={"description": f"версия {i}"})
    return list(ObjectChange.objects.order_by("id"))


# --- append-only in the application --------------------------------------------------------------------------

def test_saving_a_changed_row_is_refused(five_changes):
    change = five_changes[2]
    change.object_repr = "подмена"

    with pytest.raises(AppendOnlyError, match="audit.ObjectChange is append-only"):
        change.save()

    assert ObjectChange.objects.get(pk=change.pk).object_repr == "ООО Ромашка"


@pytest.mark.parametrize("attempt", [
    lambda row: row.delete(),
    lambda row: ObjectChange.objects.filter(pk=row.pk).delete(),
    lambda row: ObjectChange.objects.filter(pk=row.pk).update(object_repr="подмена"),
    lambda row: ObjectChange.objects.bulk_update([row], ["object_repr"]),
    lambda row: row.save(update_fields=["object_repr"]),
], ids=["instance delete", "queryset delete", "queryset update", "bulk_update", "save update_fields"])
def test_changing_or_deleting_rows_through_the_orm_is_refused(five_changes, attempt):
    with pytest.raises(AppendOnlyError):
        attempt(five_changes[1])

    assert list(ObjectChange.objects.order_by("id")) == five_changes
    assert ObjectChange.objects.get(pk=five_changes[1].pk).object_repr == "ООО Ромашка"


def test_security_events_are_append_only_too(owner):
    event = record_security_event(SecurityEventKind.EXPORT, actor=owner)

    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        event.delete()

    assert SecurityEvent.objects.count() == 1


@pytest.mark.parametrize("sql", [
    "UPDATE audit_objectchange SET object_repr = 'подмена'",
    "DELETE FROM audit_objectchange",
    "UPDATE audit_securityevent SET username = 'подмена'",
    "DELETE FROM audit_securityevent",
])
def test_database_refuses_update_and_delete_of_audit_rows(five_changes, owner, sql):
    record_security_event(SecurityEventKind.LOGIN, actor=owner)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)

    assert ObjectChange.objects.count() == 5
    assert SecurityEvent.objects.get().username == "owner"


def test_triggers_are_installed_on_both_tables(db):
    assert guard.installed(connection) == {"audit_objectchange": True, "audit_securityevent": True}


def test_deleting_a_user_keeps_their_audit_rows_and_the_chain(owner, make_company):
    # given a user who changed a record and logged in, then left
    leaver = make_user("leaver", "admin")
    company = make_company(owner)
    with change_context(actor=leaver, source="ui"):
        update_company(company, actor=leaver, data={"industry": "Ритейл"})
    client_for(leaver).get(reverse("contacts:company_list"))
    leaver_id = leaver.pk

    # when the user is deleted
    User.objects.get(pk=leaver_id).delete()

    # then their rows stay, still naming them, and the chain holds
    change = ObjectChange.objects.get(actor_id=leaver_id)
    assert (change.actor_name, change.postchange) == ("leaver", {"industry": "Ритейл"})
    assert ObjectChange.objects.select_related("actor").filter(object_id=company.pk).first().actor is None
    assert SecurityEvent.objects.filter(actor_id=leaver_id, username="leaver", kind="login").count() == 1
    assert "chain intact" in verify()
    # and the record's history still reads
    assert client_for(owner).get(company.get_absolute_url()).status_code == 200
    history = api_client_for(owner).get(f"/api/v1/companies/{company.pk}/history").json()
    assert [item["actor"] for item in history["items"]][0] is None


# --- the chain -----------------------------------------------------------------------------------------------

def test_each_row_is_linked_to_the_one_before(five_changes):
    links = [(c.prev_hash, c.row_hash) for c in five_changes]

    assert links[0][0] == chain.GENESIS
    assert [prev for prev, _ in links[1:]] == [row for _, row in links[:-1]]
    assert len({row for _, row in links}) == 5
    for change in five_changes:
        values = {f: getattr(change, f) for f in ObjectChange.hashed_fields}
        assert chain.digest(ObjectChange.chain_content(values), change.prev_hash) == change.row_hash


def test_hash_covers_the_row_content_as_read_back(five_changes):
    # the hash computed before the insert is the hash of what the database gives back (JSON, times)
    stored = ObjectChange.objects.values(*ObjectChange.hashed_fields, "prev_hash", "row_hash")
    assert all(chain.digest(ObjectChange.chain_content(r), r["prev_hash"]) == r["row_hash"] for r in stored)


def test_json_numbers_hash_the_same_before_and_after_the_database(owner, make_company):
    company = make_company(owner)
    odd = {"big": 1e16, "small": 1e-7, "whole": 2.0, "exact": 0.30000000000000004, "nested": [{"1": 1.5}]}

    with change_context(actor=owner, source="cli"):
        from kartoteka.audit.receivers import record_change

        record_change(company, Action.UPDATE, odd, odd)

    assert "chain intact" in verify()


def test_bulk_create_chains_rows_in_order(owner, make_company):
    company = make_company(owner)
    ct = ContentType.objects.get_for_model(Company)
    rows = [ObjectChange(actor=owner, actor_name="owner", source="import", action="update", content_type=ct,
                         object_id=company.pk, object_repr=str(company), prechange={}, postchange={"n": i})
            for i in range(3)]

    ObjectChange.objects.bulk_create(rows)

    assert "4 rows, chain intact" in verify("--chain", "changes")
    assert list(ObjectChange.objects.order_by("id").values_list("postchange", flat=True))[1:] == [
        {"n": 0}, {"n": 1}, {"n": 2}]


def test_bulk_create_skipping_conflicts_is_refused(owner):
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.bulk_create([SecurityEvent(kind="login", source="ui")], ignore_conflicts=True)


def test_existing_rows_are_chained_by_the_migration_exactly_as_new_ones(five_changes, owner):
    # The migration froze its own copy of the hashed content: it must agree with the model's.
    keys = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}

    prev = chain.GENESIS
    for change in five_changes:
        assert MIGRATION._digest(MIGRATION.row_content(change, keys), prev) == change.row_hash
        prev = change.row_hash


def test_an_append_reads_only_the_last_row(five_changes, owner):
    company = Company.objects.get()

    with CaptureQueriesContext(connection) as ctx:
        update_company(company, actor=owner, data={"description": "ещё"})

    audit_reads = [q["sql"] for q in ctx.captured_queries
                   if q["sql"].startswith("SELECT") and '"audit_objectchange"' in q["sql"]]
    assert audit_reads == ['SELECT "row_hash" FROM "audit_objectchange" ORDER BY "id" DESC LIMIT 1']


# --- kartoteka audit verify -----------------------------------------------------------------------------------

def test_verify_reports_intact_chains_with_their_row_counts(five_changes, owner):
    record_security_event(SecurityEventKind.LOGIN, actor=owner)

    output = verify()

    head = five_changes[-1]
    assert f"changes (audit_objectchange): 5 rows, chain intact; head changes:{head.pk}:{head.row_hash}" in output
    assert "security (audit_securityevent): 1 rows, chain intact" in output


def test_verify_reads_in_batches(five_changes):
    assert "5 rows, chain intact" in verify("--batch-size", "2", "--chain", "changes")


def test_verify_detects_a_changed_row(five_changes):
    tamper("UPDATE audit_objectchange SET object_repr = %s WHERE id = %s", ["подмена", five_changes[2].pk])

    with pytest.raises(CommandError) as failure:
        verify()

    assert failure.value.returncode == 1
    assert (f"changes (audit_objectchange): BROKEN at row {five_changes[2].pk}: content changed"
            in failure.value.output)


def test_verify_detects_a_changed_row_whose_hash_was_recomputed(five_changes):
    # given someone who changes a row and also writes the matching hash into it
    row = five_changes[2]
    values = {f: getattr(row, f) for f in ObjectChange.hashed_fields} | {"object_repr": "подмена"}
    forged = chain.digest(ObjectChange.chain_content(values), row.prev_hash)
    tamper("UPDATE audit_objectchange SET object_repr = %s, row_hash = %s WHERE id = %s", ["подмена", forged, row.pk])

    with pytest.raises(CommandError) as failure:
        verify("--chain", "changes")

    # then the next row no longer links to it
    assert f"BROKEN at row {five_changes[3].pk}: link broken" in failure.value.output


def test_verify_detects_a_deleted_middle_row(five_changes):
    tamper("DELETE FROM audit_objectchange WHERE id = %s", [five_changes[2].pk])

    with pytest.raises(CommandError) as failure:
        verify()

    assert failure.value.returncode == 1
    assert f"BROKEN at row {five_changes[3].pk}: link broken" in failure.value.output
    assert f"after row {five_changes[1].pk}" in failure.value.output


def test_verify_detects_a_deleted_first_row(five_changes):
    tamper("DELETE FROM audit_objectchange WHERE id = %s", [five_changes[0].pk])

    with pytest.raises(CommandError) as failure:
        verify()

    assert f"BROKEN at row {five_changes[1].pk}: the chain does not start here" in failure.value.output


def test_verify_detects_rows_removed_from_the_end_against_an_anchor(five_changes):
    head = five_changes[-1]
    anchor = f"changes:{head.pk}:{head.row_hash}"
    assert "chain intact" in verify("--anchor", anchor)
    tamper("DELETE FROM audit_objectchange WHERE id = %s", [head.pk])

    with pytest.raises(CommandError) as failure:
        verify("--anchor", anchor)

    assert f"BROKEN at anchor row {head.pk}: the row is missing" in failure.value.output


def test_verify_reports_missing_triggers(five_changes):
    guard.remove(connection)

    with pytest.raises(CommandError) as failure:
        verify()

    assert failure.value.returncode == 2
    assert "audit_objectchange: append-only triggers MISSING" in failure.value.output
    assert "chain intact" in failure.value.output


def test_verify_rejects_a_malformed_anchor(db):
    with pytest.raises(CommandError, match="expected CHAIN:ID:HASH"):
        verify("--anchor", "changes:x")


# --- transactional behaviour: flush and concurrency ----------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_tables_and_keeps_them_guarded(owner, make_company):
    make_company(owner)
    record_security_event(SecurityEventKind.LOGIN, actor=owner)

    call_command("flush", interactive=False, verbosity=0)

    assert (ObjectChange.objects.count(), SecurityEvent.objects.count()) == (0, 0)
    assert guard.installed(connection) == {"audit_objectchange": True, "audit_securityevent": True}


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain(owner, make_company):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("the in-memory test database shares one cache between threads: no real concurrency")
    companies = [make_company(owner) for _ in range(4)]
    start = threading.Barrier(len(companies))
    errors: list[BaseException] = []

    def work(company: Company) -> None:
        try:
            start.wait()
            for i in range(10):
                update_company(company, actor=owner, data={"description": f"поток {i}"})
                record_security_event(SecurityEventKind.EXPORT, actor=owner, target=company)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(c,)) for c in companies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ObjectChange.objects.count() == 4 + 40
    assert "44 rows, chain intact" in verify() and "40 rows, chain intact" in verify()
    assert ObjectChange.objects.values("prev_hash").distinct().count() == 44


@pytest.mark.django_db(transaction=True)
def test_bulk_changes_in_opposite_orders_do_not_deadlock(owner, head_a, make_company):
    # Each takes the chain lock before its first row lock (core/records._lock), so they queue instead.
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("the in-memory test database shares one cache between threads: no real concurrency")
    from kartoteka.contacts.services import bulk_add_tag

    first, second = make_company(owner), make_company(owner)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(order: list[Company], actor: User) -> None:
        try:
            start.wait()
            for i in range(5):
                bulk_add_tag([Company.objects.get(pk=c.pk) for c in order], actor=actor, tag=f"{actor}-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=([first, second], owner)),
               threading.Thread(target=work, args=([second, first], head_a))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Company.objects.get(pk=first.pk).tags.count() == 10
    assert "chain intact" in verify("--chain", "changes")
