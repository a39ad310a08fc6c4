"""The header search: one URL, a full results page or (HTMX) the drop-down under the search box."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kartoteka.core.views.htmx import is_partial
from kartoteka.search.queries import global_search, searchable

MAX_QUERY = 200


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY].strip()
    if not query and is_partial(request):  # the box was cleared (Escape clears a search input): nothing to show
        return HttpResponse("")
    context = {"q": query, "groups": global_search(request.user, query), "searchable": searchable(query)}
    template = "search/partials/_results.html" if is_partial(request) else "search/results.html"
    return render(request, template, context)
