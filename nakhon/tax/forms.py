"""Forms of the tax pages: the public calculator (one form per tax) and the import upload."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nakhon.core import thai


def _this_year_be() -> int:
    return timezone.localdate().year + thai.BE_OFFSET


class BeDateField(forms.CharField):
    """A date typed in the Buddhist Era (``15/08/2568``, ``2568-08-15``, ``15 ส.ค. 2568``)."""

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return thai.parse_thai_date(text, era="be")
        except thai.ThaiValueError as exc:
            from django.utils.translation import get_language

            en = (get_language() or "th").startswith("en")
            raise forms.ValidationError(exc.message_en if en else exc.message_th) from None


class SignboardQuoteForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput, initial="signboard")
    year = forms.IntegerField(
        label=_("Tax year (B.E.)"), min_value=2400, max_value=2700, initial=_this_year_be
    )
    sign_type = forms.TypedChoiceField(
        label=_("Sign type"),
        coerce=int,
        choices=[
            (1, _("1: Thai text only")),
            (2, _("2: Thai mixed with foreign text or pictures")),
            (3, _("3: no Thai, or Thai below the foreign text")),
        ],
    )
    moving = forms.TypedChoiceField(
        label=_("Moving or changing"),
        coerce=lambda v: v == "yes",
        choices=[("no", _("No")), ("yes", _("Yes"))],
        initial="no",
    )
    width_cm = forms.IntegerField(label=_("Width (cm)"))
    height_cm = forms.IntegerField(label=_("Height (cm)"))
    faces = forms.IntegerField(label=_("Faces"), initial=1, required=False)
    installed_on = BeDateField(
        label=_("Installed during the year on (B.E. date, optional)"),
        required=False,
        help_text=_("e.g. 15/08/2568"),
    )


class LandBuildingQuoteForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput, initial="land-building")
    year = forms.IntegerField(
        label=_("Tax year (B.E.)"), min_value=2400, max_value=2700, initial=_this_year_be
    )
    owner = forms.ChoiceField(
        label=_("Owner"),
        choices=[("individual", _("Individual")), ("juristic", _("Juristic person"))],
    )
    use = forms.ChoiceField(
        label=_("Use"),
        choices=[
            ("agricultural", _("agricultural")),
            ("residential-primary", _("residential: primary home (house register)")),
            (
                "residential-building-only",
                _("residential: building owner's home on another's land"),
            ),
            ("residential-other", _("residential: other")),
            ("commercial", _("commercial and other use")),
            ("vacant", _("vacant or unused")),
        ],
    )
    value_baht = forms.DecimalField(label=_("Appraised value (baht)"), decimal_places=2)
    vacant_years = forms.IntegerField(
        label=_("Years vacant (vacant land)"), initial=0, required=False
    )

    def clean_vacant_years(self) -> int:
        return self.cleaned_data.get("vacant_years") or 0


class ImportForm(forms.Form):
    register = forms.ChoiceField(
        label=_("Register"),
        choices=[
            ("taxpayers", _("taxpayers")),
            ("parcels", _("parcels")),
            ("buildings", _("buildings")),
            ("units", _("condominium units")),
            ("signboards", _("signboards")),
        ],
    )
    file = forms.FileField(label=_("File (Excel or CSV)"))
