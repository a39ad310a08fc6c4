"""Record scope per role (visible_to) and the change / restore / reassign rules."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from kartoteka.accounts import permissions
from kartoteka.accounts.models import RecordShare, User
from kartoteka.contacts.models import Company, Contact
from kartoteka.contacts.services import delete_company

# Users who own one record each in the `records` fixture (a viewer cannot own records).
OWNERS = ("admin", "head_a", "head_b", "owner", "colleague", "manager_b")

VISIBLE = {
    "anonymous": set(),
    "admin": set(OWNERS),
    "head_a": {"head_a", "owner", "colleague"},
    "head_b": {"head_b", "manager_b"},
    "owner": {"owner"},
    "colleague": {"colleague"},
    "manager_b": {"manager_b"},
    "viewer": {"head_a", "owner", "colleague"},
}


@pytest.fixture(params=["company", "contact"])
def records(request, users, make_company, make_contact):
    """One record per owning user, keyed by the user's fixture name: every company, or every contact."""
    make = make_company if request.param == "company" else make_contact
    return {name: make(users[name]) for name in OWNERS}


def _model(records):
    return type(records["owner"])


def _as_user(user):
    return AnonymousUser() if user is None else user


def _deactivate(user):
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.refresh_from_db()
    return user


def _share(record, *, user, by):
    return RecordShare.objects.create(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk, user=user, created_by=by
    )


def _pks(records, names):
    return {records[name].pk for name in names}


@pytest.mark.parametrize("who", list(VISIBLE))
def test_each_role_sees_exactly_its_scope(records, users, who):
    # given one record per owner
    model = _model(records)

    # when
    visible = set(model.objects.visible_to(_as_user(users[who])).values_list("pk", flat=True))

    # then
    assert visible == _pks(records, VISIBLE[who])


@pytest.mark.parametrize("who", list(VISIBLE))
def test_count_of_visible_records_matches_scope(records, users, who):
    assert _model(records).objects.visible_to(_as_user(users[who])).count() == len(VISIBLE[who])


def test_no_user_at_all_sees_nothing(records):
    assert _model(records).objects.visible_to(None).count() == 0


def test_head_of_another_team_sees_nothing_of_team_a(records, head_b):
    visible = set(_model(records).objects.visible_to(head_b).values_list("pk", flat=True))

    assert visible & _pks(records, ("head_a", "owner", "colleague")) == set()


@pytest.mark.parametrize("who", ["admin", "head_a", "owner", "viewer"])
def test_inactive_user_sees_nothing(records, users, who):
    # given a user who saw records while active
    user = _deactivate(users[who])

    # then
    assert _model(records).objects.visible_to(user).count() == 0


def test_manager_sees_a_record_shared_with_them(records, owner, head_a):
    # given
    _share(records["colleague"], user=owner, by=head_a)

    # when
    visible = set(_model(records).objects.visible_to(owner).values_list("pk", flat=True))

    # then
    assert visible == _pks(records, ("owner", "colleague"))


def test_shared_record_stays_read_only(records, owner, head_a):
    # given
    _share(records["colleague"], user=owner, by=head_a)

    # then
    assert permissions.can_view(owner, records["colleague"]) is True
    assert permissions.can_change(owner, records["colleague"]) is False


def test_share_of_one_record_does_not_reveal_others(records, owner, head_a):
    # given a share of the colleague's record only
    _share(records["colleague"], user=owner, by=head_a)

    # then the rest of the colleague's team and other teams stay hidden
    visible = set(_model(records).objects.visible_to(owner).values_list("pk", flat=True))
    assert visible & _pks(records, ("admin", "head_a", "head_b", "manager_b")) == set()


def test_share_is_scoped_to_its_record_kind(owner, colleague, head_a, make_company, make_contact):
    # given a company share whose object id equals the id of a colleague's contact
    contact = make_contact(colleague)
    RecordShare.objects.create(
        content_type=ContentType.objects.get_for_model(Company), object_id=contact.pk, user=owner, created_by=head_a
    )

    # then the contact stays hidden
    assert Contact.objects.visible_to(owner).filter(pk=contact.pk).exists() is False


def test_viewer_sees_shared_record_outside_team(records, viewer, admin):
    # given
    _share(records["manager_b"], user=viewer, by=admin)

    # then
    visible = set(_model(records).objects.visible_to(viewer).values_list("pk", flat=True))
    assert visible == _pks(records, ("head_a", "owner", "colleague", "manager_b"))


def test_deleted_record_is_hidden_from_default_scope(owner, head_a, make_company):
    # given
    kept = make_company(owner)
    gone = delete_company(make_company(owner), actor=owner)

    # then
    assert list(Company.objects.visible_to(owner).values_list("pk", flat=True)) == [kept.pk]
    assert list(Company.objects.visible_to(head_a).values_list("pk", flat=True)) == [kept.pk]
    assert gone.is_deleted is True


def test_deleted_record_is_visible_with_include_deleted(owner, head_a, admin, make_company):
    # given
    kept = make_company(owner)
    gone = delete_company(make_company(owner), actor=owner)

    # then
    for user in (owner, head_a, admin):
        assert set(Company.objects.visible_to(user, include_deleted=True).values_list("pk", flat=True)) == {
            kept.pk, gone.pk
        }


def test_include_deleted_keeps_scope(owner, colleague, head_b, viewer, make_company):
    # given a deleted record of the owner
    gone = delete_company(make_company(owner), actor=owner)

    # then it is in the recycle bin only of those who could see it
    assert Company.objects.visible_to(colleague, include_deleted=True).filter(pk=gone.pk).exists() is False
    assert Company.objects.visible_to(head_b, include_deleted=True).filter(pk=gone.pk).exists() is False
    assert Company.objects.visible_to(AnonymousUser(), include_deleted=True).count() == 0
    assert Company.objects.visible_to(viewer, include_deleted=True).filter(pk=gone.pk).exists() is True


def test_deleted_record_is_not_counted(owner, make_company):
    make_company(owner)
    delete_company(make_company(owner), actor=owner)

    assert Company.objects.visible_to(owner).count() == 1


@pytest.mark.parametrize("who", list(VISIBLE))
def test_search_finds_only_visible_records(users, who, make_company):
    # given every owner has a company with the same word in its name
    made = {name: make_company(users[name], name=f"Ромашка {name}") for name in OWNERS}
    make_company(users["owner"], name="Другое имя")

    # when
    found = set(Company.objects.visible_to(_as_user(users[who])).search("ромашка").values_list("pk", flat=True))

    # then
    assert found == {made[name].pk for name in VISIBLE[who]}


def test_search_count_excludes_invisible_and_deleted(owner, colleague, make_company):
    # given
    make_company(owner, name="Ромашка 1")
    delete_company(make_company(owner, name="Ромашка 2"), actor=owner)
    make_company(colleague, name="Ромашка 3")

    # then
    assert Company.objects.visible_to(owner).search("Ромашка").count() == 1


CAN_CHANGE_OWNERS_RECORD = {
    "anonymous": False, "admin": True, "head_a": True, "head_b": False, "owner": True, "colleague": False,
    "manager_b": False, "viewer": False,
}
CAN_RESTORE_OWNERS_RECORD = {
    "anonymous": False, "admin": True, "head_a": True, "head_b": False, "owner": False, "colleague": False,
    "manager_b": False, "viewer": False,
}
CAN_REASSIGN = {
    "anonymous": False, "admin": True, "head_a": True, "head_b": True, "owner": False, "colleague": False,
    "manager_b": False, "viewer": False,
}


@pytest.mark.parametrize(("who", "expected"), CAN_CHANGE_OWNERS_RECORD.items())
def test_can_change_a_managers_record(records, users, who, expected):
    assert permissions.can_change(_as_user(users[who]), records["owner"]) is expected


@pytest.mark.parametrize(("who", "expected"), CAN_RESTORE_OWNERS_RECORD.items())
def test_can_restore_a_managers_deleted_record(users, make_company, who, expected):
    # given
    company = delete_company(make_company(users["owner"]), actor=users["owner"])

    # then
    assert permissions.can_restore(_as_user(users[who]), company) is expected


@pytest.mark.parametrize(("who", "expected"), CAN_REASSIGN.items())
def test_can_reassign_by_role(users, who, expected):
    assert permissions.can_reassign(_as_user(users[who])) is expected


@pytest.mark.parametrize("who", ["admin", "head_a"])
def test_head_and_admin_may_change_and_restore_their_own_records(records, users, who):
    assert permissions.can_change(users[who], records[who]) is True
    assert permissions.can_restore(users[who], records[who]) is True


def test_head_may_not_change_another_teams_head_record(records, head_a):
    assert permissions.can_change(head_a, records["head_b"]) is False
    assert permissions.can_restore(head_a, records["head_b"]) is False


def test_head_may_not_change_an_admins_record(records, head_a):
    assert permissions.can_change(head_a, records["admin"]) is False


@pytest.mark.parametrize("who", ["admin", "head_a", "owner"])
def test_inactive_user_may_not_change_restore_or_reassign(records, users, who):
    # given a user who could do all three while active (where their role allows)
    user = _deactivate(users[who])

    # then
    assert permissions.can_change(user, records["owner"]) is False
    assert permissions.can_restore(user, records["owner"]) is False
    assert permissions.can_reassign(user) is False


def test_assignable_users_of_a_head_are_themselves_and_their_team(users):
    names = set(permissions.assignable_users(users["head_a"]).values_list("username", flat=True))

    assert names == {"head_a", "owner", "colleague"}


def test_assignable_users_of_an_admin_are_every_active_non_viewer(users):
    # given
    _deactivate(users["colleague"])

    # when
    names = set(permissions.assignable_users(users["admin"]).values_list("username", flat=True))

    # then
    assert names == {"admin", "head_a", "head_b", "owner", "manager_b"}


def test_manager_may_assign_only_to_themselves(users):
    assert list(permissions.assignable_users(users["owner"]).values_list("username", flat=True)) == ["owner"]


@pytest.mark.parametrize(("who", "expected"), [
    ("admin", {"admin", "head_a", "head_b", "owner", "colleague", "manager_b", "viewer"}),
    ("head_a", {"head_a", "owner", "colleague", "viewer"}),
    ("viewer", {"head_a", "owner", "colleague", "viewer"}),
    ("manager_b", {"manager_b"}),
])
def test_visible_owners_are_the_responsible_filter_choices(users, who, expected):
    assert set(permissions.visible_owners(users[who]).values_list("username", flat=True)) == expected
