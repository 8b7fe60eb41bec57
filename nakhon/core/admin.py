"""Django admin for back-office CRUD, scoped to the municipalities a user administers.

A platform superuser sees everything. A municipality *admin* (role ``admin``, ``is_staff``)
sees and changes only rows of the municipalities they administer; every save and delete made
here is written to the audit log like any other write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from nakhon.core.audit import audit_record
from nakhon.core.models import AdminArea, AuditEvent
from nakhon.core.permissions import Role

admin.site.site_header = "Nakhon · นคร"
admin.site.site_title = "Nakhon admin"
admin.site.index_title = "Back office"


def administered_ids(request: HttpRequest) -> set[int] | None:
    """Ids of the municipalities the user administers; ``None`` means all (superuser)."""
    user = request.user
    if not user.is_active or not user.is_staff:
        return set()
    if user.is_superuser:
        return None
    cached: set[int] | None = getattr(request, "_nakhon_admin_ids", None)
    if cached is None:
        cached = set(
            user.memberships.filter(is_active=True, role=Role.ADMIN).values_list(
                "municipality_id", flat=True
            )
        )
        request._nakhon_admin_ids = cached  # type: ignore[attr-defined]
    return cached


class TenantAdmin(admin.ModelAdmin):
    """Base of every admin page for a tenant-owned model (``municipality`` field)."""

    tenant_field = "municipality"
    audit_prefix = ""  # e.g. "department"; default: the model name

    # --- scoping ---------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        ids = administered_ids(request)
        if ids is None:
            return qs
        return qs.filter(**{f"{self.tenant_field}__in": ids})

    def _tenant_id(self, obj: Any) -> int | None:
        return getattr(obj, f"{self.tenant_field}_id", None)

    def _allowed(self, request: HttpRequest, obj: Any = None) -> bool:
        ids = administered_ids(request)
        if ids is None:
            return True
        if not ids:
            return False
        return obj is None or self._tenant_id(obj) in ids

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = super().get_list_filter(request)
        if administered_ids(request) is None:
            return filters
        return [f for f in filters if f != self.tenant_field]  # would list every city

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        ids = administered_ids(request)
        if ids is not None:
            related = db_field.related_model
            if related._meta.label == "accounts.Municipality":
                kwargs["queryset"] = related.objects.filter(pk__in=ids)
            elif any(f.name == "municipality" for f in related._meta.get_fields()):
                kwargs["queryset"] = related.objects.filter(municipality__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- writes: checked and audited -------------------------------------------------------
    def _action(self, verb: str) -> str:
        return f"{self.audit_prefix or self.model._meta.model_name}.{verb}"

    def save_model(
        self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool
    ) -> None:
        if not self._allowed(request, obj):
            raise PermissionDenied
        changes = {}
        for name in form.changed_data:
            value = form.cleaned_data.get(name)
            changes[name] = {"to": value.pk if isinstance(value, models.Model) else value}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=self._action("update" if change else "create"),
            obj=obj,
            changes=changes,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        if not self._allowed(request, obj):
            raise PermissionDenied
        audit_record(actor=request.user, action=self._action("delete"), obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin:
    """Mixin: rows can be listed and viewed, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, TenantAdmin):
    """The audit log: read-only, filterable; never changed or deleted."""

    list_display = (
        "at",
        "municipality",
        "actor_label",
        "action",
        "object_type",
        "object_repr",
        "personal_data",
        "via",
        "ip",
    )
    list_filter = ("via", "personal_data", "action", "municipality")
    search_fields = ("actor_label", "action", "object_repr", "object_id", "request_id")
    date_hierarchy = "at"
    list_select_related = ("municipality",)


@admin.register(AdminArea)
class AdminAreaAdmin(admin.ModelAdmin):
    """National reference data (DOPA codes): read-only for everybody."""

    list_display = ("code", "level", "name_th", "name_en", "parent", "postal_code")
    list_filter = ("level",)
    search_fields = ("code", "name_th", "name_en")
    list_select_related = ("parent",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return administered_ids(request) != set()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return administered_ids(request) != set()
