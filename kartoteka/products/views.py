"""Catalog pages: the generic list, card, form and cell editor over shared reference data, plus small actions.

Everyone signed in reads the catalog; who may change it is `permissions.can_manage_catalog` (see services).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from kartoteka.accounts import permissions
from kartoteka.audit.choices import DenialReason
from kartoteka.audit.services import record_denial
from kartoteka.core.errors import AccessDenied, ConflictError
from kartoteka.core.tables import format_amount, format_quantity
from kartoteka.core.views import generic
from kartoteka.deals.models import Deal, DealLine
from kartoteka.products import services
from kartoteka.products.demand import record_demand
from kartoteka.products.filters import ProductFilterSet
from kartoteka.products.forms import ProductForm
from kartoteka.products.models import Product
from kartoteka.products.tables import ProductTable

AUTOCOMPLETE_LIMIT = 20
DEALS_ON_CARD = 20


class ProductMixin:
    model = Product
    service = services
    entity = "product"

    def may_create(self, user: Any) -> bool:
        return permissions.can_manage_catalog(user)

    def may_change(self, user: Any, obj: Any) -> bool:
        return permissions.can_manage_catalog(user)

    def new_object(self, request: HttpRequest) -> Product:
        return Product()


class ProductListView(ProductMixin, generic.ObjectListView):
    filterset_class = ProductFilterSet
    table_class = ProductTable
    bulk_actions = False
    search_placeholder = gettext_lazy("SKU or name…")


class ProductDetailView(ProductMixin, generic.ObjectDetailView):
    template_name = "products/product_detail.html"

    def sharing_context(self, obj: Any, can_change: bool) -> dict[str, Any]:
        return {}  # every signed-in user reads the catalog: there is nothing to share

    def related_context(self, request: HttpRequest, obj: Product) -> dict[str, Any]:
        """The open and closed deals the user may see that have this product on a line."""
        lines = (DealLine.objects.filter(product=obj, deal__in=Deal.objects.visible_to(request.user).values("pk"))
                 .select_related("deal__stage").order_by("-deal__created_at", "-id"))
        return {
            "price_display": format_amount(obj.price, obj.currency),
            "stock_display": f"{format_quantity(obj.stock)} {obj.get_unit_display()}",
            "deal_lines": lines[:DEALS_ON_CARD],
            "deal_lines_count": lines.count(),
        }


class ProductEditView(ProductMixin, generic.ObjectEditView):
    form_class = ProductForm


class ProductCellView(ProductMixin, generic.InlineEditView):
    form_class = ProductForm
    table_class = ProductTable


class ProductTimelineView(ProductMixin, generic.TimelineView):
    pass


class ProductActiveView(ProductMixin, generic.EntityViewMixin, View):
    """POST active=0|1[&version=<n>]: deactivate the product (or bring it back) from its card."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = generic.visible_object(request, Product, pk)
        active = request.POST.get("active") == "1"
        version = request.POST.get("version", "")
        try:
            services.set_product_active(product, actor=request.user, active=active,
                                        expected_version=int(version) if version.isdigit() else None)
        except ConflictError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The product is active again.") if active else _("The product is deactivated."))
        return redirect(product.get_absolute_url())


@login_required
def product_autocomplete(request: HttpRequest) -> HttpResponse:
    """<option>s of active products whose SKU or name contains ?q= (the product picker of deal lines)."""
    query = request.GET.get("q", "").strip()
    products = Product.objects.visible_to(request.user).active().only("id", "sku", "name")
    products = products.search(query) if query else products.none()
    return render(request, "core/partials/_options.html", {"options": products[:AUTOCOMPLETE_LIMIT]})


@login_required
@require_POST
def demand_add(request: HttpRequest) -> HttpResponse:
    """POST company|contact|deal=<id>, product_name (SKU or name) or product, quantity, note: log a request the
    company could not meet, from that card; back to the card."""
    from kartoteka.contacts.models import Company, Contact

    kind = next((k for k in ("deal", "contact", "company") if str(request.POST.get(k, "")).isdigit()), None)
    if kind is None:
        raise Http404
    model = {"deal": Deal, "contact": Contact, "company": Company}[kind]
    record = get_object_or_404(model.objects.visible_to(request.user), pk=int(request.POST[kind]))
    try:
        record_demand(record, actor=request.user, data=request.POST.dict())
    except AccessDenied:
        record_denial(request, model, record.pk, reason=DenialReason.NOT_ALLOWED)
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Logged."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = record.get_absolute_url()
    return redirect(next_url)
