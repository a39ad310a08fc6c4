"""The NinjaAPI assembly: auth, error mapping and one router per app. No endpoints live here."""

from ninja import NinjaAPI

from kartoteka.api import errors
from kartoteka.api.auth import ActiveSessionAuth, TokenAuth
from kartoteka.contacts.api import companies_router, contacts_router

api = NinjaAPI(
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
