from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse


class AutocompleteSelect(forms.Select):
    """A select that renders only the chosen option plus a search box that fetches options over HTMX.

    Rendering every choice would mean a million <option>s; the search endpoint applies visible_to().
    """

    template_name = "core/widgets/autocomplete.html"

    def __init__(self, url_name: str, model: Any, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url_name = url_name
        self.model = model

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> list[Any]:
        chosen = [v for v in value if v not in (None, "")]
        options = [self.create_option(name, "", "—", not chosen, 0)]
        if chosen:
            obj = self.model.objects.filter(pk=chosen[0]).first()
            if obj is not None:
                options.append(self.create_option(name, str(obj.pk), str(obj), True, 1))
        return [(None, options, 0)]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = reverse(self.url_name)
        return context
