"""Explicit record shares: one user's read-only access to one record, granted by who may change it."""

import pytest
from django.core.exceptions import ValidationError

from kartoteka.accounts import permissions
from kartoteka.audit.models import ObjectChange
from kartoteka.conftest import client_for
from kartoteka.contacts.models import Company, Contact
from kartoteka.core.errors import AccessDenied
from kartoteka.core.records import set_share, shared_users


def test_shared_record_becomes_visible_read_only_to_the_user(owner, colleague, make_company):
    company = make_company(owner, name="ООО Общая")

    set_share(company, actor=owner, user=colleague, shared=True)

    assert list(Company.objects.visible_to(colleague)) == [company]
    assert permissions.can_change(colleague, company) is False
    assert list(shared_users(company)) == [colleague]


def test_sharing_is_audited_on_the_record(owner, colleague, make_company):
    company = make_company(owner)

    set_share(company, actor=owner, user=colleague, shared=True)
    set_share(company, actor=owner, user=colleague, shared=False)

    rows = ObjectChange.objects.filter(object_id=company.pk, postchange__has_key="shared_with").order_by("id")
    assert [(r.actor, r.prechange, r.postchange) for r in rows] == [
        (owner, {"shared_with": []}, {"shared_with": ["colleague"]}),
        (owner, {"shared_with": ["colleague"]}, {"shared_with": []}),
    ]


def test_taking_a_share_back_hides_the_record_again(owner, colleague, make_contact):
    contact = make_contact(owner)
    set_share(contact, actor=owner, user=colleague, shared=True)

    set_share(contact, actor=owner, user=colleague, shared=False)

    assert not Contact.objects.visible_to(colleague).exists()


@pytest.mark.parametrize("actor_name", ["colleague", "viewer", "manager_b", "head_b"])
def test_only_who_may_change_the_record_may_share_it(users, owner, colleague, make_company, actor_name):
    company = make_company(owner)
    set_share(company, actor=owner, user=colleague, shared=True)  # a share-holder still may not re-share

    with pytest.raises(AccessDenied):
        set_share(company, actor=users[actor_name], user=users["manager_b"], shared=True)

    assert list(shared_users(company)) == [colleague]


def test_head_may_share_a_team_members_record(owner, head_a, manager_b, make_company):
    company = make_company(owner)

    set_share(company, actor=head_a, user=manager_b, shared=True)

    assert list(Company.objects.visible_to(manager_b)) == [company]


def test_sharing_with_the_responsible_or_an_inactive_user_is_refused(owner, colleague, make_company):
    company = make_company(owner)
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])

    for user in (owner, colleague):
        with pytest.raises(ValidationError) as exc:
            set_share(company, actor=owner, user=user, shared=True)
        assert list(exc.value.message_dict) == ["user"]
    assert list(shared_users(company)) == []


@pytest.mark.parametrize(("actor_name", "status", "shared"), [
    ("anonymous", 302, False), ("colleague", 404, False), ("viewer", 404, False), ("head_b", 404, False),
    ("owner", 302, True), ("head_a", 302, True), ("admin", 302, True),
])
def test_share_page_action_matrix(users, owner, make_company, actor_name, status, shared):
    company = make_company(owner)
    target = users["manager_b"]

    response = client_for(users[actor_name]).post(f"/companies/{company.pk}/shares/", {"user": target.pk, "shared": "1"})

    assert response.status_code == status
    assert (target in shared_users(company)) is shared


def test_card_lists_who_the_record_is_shared_with(owner, colleague, make_company):
    company = make_company(owner)
    set_share(company, actor=owner, user=colleague, shared=True)

    page = client_for(owner).get(f"/companies/{company.pk}/").content.decode()

    assert 'data-testid="sharing"' in page
    assert "colleague" in page.split('data-testid="sharing"')[1]
