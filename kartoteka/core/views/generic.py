"""Generic views every client-base entity subclasses declaratively (NetBox netbox/views/generic).

Each view reads records only through `Model.objects.visible_to(request.user)`: a record the user may not
see answers 404, never 403, and never shows up in a list, a count or an autocomplete.
"""

from __future__ import annotations

from typing import Any, ClassVar

import django_tables2 as tables
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django_tables2.paginators import LazyPaginator

from kartoteka.accounts import permissions
from kartoteka.accounts.models import User
from kartoteka.accounts.services import save_columns
from kartoteka.activities.timeline import timeline_for
from kartoteka.audit.choices import DenialReason
from kartoteka.audit.services import record_denial
from kartoteka.core import records
from kartoteka.core.errors import AccessDenied, ConflictError, NotVisible
from kartoteka.core.forms import NoteForm, ServiceModelForm
from kartoteka.core.views.htmx import is_partial
from kartoteka.customfields.values import display_value, fields_for

COUNT_CAP = 10_000
MAX_PER_PAGE = 200


def visible_object(request: HttpRequest, model: type[Model], pk: int, *, include_deleted: bool = False) -> Any:
    """The record if the user may see it; else 404, audited as a denial when the record exists."""
    try:
        return model.objects.visible_to(request.user, include_deleted=include_deleted).get_or_404(pk)
    except NotVisible:
        record_denial(request, model, pk, reason=DenialReason.NOT_VISIBLE)
        raise


def capped_count(qs: QuerySet) -> tuple[int, bool]:
    """Exact count up to COUNT_CAP, then "10 000+": an exact count of a million rows is not worth its time."""
    # Only the ids: annotations (e.g. whether the company is visible) stay out of the counted subquery.
    count = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP


class EntityViewMixin(LoginRequiredMixin):
    model: ClassVar[type[Model]]
    service: ClassVar[Any]  # module with create_/update_/delete_/restore_<entity> and bulk_* functions
    entity: ClassVar[str]  # "company" / "contact": service function suffix, URL names, custom field entity

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """AccessDenied (a permission check or a service refused) answers 404 here, in one place, and is
        audited as a denial. (A record the user may not see is audited by visible_object().)"""
        try:
            return super().dispatch(request, *args, **kwargs)
        except AccessDenied:
            record_denial(request, self.model, kwargs.get("pk"), reason=DenialReason.NOT_ALLOWED)
            raise Http404 from None

    def url_name(self, action: str) -> str:
        return f"{self.model._meta.app_label}:{self.entity}_{action}"

    def service_fn(self, verb: str) -> Any:
        return getattr(self.service, f"{verb}_{self.entity}")

    def may_create(self, user: Any) -> bool:
        """Whether the user may add records of this kind: everyone but viewers, for client-base records."""
        return not user.is_viewer

    def may_change(self, user: Any, obj: Any) -> bool:
        """Whether the user may change this record: the owner, their head and admins, for client-base records."""
        return permissions.can_change(user, obj)

    def new_object(self, request: HttpRequest) -> Any:
        """The unsaved record a create form starts from."""
        return self.model(owner=request.user)

    def base_context(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "verbose_name": self.model._meta.verbose_name,
            "verbose_name_plural": self.model._meta.verbose_name_plural,
            "list_url_name": self.url_name("list"),
        }


class ObjectListView(EntityViewMixin, View):
    """The Excel-like list: filters, fragment search, sortable chosen columns, lazy pagination, bulk actions."""

    filterset_class: ClassVar[Any]
    table_class: ClassVar[type[tables.Table]]
    template_name = "core/object_list.html"
    partial_template = "core/partials/_list.html"
    bulk_actions: ClassVar[bool] = True  # the list's "with selected" form (assign, tag, delete)
    search_placeholder: ClassVar[Any] = None  # the search box's hint; None: names, INN, phones, e-mails

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.model.objects.visible_to(request.user)

    def chosen_columns(self, request: HttpRequest, table_cls: type[tables.Table]) -> list[str]:
        available = table_cls.available_columns()
        if "columns" in request.GET and request.GET.get("save_columns"):
            return save_columns(request.user, self.entity, request.GET.getlist("columns"), allowed=available)
        saved = (request.user.preferences or {}).get("columns", {}).get(self.entity)
        return [c for c in saved if c in available] if saved else list(table_cls.default_columns)

    def list_table(self, request: HttpRequest) -> tuple[Any, QuerySet, Any, list[str], tables.Table]:
        """(filterset, filtered queryset, table class, chosen columns, sorted unpaginated table): what the user
        sees. The page shows one page of it; an export (dataio) all of it."""
        entity = self.table_class.entity
        # The custom fields are read once for the filters and the columns.
        custom = fields_for(entity) if entity and getattr(self.filterset_class, "entity", "") == entity else None
        filterset = self.filterset_class(request.GET or None, queryset=self.get_queryset(request), request=request,
                                         custom_fields=custom)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        if filterset.is_bound and not filterset.is_valid():
            queryset = queryset.none()
        table_cls = self.table_class.for_entity(custom)
        columns = self.chosen_columns(request, table_cls)
        # No request= here: django-tables2 would paginate at once, with a full COUNT and the raw ?per_page=.
        table = table_cls(queryset, columns=columns)
        tables.RequestConfig(request, paginate=False).configure(table)  # ordering from ?sort=
        return filterset, queryset, table_cls, columns, table

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset, queryset, table_cls, columns, table = self.list_table(request)
        per_page = request.GET.get("per_page", "")
        per_page = min(int(per_page), MAX_PER_PAGE) if per_page.isdigit() and int(per_page) > 0 else settings.LIST_PAGE_SIZE
        try:
            table.paginate(paginator_class=LazyPaginator, per_page=per_page, page=request.GET.get("page") or 1)
        except (EmptyPage, PageNotAnInteger):
            table.paginate(paginator_class=LazyPaginator, per_page=per_page, page=1)
        count, more = capped_count(queryset)
        context = {
            **self.base_context(),
            "table": table,
            "filterset": filterset,
            "count": count,
            "count_more": more,
            "columns": [(name, table_cls.column_label(name), name in columns) for name in table_cls.available_columns()],
            "can_create": self.may_create(request.user),
            "can_bulk": self.bulk_actions and not request.user.is_viewer,
            "search_placeholder": self.search_placeholder,
            "can_reassign": permissions.can_reassign(request.user),
            "can_export": request.user.can_export,
            "can_import": _may_import(request.user, self.entity),
            "assignable_users": permissions.assignable_users(request.user).only("id", "username", "first_name", "last_name"),
        }
        return render(request, self.partial_template if is_partial(request) else self.template_name, context)


def _may_import(user: Any, entity: str) -> bool:
    from kartoteka.dataio.choices import ImportEntity
    from kartoteka.dataio.importing.jobs import may_import

    return entity in ImportEntity.values and may_import(user, entity)


def list_view_at(path: str) -> type[ObjectListView]:
    """The list view serving this site path (export and saved views act on "the list at /companies/");
    404 for an outside address or a page that is not a list."""
    try:
        view_class = getattr(resolve(path).func, "view_class", None) if path.startswith("/") else None
    except Resolver404:
        view_class = None
    if view_class is None or not issubclass(view_class, ObjectListView):
        raise Http404
    return view_class


class BulkActionView(EntityViewMixin, View):
    """POST pk=...&action=assign|tag|delete: all-or-nothing over the selected visible records."""

    MAX_SELECTED = 500

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(pk) for pk in request.POST.getlist("pk") if pk.isdigit()][: self.MAX_SELECTED]
        objects = list(self.model.objects.visible_to(request.user).filter(pk__in=ids))
        action = request.POST.get("action")
        try:
            if not objects:
                raise ValidationError(_("Select at least one record."))
            if action == "assign":
                done = self.service.bulk_assign(objects, actor=request.user, owner=request.POST.get("owner"))
            elif action == "tag":
                done = self.service.bulk_add_tag(objects, actor=request.user, tag=request.POST.get("tag", ""))
            elif action == "delete":
                done = self.service.bulk_delete(objects, actor=request.user)
            else:
                return HttpResponseBadRequest(_("Unknown action."))
        except AccessDenied:
            record_denial(request, self.model, None, reason=DenialReason.NOT_ALLOWED,
                          detail={"action": action, "ids": ids})
            messages.error(request, _("You may not change some of the selected records; nothing was changed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, ngettext("Done: %(count)d record.", "Done: %(count)d records.", done) % {"count": done})
        next_url = request.POST.get("next", "")
        # Only back to a page of this site: a crafted form must not bounce the user elsewhere.
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            next_url = self.url_name("list")
        return redirect(next_url)


class ObjectDetailView(EntityViewMixin, View):
    """The card: key fields, related records and the timeline."""

    template_name: ClassVar[str]

    def related_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {}

    def sharing_context(self, obj: Any, can_change: bool) -> dict[str, Any]:
        shared = list(records.shared_users(obj))
        candidates: Any = []
        if can_change:
            candidates = (User.objects.filter(is_active=True).exclude(pk=obj.owner_id)
                          .exclude(pk__in=[u.pk for u in shared]).only("id", "username", "first_name", "last_name"))
        return {"shared_users": shared, "share_candidates": candidates}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = visible_object(request, self.model, pk, include_deleted=True)
        page = timeline_for(obj)
        deleted = getattr(obj, "is_deleted", False)
        can_change = self.may_change(request.user, obj) and not deleted
        context = {
            **self.base_context(),
            "object": obj,
            "timeline": page,
            "can_change": can_change,
            "can_restore": deleted and permissions.can_restore(request.user, obj),
            "note_form": NoteForm(),
            **self.sharing_context(obj, can_change),
            "custom_values": [(cf.label, display_value(cf, (obj.custom_fields or {}).get(cf.key)))
                              for cf in fields_for(self.entity)],
            **self.related_context(request, obj),
        }
        return render(request, self.template_name, context)


class TimelineView(EntityViewMixin, View):
    """The next page of a card's timeline (HTMX 'show more' and kind filter)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = visible_object(request, self.model, pk, include_deleted=True)
        kinds = set(request.GET.getlist("kind")) or None
        page = timeline_for(obj, cursor=request.GET.get("cursor"), kinds=kinds)
        return render(request, "core/partials/_timeline.html",
                      {**self.base_context(), "object": obj, "timeline": page, "kinds": sorted(kinds or [])})


class NoteCreateView(EntityViewMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from kartoteka.activities.services import add_note

        obj = visible_object(request, self.model, pk)
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                add_note(obj, actor=request.user, body=form.cleaned_data["body"])
            except ValidationError as exc:
                form.add_error("body", exc.message_dict.get("body", exc.messages))
        if is_partial(request):
            context = {**self.base_context(), "object": obj, "timeline": timeline_for(obj),
                       "note_form": form if form.errors else NoteForm(), "can_change": True}
            return render(request, "core/partials/_card_timeline.html", context)
        return redirect(obj.get_absolute_url())


class ShareView(EntityViewMixin, View):
    """POST user=<id>&shared=1|0: give or take back one user's read access to the record."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = visible_object(request, self.model, pk)
        user = User.objects.filter(pk=request.POST.get("user") or 0).first()
        try:
            if user is None:
                raise ValidationError(_("Choose a user."))
            records.set_share(obj, actor=request.user, user=user, shared=request.POST.get("shared") == "1")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(obj.get_absolute_url())


class ObjectEditView(EntityViewMixin, View):
    """Create (pk=None) or edit. A stale form (someone saved first) shows a conflict instead of overwriting."""

    form_class: ClassVar[type[ServiceModelForm]]
    template_name = "core/object_edit.html"
    duplicate_check: ClassVar[bool] = False  # warn as the user types about existing records (dedupe:check)

    def get_object(self, request: HttpRequest, pk: int | None) -> Any:
        if pk is None:
            if not self.may_create(request.user):
                raise AccessDenied()
            return self.new_object(request)
        obj = visible_object(request, self.model, pk)
        if not self.may_change(request.user, obj):
            raise AccessDenied()
        return obj

    def render_form(self, request: HttpRequest, form: ServiceModelForm, obj: Any,
                    conflict: list[tuple[str, str, str]] | None = None) -> HttpResponse:
        """`conflict` (possibly empty) means someone saved first: show what they saved beside the input."""
        context = {**self.base_context(), "form": form, "object": obj, "conflict": conflict is not None,
                   "conflict_rows": conflict or [],
                   "duplicate_check_url": reverse("dedupe:check", args=[self.entity]) if self.duplicate_check else ""}
        status = 409 if conflict is not None else (422 if form.errors else 200)
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(request, pk)
        return self.render_form(request, self.form_class(instance=obj, user=request.user), obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(request, pk)
        form = self.form_class(request.POST, instance=obj, user=request.user)
        if not form.is_valid():
            return self.render_form(request, form, obj)
        try:
            if pk is None:
                obj = self.service_fn("create")(actor=request.user, data=form.service_data())
            else:
                obj = self.service_fn("update")(obj, actor=request.user, data=form.service_data(),
                                                expected_version=form.expected_version)
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.render_form(request, form, obj)
        except ConflictError:
            current = self.model.objects.get(pk=obj.pk)
            return self.render_form(request, form, obj, conflict=conflict_rows(form, self.form_class(instance=current)))
        messages.success(request, _("Saved."))
        return redirect(obj.get_absolute_url())


def conflict_rows(mine: ServiceModelForm, theirs: ServiceModelForm) -> list[tuple[str, str, str]]:
    """(label, saved value, your value) for each field where the saved record and the user's input differ."""
    rows = []
    for name, field in mine.fields.items():
        if name == "version" or field.widget.is_hidden:
            continue
        yours = mine.cleaned_data.get(name)
        saved = theirs.initial.get(name, theirs.fields[name].initial if name in theirs.fields else None)
        saved = getattr(saved, "pk", saved)
        yours_cmp = getattr(yours, "pk", yours)
        if str(saved if saved is not None else "") != str(yours_cmp if yours_cmp is not None else ""):
            rows.append((str(field.label), _display(field, saved), _display(field, yours)))
    return rows


def _display(field: Any, value: Any) -> str:
    if isinstance(field, ModelChoiceField):
        # Never iterate the choices: they may be a million companies.
        obj = value if isinstance(value, Model) else field.queryset.filter(pk=value).first() if value else None
        return str(obj) if obj is not None else ""
    choices = dict(getattr(field, "choices", []) or [])
    if value in choices:
        return str(choices[value])
    return "" if value is None else str(value)


class InlineEditView(EntityViewMixin, View):
    """Edit one cell of the list in place: GET gives the input, POST saves and returns the cell."""

    form_class: ClassVar[type[ServiceModelForm]]
    table_class: ClassVar[type[tables.Table]]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kwargs["field"] not in self.table_class.inline_fields:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def context(self, obj: Any, field: str, form: Any = None) -> dict[str, Any]:
        table = self.table_class.for_entity()([obj], columns=[field])
        return {**self.base_context(), "object": obj, "field": field, "form": form, "cell": table.rows[0].get_cell(field),
                "conflict": None}

    def get(self, request: HttpRequest, pk: int, field: str) -> HttpResponse:
        obj = visible_object(request, self.model, pk)
        if not self.may_change(request.user, obj):
            raise AccessDenied()
        if request.GET.get("cancel"):
            return render(request, "core/partials/_cell.html", self.context(obj, field))
        form = self.form_class(instance=obj, user=request.user, only=[field])
        return render(request, "core/partials/_cell_form.html", self.context(obj, field, form))

    def post(self, request: HttpRequest, pk: int, field: str) -> HttpResponse:
        obj = visible_object(request, self.model, pk)
        if not self.may_change(request.user, obj):
            raise AccessDenied()
        form = self.form_class(request.POST, instance=obj, user=request.user, only=[field])
        if form.is_valid():
            try:
                obj = self.service_fn("update")(obj, actor=request.user, data=form.service_data(),
                                                expected_version=form.expected_version)
            except ValidationError as exc:
                form.add_service_errors(exc)
            except ConflictError:
                current = self.model.objects.get(pk=pk)  # show the value saved meanwhile, not the stale input
                fresh_form = self.form_class(instance=current, user=request.user, only=[field])
                context = self.context(current, field, fresh_form)
                context["conflict"] = True
                return render(request, "core/partials/_cell_form.html", context, status=409)
            else:
                return render(request, "core/partials/_cell.html", self.context(obj, field))
        return render(request, "core/partials/_cell_form.html", self.context(obj, field, form), status=422)


class ObjectDeleteView(EntityViewMixin, View):
    template_name = "core/object_delete.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = visible_object(request, self.model, pk)
        if not self.may_change(request.user, obj):
            raise AccessDenied()
        return render(request, self.template_name, {**self.base_context(), "object": obj})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = visible_object(request, self.model, pk)
        self.service_fn("delete")(obj, actor=request.user)
        messages.success(request, _("Moved to the recycle bin: %(name)s") % {"name": obj})
        return redirect(self.url_name("list"))


class ObjectRestoreView(EntityViewMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = visible_object(request, self.model, pk, include_deleted=True)
        self.service_fn("restore")(obj, actor=request.user)
        messages.success(request, _("Restored: %(name)s") % {"name": obj})
        return redirect(obj.get_absolute_url())
