"""The product catalog under /api/v1/products: the generic CRUD router without delete and restore (a product
is deactivated with PATCH {"active": false}: it stays on the deal lines that have it)."""

from kartoteka.api.crud import crud_router
from kartoteka.products import schemas, services
from kartoteka.products.filters import ProductFilterSet
from kartoteka.products.models import Product

products_router = crud_router(
    model=Product, entity="product", service=services, out_schema=schemas.ProductOut, in_schema=schemas.ProductIn,
    patch_schema=schemas.ProductPatch, filter_schema=schemas.ProductFilters, filterset_class=ProductFilterSet,
    orderings=schemas.ORDERINGS, to_out=schemas.product_out, related=("created_by",), prefetch=(),
    operations=("list", "create", "read", "update", "history"),
)
