"""Back-office pages for municipalities, departments, staff, memberships and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nakhon.accounts.models import ApiToken, Department, Membership, Municipality, User
from nakhon.core.admin import TenantAdmin, administered_ids
from nakhon.core.audit import audit_record


@admin.register(Municipality)
class MunicipalityAdmin(TenantAdmin):
    list_display = ("name_th", "name_en", "slug", "lao_code", "kind", "province", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name_th", "name_en", "slug", "lao_code")
    exclude = ("boundary", "bbox", "tambons")
    readonly_fields = ("area_km2", "boundary_source", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = admin.ModelAdmin.get_queryset(self, request)
        ids = administered_ids(request)
        return qs if ids is None else qs.filter(pk__in=ids)

    def _tenant_id(self, obj: Any) -> int | None:
        return obj.pk

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ("slug", "lao_code", "kind", "province", "is_active")
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)  # new cities: `nakhon city add`

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a municipality owns records by law; deactivate instead


@admin.register(Department)
class DepartmentAdmin(TenantAdmin):
    list_display = ("name_th", "name_en", "code", "municipality", "email", "phone")
    list_filter = ("municipality",)
    search_fields = ("name_th", "name_en", "code")


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ("user", "role", "municipality", "department", "position_th", "is_active")
    list_filter = ("role", "is_active", "municipality")
    search_fields = ("user__username", "position_th")
    list_select_related = ("user", "municipality", "department")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        ids = administered_ids(request)
        if db_field.name == "user" and ids is not None:
            # A city admin may only give roles to people already on their staff: the full
            # user list would show other cities' staff (personal data).
            kwargs["queryset"] = User.objects.filter(memberships__municipality__in=ids).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ApiToken)
class ApiTokenAdmin(TenantAdmin):
    """Tokens are issued on the portal (the secret is shown once); here they can be revoked."""

    list_display = (
        "name",
        "prefix",
        "user",
        "municipality",
        "scopes",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("municipality",)
    search_fields = ("name", "prefix", "user__username")
    fields = (
        "name",
        "prefix",
        "user",
        "municipality",
        "scopes",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "created_at",
    )
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            audit_record(actor=request.user, action="token.revoke", obj=token)
            count += 1
        self.message_user(request, _("%(n)d token(s) revoked.") % {"n": count}, messages.SUCCESS)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts are platform-wide, so only a platform superuser manages them here."""

    list_display = ("username", "email", "full_name_th", "is_staff", "is_superuser", "is_active")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Nakhon"), {"fields": ("full_name_th", "phone", "preferred_language")}),
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    has_add_permission = has_module_permission

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        user = self.get_object(request, object_id)
        if user is not None and request.method == "GET":
            audit_record(
                actor=request.user,
                action="personal_data.read",
                obj=user,
                object_repr=user.get_username(),
                personal_data=True,
                changes={"fields": sorted(User.PERSONAL_FIELDS), "purpose": "admin"},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="user.update" if change else "user.create",
            obj=obj,
            object_repr=obj.get_username(),
            changes={"fields": [f for f in form.changed_data if f != "password"]},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=request.user, action="user.delete", obj=obj, object_repr=obj.get_username()
        )
        super().delete_model(request, obj)
