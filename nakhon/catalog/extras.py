"""Extra dataset metadata fields that plugins add (the ``dataset_metadata_fields`` hook).

The values live in ``Dataset.extras`` (JSON) under each field's name: text, URLs and choice
codes as strings, whole numbers as numbers, decimals as strings (exact), dates as ISO
``YYYY-MM-DD``, yes/no as booleans. An empty value is not stored. The GD Catalog fields are
model fields, not extras.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from django import forms

FieldType = Literal["text", "integer", "decimal", "date", "url", "boolean", "choice"]
TYPES: tuple[str, ...] = ("text", "integer", "decimal", "date", "url", "boolean", "choice")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


@dataclass(frozen=True)
class MetadataField:
    """One extra field. ``name``: the key in ``Dataset.extras`` (lower-case letters, digits,
    ``_``). ``type``: text, integer, decimal, date, url, boolean or choice. ``choices``: for a
    choice, ``(code, Thai label, English label)`` items. ``help_th``/``help_en``: the hint under
    the form field."""

    name: str
    label_th: str
    label_en: str
    type: FieldType = "text"
    help_th: str = ""
    help_en: str = ""
    choices: tuple[tuple[str, str, str], ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"metadata field name {self.name!r}: use a-z, 0-9 and _")
        if self.type not in TYPES:
            raise ValueError(f"metadata field {self.name}: unknown type {self.type!r}")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"metadata field {self.name}: a choice needs choices")

    @property
    def form_name(self) -> str:
        """The name of its form field (next to the model's own fields)."""
        return f"extra_{self.name}"

    def label(self, language: str | None = None) -> str:
        return self.label_en if _english(language) and self.label_en else self.label_th

    def help(self, language: str | None = None) -> str:
        return self.help_en if _english(language) and self.help_en else self.help_th

    def form_field(self, language: str | None = None) -> forms.Field:
        """A Django form field that cleans this field's input (never required)."""
        from django import forms

        common: dict[str, Any] = {
            "label": self.label(language),
            "help_text": self.help(language),
            "required": False,
        }
        if self.type == "integer":
            return forms.IntegerField(**common)
        if self.type == "decimal":
            return forms.DecimalField(**common)
        if self.type == "date":
            return forms.DateField(**common, widget=forms.DateInput(attrs={"type": "date"}))
        if self.type == "url":
            return forms.URLField(**common)
        if self.type == "boolean":
            return forms.BooleanField(**common)
        if self.type == "choice":
            english = _english(language)
            options = [(code, en if english and en else th) for code, th, en in self.choices]
            return forms.ChoiceField(**common, choices=[("", "—"), *options])
        return forms.CharField(**common, max_length=1000)

    def to_json(self, value: Any) -> Any:
        """A cleaned form value as stored (``None`` for an empty value)."""
        if value in (None, "") or (self.type == "boolean" and value is False):
            return None
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def initial(self, stored: Any) -> Any:
        """The stored value as a form's initial value."""
        if stored is None:
            return None
        if self.type == "date":
            return dt.date.fromisoformat(str(stored))
        if self.type == "decimal":
            return Decimal(str(stored))
        return stored

    def display(self, stored: Any, language: str | None = None) -> str:
        """The stored value as a person reads it."""
        from django.utils.translation import gettext as _

        from nakhon.core import thai

        if stored is None or stored == "":
            return "—"
        if self.type == "boolean":
            return _("Yes") if stored else _("No")
        if self.type == "date":
            day = dt.date.fromisoformat(str(stored))
            return thai.format_date_en(day) if _english(language) else thai.format_thai_date(day)
        if self.type == "choice":
            for code, th, en in self.choices:
                if code == stored:
                    return en if _english(language) and en else th
        return str(stored)


def _english(language: str | None) -> bool:
    if language is None:
        from django.utils.translation import get_language

        language = get_language() or "th"
    return language.startswith("en")


def metadata_fields() -> list[MetadataField]:
    """The extra fields of every plugin, in registration order (a later name replaces one)."""
    from nakhon.plugins.manager import collect

    by_name = {f.name: f for f in collect("dataset_metadata_fields", MetadataField)}
    return list(by_name.values())


def extras_clean(
    values: dict[str, Any], stored: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check ``values`` (field name → raw input) against the registered fields; returns the new
    extras (``stored`` updated, empty values removed) and the errors by form field name."""
    from django.core.exceptions import ValidationError

    fields = {f.name: f for f in metadata_fields()}
    out = dict(stored)
    errors: dict[str, str] = {}
    for name, raw in values.items():
        field = fields.get(name)
        if field is None:
            from django.utils.translation import gettext as _

            errors[f"extra_{name}"] = _("Unknown field.")
            continue
        try:
            value = field.to_json(field.form_field().clean(raw))
        except ValidationError as exc:
            errors[field.form_name] = " ".join(exc.messages)
            continue
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out, errors


def extras_rows(stored: dict[str, Any], language: str | None = None) -> list[tuple[str, str]]:
    """(label, shown value) of each registered field that has a value."""
    return [
        (f.label(language), f.display(stored[f.name], language))
        for f in metadata_fields()
        if stored.get(f.name) not in (None, "")
    ]


def extras_public(stored: dict[str, Any]) -> dict[str, Any]:
    """The values of the registered fields (for JSON and the CKAN API), by name."""
    return {f.name: stored[f.name] for f in metadata_fields() if f.name in stored}
