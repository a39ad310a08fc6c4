from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse


class AutocompleteSelect(forms.Select):
    """A select that renders only the chosen option plus a search box that fetches options over HTMX.

    Rendering every choice would mean a million <option>s; the search endpoint applies visible_to().
    `queryset` is what the user may choose (the field's visible queryset): the chosen option is named only
    if it is in there, so a re-rendered form never names a record the user may not see, whatever id was posted.
    """

    template_name = "core/widgets/autocomplete.html"

    def __init__(self, url_name: str, queryset: QuerySet, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url_name = url_name
        self.queryset = queryset

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> list[Any]:
        chosen = [str(v) for v in value if v not in (None, "")]
        options = [self.create_option(name, "", "—", not chosen, 0)]
        if chosen and chosen[0].isdigit() and int(chosen[0]) < 2**63:  # a larger id would overflow the query
            obj = self.queryset.filter(pk=int(chosen[0])).first()
            # An id the user may not see keeps its value (the form then refuses it) under its number only,
            # the way the audit names an invisible related record; nothing tells whether it exists.
            label = str(obj) if obj is not None else f"#{chosen[0]}"
            options.append(self.create_option(name, chosen[0], label, True, 1))
        return [(None, options, 0)]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = reverse(self.url_name)
        return context
