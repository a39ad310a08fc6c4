"""Sales plans: who may set them, setting one, and the plans of a report's scope for the dashboard.

A plan is a manager's target for a calendar month in the site's currency (the dashboard sums won deals in that
currency only). The heads of the manager's team and administrators set plans; each save is audited (SalesPlan is
an AuditedModel). The dashboard compares a period with the plans of the whole months inside it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kartoteka.accounts import permissions
from kartoteka.accounts.choices import Role
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied
from kartoteka.core.validators import parse_decimal
from kartoteka.reports.models import SalesPlan
from kartoteka.reports.scope import Scope

__all__ = ["can_set_plans", "may_set_plan", "parse_month", "plannable_users", "plans_of", "set_plan"]

MAX_AMOUNT = Decimal("999999999999.99")  # max_digits=14, decimal_places=2


def can_set_plans(user: Any) -> bool:
    """Heads (for their teams) and administrators set plans."""
    return user.is_authenticated and user.is_active and (user.is_admin or user.role == Role.HEAD)


def may_set_plan(actor: Any, user: Any) -> bool:
    if not can_set_plans(actor):
        return False
    return actor.is_admin or permissions.heads_user(actor, user.pk)


def plannable_users(actor: Any) -> Any:
    """The active managers and heads whose plans `actor` sets: everyone's for an administrator, a head's own and
    their teams' members' for a head."""
    from kartoteka.accounts.models import User

    if not can_set_plans(actor):
        return User.objects.none()
    users = User.objects.filter(is_active=True, role__in=(Role.MANAGER, Role.HEAD))
    if not actor.is_admin:
        users = users.filter(Q(pk=actor.pk) | Q(pk__in=permissions.team_member_ids(actor)))
    return users.select_related("team").order_by("team__name", "last_name", "first_name", "username")


def parse_month(value: Any, *, default: datetime.date | None = None) -> datetime.date:
    """"2026-12" (or a date) → the first of that month; the current month when empty or malformed and a default
    is not given; ValidationError naming `month` otherwise."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    try:
        year, month = (int(part) for part in str(value or "").split("-")[:2])
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        if default is not None:
            return default
        raise ValidationError({"month": [_("Enter a month as YYYY-MM.")]}) from None


def current_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def clean_amount(value: Any) -> Decimal:
    try:
        amount = parse_decimal(value, places=2)
    except ValidationError as exc:
        raise ValidationError({"amount": exc.messages}) from None
    if amount is None:
        raise ValidationError({"amount": [_("Enter the plan amount.")]})
    if amount < 0:
        raise ValidationError({"amount": [_("The plan cannot be negative.")]})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": [_("The plan is too large.")]})
    return amount


def set_plan(actor: Any, user: Any, month: Any, amount: Any) -> SalesPlan:
    """Create or change `user`'s plan for `month` (the site's currency). AccessDenied unless `actor` heads the
    user's team or is an administrator; ValidationError naming `amount` or `month`."""
    if not may_set_plan(actor, user):
        raise AccessDenied()
    first = parse_month(month)
    value = clean_amount(amount)
    with records.acting_as(actor), transaction.atomic():
        plan = SalesPlan.objects.select_for_update().filter(user=user, month=first).first()
        if plan is None:
            plan = SalesPlan(user=user, month=first, amount=value, currency=settings.DEFAULT_CURRENCY,
                             created_by=actor)
            plan.save()
        elif plan.amount != value or plan.currency != settings.DEFAULT_CURRENCY:
            plan.amount, plan.currency = value, settings.DEFAULT_CURRENCY
            plan.version += 1
            plan.save(update_fields=["amount", "currency", "version"])
    return plan


def whole_months(scope: Scope) -> tuple[datetime.date, datetime.date] | None:
    """The first days of the first and last calendar months lying wholly inside the scope's period, or None."""
    first = scope.start if scope.start.day == 1 else (scope.start.replace(day=28) + datetime.timedelta(days=4)).replace(
        day=1)
    after_end = scope.end + datetime.timedelta(days=1)
    last = (after_end.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return (first, last) if first <= last else None


def plans_of(scope: Scope, *, by_team: bool = False) -> dict[Any, dict[str, Any]] | None:
    """Per manager (or team) the sum of the plans for the whole months of the scope's period, among the people
    whose figures the viewer sees: {key: {"plan": Decimal, names...}}. None when the period holds no whole month
    (a plan is monthly). One grouped query."""
    months = whole_months(scope)
    if months is None:
        return None
    keys = ("user__team", "user__team__name") if by_team else ("user", "user__username", "user__first_name",
                                                              "user__last_name")
    plans = SalesPlan.objects.filter(month__gte=months[0], month__lte=months[1], currency=settings.DEFAULT_CURRENCY,
                                     user__in=permissions.visible_owners(scope.user).values("pk"))
    if scope.owner is not None:
        plans = plans.filter(user=scope.owner)
    if scope.team is not None:
        plans = plans.filter(user__team=scope.team)
    rows = plans.order_by().values(*keys).annotate(plan=Sum("amount"))
    return {r[keys[0]]: {"plan": r["plan"], **{k.replace("user", "owner", 1): v for k, v in r.items()}}
            for r in rows}
