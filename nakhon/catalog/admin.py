"""Back-office pages for the catalog (scoped to the municipalities a user administers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from nakhon.catalog.extras import MetadataField, metadata_fields
from nakhon.catalog.models import Dataset, DatasetVersion, IngestRun, Resource, Tag, Theme
from nakhon.core.admin import ReadOnlyAdmin, TenantAdmin


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0
    fields = ("kind", "name_th", "name_en", "format", "url")


class DatasetForm(forms.ModelForm):
    """The table schema is JSON; it is checked as a whole, every problem listed."""

    class Meta:
        model = Dataset
        fields = "__all__"  # noqa: DJ007 - the admin chooses the fields it shows

    def clean_table_schema(self) -> Any:
        from nakhon.ingestion.schema import SchemaError, TableSchema

        value = self.cleaned_data.get("table_schema") or {}
        if not value:
            return value
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The schema must be a JSON object."))
        try:
            return TableSchema.from_dict(value).to_dict()
        except SchemaError as exc:
            raise forms.ValidationError(exc.problems) from None
        except (TypeError, KeyError, ValueError) as exc:
            raise forms.ValidationError(str(exc)) from None


class ExtrasForm(DatasetForm):
    """The back-office form with a typed field per plugin metadata field (``Dataset.extras``)."""

    extra_fields: tuple[MetadataField, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.extras or {}
        for field in self.extra_fields:
            if field.name in stored:
                self.initial.setdefault(field.form_name, field.initial(stored[field.name]))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = dict(self.instance.extras or {})
        for field in self.extra_fields:
            value = field.to_json(cleaned.get(field.form_name))
            if value is None:
                values.pop(field.name, None)
            else:
                values[field.name] = value
        self.instance.extras = values
        return cleaned


def extras_form(base: type[DatasetForm]) -> type[DatasetForm]:
    """``base`` with the plugins' metadata fields as declared fields (the admin lists them)."""
    fields = tuple(metadata_fields())
    attrs: dict[str, Any] = {f.form_name: f.form_field() for f in fields}
    attrs["extra_fields"] = fields
    return type("DatasetExtrasForm", (ExtrasForm,), attrs)


@admin.register(Dataset)
class DatasetAdmin(TenantAdmin):
    form = DatasetForm
    exclude = ("extras",)  # edited as typed fields, one per plugin field (ExtrasForm)

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs.setdefault("form", extras_form(self.form))
        return super().get_form(request, obj, change, **kwargs)

    list_display = (
        "title_th",
        "slug",
        "municipality",
        "department",
        "classification",
        "update_frequency_unit",
        "last_published_at",
        "row_count",
    )
    list_filter = ("classification", "data_type", "update_frequency_unit", "municipality")
    search_fields = ("title_th", "title_en", "slug")
    readonly_fields = ("last_published_at", "current_snapshot_id", "row_count")
    filter_horizontal = ("themes", "tags")
    inlines = [ResourceInline]


@admin.register(Theme)
class ThemeAdmin(TenantAdmin):
    list_display = ("name_th", "name_en", "slug", "municipality")
    search_fields = ("name_th", "name_en", "slug")


@admin.register(Tag)
class TagAdmin(TenantAdmin):
    list_display = ("name", "municipality")
    search_fields = ("name",)


@admin.register(IngestRun)
class IngestRunAdmin(ReadOnlyAdmin, TenantAdmin):
    list_display = (
        "id",
        "dataset",
        "source_name",
        "state",
        "rows_read",
        "rows_valid",
        "rows_error",
        "created_at",
    )
    list_filter = ("state", "municipality")


@admin.register(DatasetVersion)
class DatasetVersionAdmin(ReadOnlyAdmin, TenantAdmin):
    list_display = ("dataset", "number", "committed_at", "actor_label", "rows_total", "operation")
    list_filter = ("municipality",)
