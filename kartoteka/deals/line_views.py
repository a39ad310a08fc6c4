"""The lines section of the deal card (HTMX): list, add, edit, remove lines, and let the amount follow them.

One URL, two renderings: an HTMX request gets the section back (422 with the form's errors, 409 when the deal
changed meanwhile), with the card's amount and version swapped out of band; a plain form post is redirected to
the card with a message. The writes are deals/lines.py's; an invisible deal answers 404, and so does a deal the
user may see but not change (audited as a denial by EntityViewMixin).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from kartoteka.core.errors import AccessDenied, ConflictError
from kartoteka.core.tables import format_amount
from kartoteka.core.views import generic
from kartoteka.core.views.htmx import is_partial
from kartoteka.deals import lines as line_services
from kartoteka.deals import services
from kartoteka.deals.forms import LineForm
from kartoteka.deals.models import Deal, DealLine


def lines_context(deal: Deal, *, form: LineForm | None = None, edit: int | None = None,
                  edit_form: LineForm | None = None) -> dict[str, Any]:
    """What the lines section shows besides the deal: its lines with their products (one query) and their total."""
    lines = list(deal.lines.select_related("product"))
    return {
        "lines": lines,
        "lines_total_display": format_amount(sum(line.total for line in lines) if lines else None, deal.currency),
        "line_form": form or LineForm(),
        "edit": edit,
        "edit_form": edit_form,
    }


class LinesMixin(generic.EntityViewMixin):
    model = Deal
    service = services
    entity = "deal"

    def changeable_deal(self, request: HttpRequest, pk: int) -> Deal:
        deal = generic.visible_object(request, Deal, pk)
        if not self.may_change(request.user, deal):
            raise AccessDenied()
        return deal

    def line_of(self, deal: Deal, line_id: int) -> DealLine:
        line = deal.lines.select_related("product").filter(pk=line_id).first()
        if line is None:
            raise Http404
        line.deal = deal
        return line

    def section(self, request: HttpRequest, deal: Deal, *, status: int = 200, message: str = "",
                **extra: Any) -> HttpResponse:
        context = {**lines_context(deal, **extra), "object": deal, "can_change": True, "oob": True,
                   "amount_display": format_amount(deal.amount, deal.currency), "lines_message": message}
        return render(request, "deals/partials/_lines.html", context, status=status)

    def write(self, request: HttpRequest, deal: Deal, form: LineForm, action: Any, **extra: Any) -> HttpResponse:
        """Run a line write (given the deal version the form was rendered with); answer with its outcome."""
        conflict = None
        try:
            if form.is_valid():
                action(form.cleaned_data.get("version"))
        except ValidationError as exc:
            form.add_service_errors(exc)
        except ConflictError as exc:
            conflict = str(exc)
        problem = conflict or " ".join(m for msgs in form.errors.values() for m in msgs)
        if not is_partial(request):
            if problem:
                messages.error(request, problem)
            else:
                messages.success(request, _("Saved."))
            return redirect(deal.get_absolute_url())
        fresh = Deal.objects.get(pk=deal.pk)  # as the write left it
        if conflict:
            return self.section(request, fresh, status=409, message=conflict)
        if form.errors:
            return self.section(request, fresh, status=422, **{"edit_form" if "edit" in extra else "form": form},
                                **extra)
        return self.section(request, fresh)


class DealLinesView(LinesMixin, View):
    """GET: the lines section (who may see the deal); POST: add a line."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        deal = generic.visible_object(request, Deal, pk)
        can_change = self.may_change(request.user, deal) and not deal.is_deleted
        return render(request, "deals/partials/_lines.html",
                      {**lines_context(deal), "object": deal, "can_change": can_change})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        deal = self.changeable_deal(request, pk)
        form = LineForm(request.POST)
        return self.write(request, deal, form, lambda version: line_services.add_line(
            deal, actor=request.user, data=form.service_data(), expected_version=version))


class DealLineView(LinesMixin, View):
    """GET: the line's row as a form; POST: save it."""

    def get(self, request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
        deal = self.changeable_deal(request, pk)
        line = self.line_of(deal, line_id)
        form = LineForm(line=line, auto_id="line-%s")
        return render(request, "deals/partials/_line_form_row.html",
                      {"object": deal, "line": line, "edit_form": form})

    def post(self, request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
        deal = self.changeable_deal(request, pk)
        line = self.line_of(deal, line_id)
        form = LineForm(request.POST, line=line, auto_id="line-%s")
        return self.write(request, deal, form, lambda version: line_services.update_line(
            line, actor=request.user, data=form.service_data(), expected_version=version), edit=line.pk)


class DealLineDeleteView(LinesMixin, View):
    def post(self, request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
        deal = self.changeable_deal(request, pk)
        line = self.line_of(deal, line_id)
        form = LineForm(request.POST)
        return self.write(request, deal, form, lambda version: line_services.delete_line(
            line, actor=request.user, expected_version=version))


class DealLinesAmountView(LinesMixin, View):
    """POST amount_from_lines=1|0: let the deal's amount follow its lines, or be typed by hand again."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        deal = self.changeable_deal(request, pk)
        form = LineForm(request.POST)
        following = request.POST.get("amount_from_lines") == "1"
        return self.write(request, deal, form, lambda version: services.update_deal(
            deal, actor=request.user, data={"amount_from_lines": following}, expected_version=version))
