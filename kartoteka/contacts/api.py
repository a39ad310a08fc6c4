from kartoteka.api.crud import crud_router
from kartoteka.contacts import schemas, services
from kartoteka.contacts.filters import CompanyFilterSet, ContactFilterSet
from kartoteka.contacts.models import Company, Contact

companies_router = crud_router(
    model=Company, entity="company", service=services, out_schema=schemas.CompanyOut, in_schema=schemas.CompanyIn,
    patch_schema=schemas.CompanyPatch, filter_schema=schemas.CompanyFilters, filterset_class=CompanyFilterSet,
    orderings=schemas.ORDERINGS, to_out=schemas.company_out,
)
contacts_router = crud_router(
    model=Contact, entity="contact", service=services, out_schema=schemas.ContactOut, in_schema=schemas.ContactIn,
    patch_schema=schemas.ContactPatch, filter_schema=schemas.ContactFilters, filterset_class=ContactFilterSet,
    orderings=schemas.CONTACT_ORDERINGS, to_out=schemas.contact_out, related=("company",),
    annotate=lambda qs, user: qs.with_company_visibility(user),
)
