"""Tasks: the agreed next steps, each with a deadline and a responsible."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kartoteka.core.models import CRMModel
from kartoteka.core.querysets import CRMQuerySet
from kartoteka.core.search import normalise_text
from kartoteka.tasks.choices import TaskKind, TaskPriority, TaskStatus

__all__ = ["Task", "TaskQuerySet", "day_start", "open_task_exists", "visible_record"]


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class TaskQuerySet(CRMQuerySet):
    def visible_to(self, user: Any, *, include_deleted: bool = False) -> TaskQuerySet:
        """The responsible's rules (own, the team's for heads, shared), plus every task linked to a record the
        user may see: a task is part of its record."""
        from kartoteka.accounts.permissions import visibility_filter
        from kartoteka.contacts.models import Company, Contact
        from kartoteka.deals.models import Deal

        qs = self if include_deleted else self.alive()
        own = visibility_filter(user, self.model)
        if own == Q() or own == Q(pk__in=[]):
            return qs.filter(own)
        return qs.filter(
            own
            | Q(company_id__in=Company.objects.visible_to(user).values("pk"))
            | Q(contact_id__in=Contact.objects.visible_to(user).values("pk"))
            | Q(deal_id__in=Deal.objects.visible_to(user).values("pk"))
        )

    def with_link_visibility(self, user: Any) -> TaskQuerySet:
        """Annotate company_visible/contact_visible/deal_visible: a task may be visible through its
        responsible while its record is not, and then the record is not named."""
        from kartoteka.contacts.models import Company, Contact
        from kartoteka.deals.models import Deal

        return self.select_related("company", "contact", "deal").annotate(
            company_visible=Exists(Company.objects.visible_to(user).filter(pk=OuterRef("company_id"))),
            contact_visible=Exists(Contact.objects.visible_to(user).filter(pk=OuterRef("contact_id"))),
            deal_visible=Exists(Deal.objects.visible_to(user).filter(pk=OuterRef("deal_id"))),
        )

    def open(self) -> TaskQuerySet:
        return self.filter(status=TaskStatus.OPEN)

    def overdue(self, now: datetime.datetime | None = None) -> TaskQuerySet:
        """Open tasks past their deadline: a timed one at its time, an all-day one when its day is over."""
        now = now or timezone.now()
        today = day_start(timezone.localdate(now))
        return self.open().filter(Q(all_day=False, due_at__lt=now) | Q(all_day=True, due_at__lt=today))

    def due_on(self, day: datetime.date) -> TaskQuerySet:
        start = day_start(day)
        return self.filter(due_at__gte=start, due_at__lt=start + datetime.timedelta(days=1))


def visible_record(task: Task) -> Any:
    """The task's record as its reader may see it (needs with_link_visibility): the deal, else the contact,
    else the company; None when there is none or it is hidden."""
    for name in ("deal", "contact", "company"):
        if getattr(task, f"{name}_id") and getattr(task, f"{name}_visible", False):
            return getattr(task, name)
    return None


def open_task_exists(field: str) -> Exists:
    """An Exists() for querysets of records: is there an open task linked to the outer record?"""
    return Exists(Task.objects.alive().open().filter(**{field: OuterRef("pk")}))


class Task(CRMModel):
    """A next step: who does what by when, about which company, contact or deal.

    `owner` is the responsible. Completing records `result` and `completed_at` and may log the activity
    it produced (`activity`). The reminder, overdue and escalation stamps make each notification go out once.
    """

    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices, default=TaskKind.CALL)
    due_at = models.DateTimeField(_("due"))
    all_day = models.BooleanField(_("all day"), default=False)
    priority = models.CharField(_("priority"), max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    result = models.TextField(_("result"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    description = models.TextField(_("description"), blank=True)
    company = models.ForeignKey("contacts.Company", verbose_name=_("company"), on_delete=models.CASCADE, null=True,
                                blank=True, related_name="tasks")
    contact = models.ForeignKey("contacts.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, null=True,
                                blank=True, related_name="tasks")
    deal = models.ForeignKey("deals.Deal", verbose_name=_("deal"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="tasks")
    activity = models.ForeignKey("activities.Activity", verbose_name=_("logged activity"), on_delete=models.SET_NULL,
                                 null=True, blank=True, editable=False, related_name="+")
    tags = models.ManyToManyField("customfields.Tag", verbose_name=_("tags"), related_name="tasks", blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True, editable=False)

    objects = TaskQuerySet.as_manager()

    protected_fields = (*CRMModel.protected_fields, "status", "completed_at", "activity", "reminded_at",
                        "overdue_notified_at", "escalated_at")
    audit_exclude = (*CRMModel.audit_exclude, "reminded_at", "overdue_notified_at")

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["owner", "status", "due_at"], name="tasks_task_owner_status_due"),
            models.Index(fields=["status", "due_at"], name="tasks_task_status_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tasks:task_detail", args=[self.pk])

    def build_search_text(self) -> str:
        return normalise_text(" ".join([self.title, self.description, self.result]))

    @property
    def record(self) -> Any:
        """The record the task is about: the deal, else the contact, else the company (or None)."""
        return self.deal or self.contact or self.company

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        if self.status != TaskStatus.OPEN:
            return False
        now = now or timezone.now()
        if self.all_day:
            return self.due_at < day_start(timezone.localdate(now))
        return self.due_at < now
