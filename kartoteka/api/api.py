"""The NinjaAPI assembly: auth, error mapping and one router per app. No endpoints live here."""

from typing import Any

from django.urls import re_path
from ninja import NinjaAPI

from kartoteka.activities.api import activities_router, call_results_router
from kartoteka.api import errors
from kartoteka.api.auth import ActiveSessionAuth, TokenAuth
from kartoteka.contacts.api import companies_router, contacts_router
from kartoteka.deals.api import deals_router, pipelines_router
from kartoteka.dedupe.api import duplicates_router
from kartoteka.leads.api import leads_router, web_forms_router
from kartoteka.notifications.api import notifications_router
from kartoteka.products.api import products_router
from kartoteka.search.api import lookup_router
from kartoteka.tasks.api import my_day_router, tasks_router


class KartotekaAPI(NinjaAPI):
    """Every answer under /api/v1 is JSON in the ErrorOut shape, including a wrong method (405) and a path
    that names no endpoint (404), which ninja and Django would otherwise answer with HTML."""

    def _get_urls(self) -> list[Any]:
        urls: list[Any] = super()._get_urls()  # URLPatterns only: ninja adds no resolvers
        for pattern in urls:
            pattern.callback = errors.json_refusals(pattern.callback)
        return [*urls, re_path(r"^.*$", errors.not_found_view)]

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """The 401's `WWW-Authenticate: Bearer` header, documented once for every operation."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                unauthorized = operation["responses"].get(401)
                if unauthorized is not None:
                    unauthorized.setdefault("headers", {})["WWW-Authenticate"] = errors.CHALLENGE_HEADER
        return schema


api = KartotekaAPI(
    title="Kartoteka API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), ActiveSessionAuth()],
    description=(
        "Authenticate with `Authorization: Bearer <token>` (create one in your profile or with "
        "`kartoteka token USERNAME`) or with the browser session plus the CSRF header. Records you may not see "
        "answer 404. Validation errors answer 422 with `errors: {field: [message]}`. Every object response "
        "carries an ETag; send it back as If-Match on PATCH/DELETE to get 412 instead of overwriting a newer change."
    ),
)
errors.install(api)
api.add_router("/companies", companies_router)
api.add_router("/contacts", contacts_router)
api.add_router("/deals", deals_router)
api.add_router("/pipelines", pipelines_router)
api.add_router("/leads", leads_router)
api.add_router("/web-forms", web_forms_router)
api.add_router("/products", products_router)
api.add_router("/activities", activities_router)
api.add_router("/call-results", call_results_router)
api.add_router("/tasks", tasks_router)
api.add_router("/my-day", my_day_router)
api.add_router("/notifications", notifications_router)
api.add_router("/lookup", lookup_router)
api.add_router("/duplicates", duplicates_router)
