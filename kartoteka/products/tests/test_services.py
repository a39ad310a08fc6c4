"""The catalog's write path: who may write, per-field validation, SKU uniqueness, versions and the audit trail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from kartoteka.audit.models import ObjectChange
from kartoteka.core.errors import AccessDenied, ConflictError
from kartoteka.products import services
from kartoteka.products.models import Product

pytestmark = pytest.mark.django_db


def changes_of(product: Product) -> list[ObjectChange]:
    return list(ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Product),
                                            object_id=product.pk).order_by("id"))


def test_create_normalises_the_sku_fills_defaults_and_audits_the_creation(admin):
    product = services.create_product(actor=admin, data={"sku": "  st-16k ", "name": " Станок токарный ",
                                                         "price": "1 850 000,50"})

    product.refresh_from_db()
    assert (product.sku, product.name, product.price, product.currency, product.vat_rate, product.stock,
            product.unit, product.active, product.version, product.created_by) == (
        "ST-16K", "Станок токарный", Decimal("1850000.50"), "RUB", 22, Decimal(0), "pcs", True, 1, admin)
    [change] = changes_of(product)
    assert (change.action, change.actor, change.postchange["sku"], change.postchange["price"]) == (
        "create", admin, "ST-16K", "1850000.50")


def test_default_vat_rate_comes_from_the_settings(admin, settings):
    settings.DEFAULT_VAT_RATE = 20

    assert services.create_product(actor=admin, data={"sku": "A", "name": "A", "price": 1}).vat_rate == 20


@pytest.mark.parametrize(("data", "errors"), [
    ({"price": "-1"}, {"price": ["The price cannot be negative."]}),
    ({"price": ""}, {"price": ["Enter the price."]}),
    ({"price": "дорого"}, {"price": ["Enter a number."]}),
    ({"price": "1.005"}, {"price": ["At most 2 digits after the decimal point."]}),
    ({"stock": "-3"}, {"stock": ["The stock cannot be negative."]}),
    ({"vat_rate": 120}, {"vat_rate": ["Ensure this value is less than or equal to 100."]}),
    ({"lead_time_days": "2.5"}, {"lead_time_days": ["Enter a whole number."]}),
    ({"currency": "рубли"}, {"currency": ["A currency is a three-letter code such as RUB."]}),
    ({"unit": "barrel"}, {"unit": ["Value 'barrel' is not a valid choice."]}),
    ({"sku": "  "}, {"sku": ["Enter the SKU."]}),
    ({"name": ""}, {"name": ["This field cannot be blank."]}),
    ({"owner": 1, "version": 5}, {"owner": ["This field cannot be set."], "version": ["This field cannot be set."]}),
])
def test_invalid_input_names_each_field_and_creates_nothing(admin, data, errors):
    with pytest.raises(ValidationError) as caught:
        services.create_product(actor=admin, data={"sku": "X-1", "name": "Станок", "price": "10", **data})

    assert caught.value.message_dict == errors
    assert Product.objects.count() == 0
    assert not ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Product)).exists()


def test_the_sku_is_unique_whatever_its_case_and_blanks(admin, make_product):
    make_product(sku="TV-16")

    with pytest.raises(ValidationError) as caught:
        services.create_product(actor=admin, data={"sku": " tv-16", "name": "Дубль", "price": "1"})

    assert caught.value.message_dict == {"sku": ["A product with this SKU already exists."]}
    assert Product.objects.count() == 1


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("head_a", True), ("owner", False), ("viewer", False), ("colleague", False)])
def test_admins_and_heads_write_the_catalog_and_nobody_else(role, allowed, users, make_product):
    product = make_product()

    if allowed:
        services.update_product(product, actor=users[role], data={"price": "5"})
        services.create_product(actor=users[role], data={"sku": "NEW", "name": "Новый", "price": "1"})
    else:
        with pytest.raises(AccessDenied):
            services.update_product(product, actor=users[role], data={"price": "5"})
        with pytest.raises(AccessDenied):
            services.create_product(actor=users[role], data={"sku": "NEW", "name": "Новый", "price": "1"})

    assert (Product.objects.get(pk=product.pk).price, Product.objects.count()) == (
        (Decimal(5), 2) if allowed else (Decimal(1000), 1))


def test_heads_may_be_kept_out_of_the_catalog(head_a, make_product, settings):
    settings.PRODUCTS_EDITABLE_BY_HEADS = False
    product = make_product()

    with pytest.raises(AccessDenied):
        services.update_product(product, actor=head_a, data={"price": "5"})


def test_update_bumps_the_version_and_audits_only_what_changed(admin, head_a, make_product):
    product = make_product(price="1000", stock="3")

    updated = services.update_product(product, actor=head_a, data={"price": "1200", "stock": "3"},
                                      expected_version=1)
    again = services.update_product(updated, actor=head_a, data={"price": "1200"})

    assert (updated.version, again.version) == (2, 2)
    change = changes_of(product)[-1]
    assert (change.action, change.actor, change.changed_fields) == ("update", head_a, {"price": ("1000.00", "1200.00")})


def test_a_stale_version_is_a_conflict_and_changes_nothing(admin, make_product):
    product = make_product(price="1000")
    services.update_product(product, actor=admin, data={"price": "1100"})

    with pytest.raises(ConflictError):
        services.update_product(product, actor=admin, data={"price": "900"}, expected_version=1)

    assert Product.objects.get(pk=product.pk).price == Decimal(1100)


def test_deactivation_is_audited_and_reversible(admin, make_product):
    product = make_product()

    services.set_product_active(product, actor=admin, active=False)
    assert not Product.objects.get(pk=product.pk).active
    services.set_product_active(product, actor=admin, active=True)

    assert Product.objects.get(pk=product.pk).active
    assert [c.changed_fields for c in changes_of(product)[1:]] == [{"active": (True, False)}, {"active": (False, True)}]


def test_search_matches_a_fragment_of_the_sku_or_the_name_and_the_digits_of_the_sku(admin, make_product):
    lathe = make_product(sku="4607-001-123", name="Станок токарный СТ-16К")
    make_product(sku="KMP-7", name="Компрессор винтовой")

    def found(query: str) -> list[str]:
        return list(Product.objects.search(query).values_list("sku", flat=True))

    assert found("токарн") == [lathe.sku]
    assert found("ст-16") == [lathe.sku]
    assert found("4607001123") == [lathe.sku]
    assert found("4607-001") == [lathe.sku]
    assert found("kmp") == ["KMP-7"]
    assert found("пылесос") == []


def test_everyone_signed_in_sees_the_catalog(users, make_product):
    make_product()

    seen = {role: Product.objects.visible_to(user).count() if user else Product.objects.visible_to(None).count()
            for role, user in users.items()}

    assert seen == {"anonymous": 0, "admin": 1, "head_a": 1, "head_b": 1, "owner": 1, "colleague": 1,
                    "manager_b": 1, "viewer": 1}
