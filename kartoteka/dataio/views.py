"""POST /export/?<the list's filters>: the list the user is looking at, as a CSV or XLSX file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from kartoteka.core.errors import AccessDenied
from kartoteka.core.views.generic import list_view_at
from kartoteka.dataio.export import export_list

MAX_FILTER_VALUES = 50


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """`list` names the list page (its path); the query string carries its filters, sort and page size. The
    list view itself builds the table, so the file holds exactly the records and columns the page shows."""
    path = request.POST.get("list", "")
    view = list_view_at(path)()
    view.setup(request)
    _filterset, queryset, _table_cls, _columns, table = view.list_table(request)
    filters = {k: request.GET.getlist(k)[:MAX_FILTER_VALUES] for k in request.GET if k not in ("page", "per_page")}
    try:
        result = export_list(actor=request.user, entity=view.entity, table=table, row_count=queryset.count(),
                             fmt=request.POST.get("format", "csv"), filters=filters, request=request)
    except AccessDenied:  # recorded as a refused EXPORT security event by export_list
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{path}?{request.GET.urlencode()}" if request.GET else path)
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
