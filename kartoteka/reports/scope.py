"""What a report covers: a period, and whose records (the viewer's visibility, narrowed to a team or a manager).

Every report starts from `Scope.deals()` / `Scope.leads()`: the records the viewer may see (the same rule as the
lists), alive, optionally of one team or one responsible. A head's figures therefore include only their teams.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kartoteka.accounts import permissions
from kartoteka.accounts.models import Team, User
from kartoteka.deals.models import Deal
from kartoteka.leads.models import Lead

PERIODS = [("today", _("Today")), ("week", _("This week")), ("month", _("This month")),
           ("quarter", _("This quarter")), ("year", _("This year")), ("custom", _("Custom"))]


def period_bounds(kind: str, today: datetime.date, start: datetime.date | None = None,
                  end: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """First and last day (inclusive) of the named period containing `today`, or the custom dates."""
    if kind == "today":
        return today, today
    if kind == "week":
        first = today - datetime.timedelta(days=today.weekday())
        return first, first + datetime.timedelta(days=6)
    if kind == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        last_month = first_month + 2
        return (today.replace(month=first_month, day=1),
                today.replace(month=last_month, day=calendar.monthrange(today.year, last_month)[1]))
    if kind == "year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    if kind == "custom" and start and end:
        return (start, end) if start <= end else (end, start)
    return today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ScopeForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False, initial="month")
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    owner = forms.ModelChoiceField(label=_("Manager"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = permissions.visible_owners(user)
        self.fields["owner"].queryset = owners.filter(is_active=True)
        self.fields["team"].queryset = Team.objects.filter(members__in=owners).distinct()


@dataclass(frozen=True)
class Scope:
    user: Any
    start: datetime.date
    end: datetime.date  # inclusive
    period: str = "month"
    team: Team | None = None
    owner: User | None = None

    @classmethod
    def from_request(cls, request: Any) -> tuple[Scope, ScopeForm]:
        form = ScopeForm(request.GET or None, user=request.user)
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        kind = data.get("period") or "month"
        start, end = period_bounds(kind, timezone.localdate(), data.get("start"), data.get("end"))
        return cls(user=request.user, start=start, end=end, period=kind, team=data.get("team"),
                   owner=data.get("owner")), form

    @property
    def since(self) -> datetime.datetime:
        return day_start(self.start)

    @property
    def until(self) -> datetime.datetime:
        """Exclusive upper bound: the start of the day after `end`."""
        return day_start(self.end + datetime.timedelta(days=1))

    def narrow(self, qs: Any) -> Any:
        if self.owner is not None:
            qs = qs.filter(owner=self.owner)
        if self.team is not None:
            qs = qs.filter(owner__team=self.team)
        return qs

    def deals(self) -> Any:
        return self.narrow(Deal.objects.visible_to(self.user))

    def leads(self) -> Any:
        return self.narrow(Lead.objects.visible_to(self.user))

    def query(self) -> str:
        """The scope as a query string, for links to other reports and the export."""
        from urllib.parse import urlencode

        params = {"period": self.period}
        if self.period == "custom":
            params.update(start=self.start.isoformat(), end=self.end.isoformat())
        if self.team is not None:
            params["team"] = self.team.pk
        if self.owner is not None:
            params["owner"] = self.owner.pk
        return urlencode(params)

    def segment_list_url(self, segment: str) -> str:
        """The companies list filtered to a client segment of this scope (`abc:A`, `rfm:champions`, ...): the same
        period (a named one stays relative when the list is saved as a view), team and manager."""
        from urllib.parse import urlencode

        from django.urls import reverse

        params = {"segment": segment, "segment_period": self.period}
        if self.period == "custom":
            params.update(segment_start=self.start.isoformat(), segment_end=self.end.isoformat())
        if self.team is not None:
            params["segment_team"] = self.team.pk
        if self.owner is not None:
            params["segment_owner"] = self.owner.pk
        return reverse("contacts:company_list") + "?" + urlencode(params)
