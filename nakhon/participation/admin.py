"""Back-office pages for participation (scoped to the municipalities a user administers).

Contact e-mails are left out here: staff read them on the moderation pages, where each read is
written to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nakhon.core.admin import ReadOnlyAdmin, TenantAdmin
from nakhon.participation.models import (
    Comment,
    DataRequest,
    DataRequestEvent,
    ParticipationSettings,
    Rating,
)


@admin.register(ParticipationSettings)
class ParticipationSettingsAdmin(TenantAdmin):
    list_display = ("municipality", "moderation")


@admin.register(Comment)
class CommentAdmin(TenantAdmin):
    list_display = ("pk", "dataset", "name", "visibility", "flagged", "reports", "created_at")
    list_filter = ("visibility", "flagged", "municipality")
    search_fields = ("body", "name")
    exclude = ("email", "fingerprint", "user")
    readonly_fields = ("reports", "replied_at", "replied_by")


class EventInline(admin.TabularInline):
    model = DataRequestEvent
    extra = 0
    fields = ("status", "note", "actor", "created_at")
    readonly_fields = ("status", "note", "actor", "created_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # answers go through the request page, so they are audited and checked


@admin.register(DataRequest)
class DataRequestAdmin(TenantAdmin):
    list_display = ("pk", "title", "status", "visibility", "created_at")
    list_filter = ("status", "visibility", "municipality")
    search_fields = ("title", "description", "name")
    exclude = ("email", "fingerprint", "user")
    readonly_fields = ("status", "dataset")
    inlines = [EventInline]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin, TenantAdmin):
    list_display = ("dataset", "stars", "created_at", "updated_at")
    exclude = ("visitor",)
